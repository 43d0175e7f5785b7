// "Our situations": what the user's agency (or team) leads or assists once a table found the threshold met,
// with the person (now released to it), the notes thread and closing with a coded reason. Read from the
// server each time and never stored on the phone: nothing of a situation stays in IndexedDB.

import { api } from "../api.js";
import { fill, h, shortTime, uid } from "../dom.js";
import { state } from "../store.js";
import { backLink, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { CLOSURE_REASONS, PROTECTIVE_FACTORS, RISK_FACTORS, STATUS_WORDS, directory, label } from "./hub-vocabulary.js";

const offline = h("p", { class: "stale", role: "status" }, "This needs a connection. Try again when online.");

async function load(path) {
  try {
    return await api(path);
  } catch (error) {
    if (error && error.name === "NetworkError") return null;
    throw error;
  }
}

const personName = (p) => (p ? [p.display_name, [p.given_name, p.family_name].filter(Boolean).join(" ")]
  .filter(Boolean).join(" · ") : "No person linked");

export async function renderOurs() {
  const body = h("div", {});
  const redraw = async () => {
    const found = await load("/situations");
    if (found === null) return fill(body, offline);
    fill(body, takeFlash(), found.length
      ? h("ul", { class: "case-list" }, found.map((s) => h("li", {},
        h("p", { class: "case-line" }, h("a", { href: `#/situation/${s.id}` }, personName(s.person)),
          h("span", { class: `tag situation-${s.status}` }, STATUS_WORDS[s.status] || s.status),
          h("span", { class: "tag" }, s.lead_agency_id && s.lead_agency_id === state.user.agency_id ? "lead" : "assisting or team")),
        h("p", { class: "hint" }, s.risk_factors.map((c) => label(RISK_FACTORS, c)).join(", ")))))
      : emptyNote("No situation for your agency or team yet."));
  };
  await redraw();
  const view = h("div", { class: "view" }, backLink("#/tables", "Situation tables"), h("h1", {}, "Our situations"), body);
  view.refresh = redraw;
  return view;
}

function notesThread(situation) {
  return h("section", { class: "card", "aria-labelledby": "notes-h" }, h("h2", { id: "notes-h" }, "Notes"),
    h("p", { class: "hint" }, "Only the lead and assisting agencies see these notes."),
    situation.notes && situation.notes.length
      ? h("ol", { class: "notes" }, situation.notes.map((n) => h("li", {}, h("p", {}, n.body),
        h("p", { class: "hint" }, shortTime(n.at)))))
      : emptyNote("No notes yet."));
}

function noteForm(situation, redraw) {
  const text = h("textarea", { id: uid("note"), name: "body", "data-field": "body", maxlength: 4000, rows: 3 });
  const form = h("form", { novalidate: true }, field("New note", text),
    h("button", { type: "submit", class: "button" }, "Add the note"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      showFieldErrors(form, { body: ["Write the note first."] });
      return;
    }
    try {
      await api(`/situations/${situation.id}/notes`, { method: "POST", body: { id: crypto.randomUUID(), body: text.value.trim() } });
      flash("Note added.");
    } catch (error) {
      flash(error.message || "The note was not saved.");
    }
    await redraw();
  });
  return form;
}

function closeForm(situation, redraw) {
  const reason = h("select", { id: uid("reason"), name: "reason", "data-field": "reason" },
    h("option", { value: "" }, "Choose a reason"), CLOSURE_REASONS.map(([code, text]) => h("option", { value: code }, text)));
  const form = h("form", { novalidate: true }, field("Why is it closing?", reason),
    h("button", { type: "submit", class: "button secondary" }, "Close the situation"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!reason.value) {
      showFieldErrors(form, { reason: ["Choose a reason."] });
      return;
    }
    try {
      await api(`/situations/${situation.id}/close`, { method: "POST", body: { reason: reason.value } });
      flash("The situation is closed.");
    } catch (error) {
      flash(error.message || "The situation was not closed.");
    }
    await redraw();
  });
  return form;
}

// The situation's case (acting agencies only): a link to it once there is one; while the situation is open,
// "Open a case" for the person, or "Link to a case" from the person's cases this phone may read.
async function caseSection(situation, redraw) {
  const heading = h("h2", { id: "case-h" }, "Case");
  const card = (...children) => h("section", { class: "card", "aria-labelledby": "case-h" }, heading, ...children);
  if (situation.case_id) {
    return card(h("p", {}, "This situation is worked in a case."),
      h("a", { class: "button secondary", href: `#/case/${situation.case_id}` }, "Go to the case"));
  }
  if (situation.status !== "open" || !situation.person) return null;
  const send = async (body, done) => {
    try {
      await api(`/situations/${situation.id}/case`, { method: "POST", body });
      flash(done);
    } catch (error) {
      flash(error.message || "The case was not changed.");
    }
    await redraw();
  };
  const opener = h("form", { novalidate: true },
    h("p", { class: "hint" }, "Opens a case for this person in your agency, on the table's decision."),
    h("button", { type: "submit", class: "button" }, "Open a case"));
  opener.addEventListener("submit", async (event) => {
    event.preventDefault();
    await send({ open: true, id: crypto.randomUUID() }, "A case is opened for this situation.");
  });
  let found = null;
  try {
    found = await api(`/cases?person_id=${encodeURIComponent(situation.person.id)}`);
  } catch (error) {
    if (!error || error.name !== "NetworkError") throw error;
  }
  const existing = found ? found.items.filter((c) => c.status !== "closed") : [];
  if (!existing.length) return card(opener, h("p", { class: "hint" }, "Your agency has no open case of this person to link."));
  const choice = h("select", { id: uid("case"), name: "case_id", "data-field": "case_id" },
    h("option", { value: "" }, "Choose a case"),
    existing.map((c) => h("option", { value: c.id }, [`Opened ${c.opened_at.slice(0, 10)}`, c.program].filter(Boolean).join(" · "))));
  const linker = h("form", { novalidate: true }, field("An existing case", choice),
    h("button", { type: "submit", class: "button secondary" }, "Link to the case"));
  linker.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!choice.value) {
      showFieldErrors(linker, { case_id: ["Choose a case."] });
      return;
    }
    await send({ case_id: choice.value }, "The situation is linked to the case.");
  });
  return card(linker, opener);
}

export async function renderSituation(ctx, { id }) {
  const body = h("div", {});
  const redraw = async () => {
    let situation;
    try {
      situation = await api(`/situations/${id}`);
    } catch (error) {
      if (error && error.name === "NetworkError") return fill(body, offline);
      if (error && error.status === 404) return fill(body, emptyNote("No such situation."));
      throw error;
    }
    const names = await directory(api);
    const person = situation.person;
    fill(body, takeFlash(),
      h("section", { class: "card", "aria-labelledby": "who-h" }, h("h2", { id: "who-h" }, "Person"),
        person ? h("p", { class: "person-name" }, personName(person))
          : h("p", {}, situation.acting ? "No person was linked to this situation." : "Not shown: your agency does not act on it."),
        person && person.description ? h("p", {}, person.description) : null),
      h("section", { class: "card", "aria-labelledby": "what-h" }, h("h2", { id: "what-h" }, "Situation"),
        h("p", {}, h("span", { class: "tag" }, STATUS_WORDS[situation.status] || situation.status)),
        situation.summary ? h("p", { class: "summary" }, situation.summary) : null,
        h("p", {}, h("strong", {}, "Risk factors: "), situation.risk_factors.map((c) => label(RISK_FACTORS, c)).join(", ")),
        situation.protective_factors && situation.protective_factors.length
          ? h("p", {}, h("strong", {}, "Protective factors: "), situation.protective_factors.map((c) => label(PROTECTIVE_FACTORS, c)).join(", ")) : null,
        h("p", { class: "hint" }, [
          situation.lead_agency_id ? `Lead: ${names.agency(situation.lead_agency_id)}` : null,
          situation.lead_team_id ? `Lead: ${names.team(situation.lead_team_id)}` : null,
          situation.assisting_agency_ids.length ? `Assisting: ${situation.assisting_agency_ids.map(names.agency).join(", ")}` : null,
          situation.close_reason ? `Closed: ${label(CLOSURE_REASONS, situation.close_reason)}` : null,
        ].filter(Boolean).join(" · "))),
      situation.acting ? await caseSection(situation, redraw) : null,
      situation.acting ? notesThread(situation) : null,
      situation.acting && situation.status === "open" ? noteForm(situation, redraw) : null,
      situation.status === "open" ? closeForm(situation, redraw) : null);
  };
  await redraw();
  const view = h("div", { class: "view" }, backLink("#/situations", "Our situations"), h("h1", {}, "Situation"), body);
  view.refresh = redraw;
  return view;
}
