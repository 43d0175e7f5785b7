// "Our situations": what the user's agency (or team) leads or assists once a table found the threshold met,
// with the person (now released to it), the notes thread and closing with a coded reason. Read from the
// server each time and never stored on the phone: nothing of a situation stays in IndexedDB.

import { api } from "../api.js";
import { fill, h, shortTime, uid } from "../dom.js";
import { state } from "../store.js";
import { backLink, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { CLOSURE_REASONS, PROTECTIVE_FACTORS, RISK_FACTORS, STATUS_WORDS, directory, label } from "./hub-vocabulary.js";
import { t } from "../i18n.js";

const offline = h("p", { class: "stale", role: "status" }, t("ours.offline"));

async function load(path) {
  try {
    return await api(path);
  } catch (error) {
    if (error && error.name === "NetworkError") return null;
    throw error;
  }
}

const personName = (p) => (p ? [p.display_name, [p.given_name, p.family_name].filter(Boolean).join(" ")]
  .filter(Boolean).join(" · ") : t("ours.noPerson"));

export async function renderOurs() {
  const body = h("div", {});
  const redraw = async () => {
    const found = await load("/situations");
    if (found === null) return fill(body, offline);
    fill(body, takeFlash(), found.length
      ? h("ul", { class: "case-list" }, found.map((s) => h("li", {},
        h("p", { class: "case-line" }, h("a", { href: `#/situation/${s.id}` }, personName(s.person)),
          h("span", { class: `tag situation-${s.status}` }, STATUS_WORDS[s.status] || s.status),
          h("span", { class: "tag" }, s.lead_agency_id && s.lead_agency_id === state.user.agency_id ? t("ours.lead") : t("ours.assisting"))),
        h("p", { class: "hint" }, s.risk_factors.map((c) => label(RISK_FACTORS, c)).join(", ")))))
      : emptyNote(t("ours.none")));
  };
  await redraw();
  const view = h("div", { class: "view" }, backLink("#/tables", t("home.tables")), h("h1", {}, t("hub.ours")), body);
  view.refresh = redraw;
  return view;
}

function notesThread(situation) {
  return h("section", { class: "card", "aria-labelledby": "notes-h" }, h("h2", { id: "notes-h" }, t("caseActions.notes")),
    h("p", { class: "hint" }, t("ours.notesHint")),
    situation.notes && situation.notes.length
      ? h("ol", { class: "notes" }, situation.notes.map((n) => h("li", {}, h("p", {}, n.body),
        h("p", { class: "hint" }, shortTime(n.at)))))
      : emptyNote(t("caseActions.noNotes")));
}

function noteForm(situation, redraw) {
  const text = h("textarea", { id: uid("note"), name: "body", "data-field": "body", maxlength: 4000, rows: 3 });
  const form = h("form", { novalidate: true }, field(t("ours.newNote"), text),
    h("button", { type: "submit", class: "button" }, t("ours.addNote")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) {
      showFieldErrors(form, { body: [t("caseActions.writeFirst")] });
      return;
    }
    try {
      await api(`/situations/${situation.id}/notes`, { method: "POST", body: { id: crypto.randomUUID(), body: text.value.trim() } });
      flash(t("ours.noteAdded"));
    } catch (error) {
      flash(error.message || t("ours.noteNotSaved"));
    }
    await redraw();
  });
  return form;
}

function closeForm(situation, redraw) {
  const reason = h("select", { id: uid("reason"), name: "reason", "data-field": "reason" },
    h("option", { value: "" }, t("ours.chooseReason")), CLOSURE_REASONS.map(([code, text]) => h("option", { value: code }, text)));
  const form = h("form", { novalidate: true }, field(t("ours.whyClosing"), reason),
    h("button", { type: "submit", class: "button secondary" }, t("ours.close")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!reason.value) {
      showFieldErrors(form, { reason: [t("ours.chooseReasonFirst")] });
      return;
    }
    try {
      await api(`/situations/${situation.id}/close`, { method: "POST", body: { reason: reason.value } });
      flash(t("ours.closed"));
    } catch (error) {
      flash(error.message || t("ours.notClosed"));
    }
    await redraw();
  });
  return form;
}

// The situation's case (acting agencies only): a link to it once there is one; while the situation is open,
// "Open a case" for the person, or "Link to a case" from the person's cases this phone may read.
async function caseSection(situation, redraw) {
  const heading = h("h2", { id: "case-h" }, t("ours.case"));
  const card = (...children) => h("section", { class: "card", "aria-labelledby": "case-h" }, heading, ...children);
  if (situation.case_id) {
    return card(h("p", {}, t("ours.inCase")),
      h("a", { class: "button secondary", href: `#/case/${situation.case_id}` }, t("ours.goToCase")));
  }
  if (situation.status !== "open" || !situation.person) return null;
  const send = async (body, done) => {
    try {
      await api(`/situations/${situation.id}/case`, { method: "POST", body });
      flash(done);
    } catch (error) {
      flash(error.message || t("ours.caseNotChanged"));
    }
    await redraw();
  };
  const opener = h("form", { novalidate: true },
    h("p", { class: "hint" }, t("ours.opensHint")),
    h("button", { type: "submit", class: "button" }, t("ours.openCase")));
  opener.addEventListener("submit", async (event) => {
    event.preventDefault();
    await send({ open: true, id: crypto.randomUUID() }, t("ours.caseOpened"));
  });
  let found = null;
  try {
    found = await api(`/cases?person_id=${encodeURIComponent(situation.person.id)}`);
  } catch (error) {
    if (!error || error.name !== "NetworkError") throw error;
  }
  const existing = found ? found.items.filter((c) => c.status !== "closed") : [];
  if (!existing.length) return card(opener, h("p", { class: "hint" }, t("ours.noCaseToLink")));
  const choice = h("select", { id: uid("case"), name: "case_id", "data-field": "case_id" },
    h("option", { value: "" }, t("ours.chooseCase")),
    existing.map((c) => h("option", { value: c.id },
      [t("ours.openedOn", { day: c.opened_at.slice(0, 10) }), c.program].filter(Boolean).join(" · "))));
  const linker = h("form", { novalidate: true }, field(t("ours.existing"), choice),
    h("button", { type: "submit", class: "button secondary" }, t("ours.link")));
  linker.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!choice.value) {
      showFieldErrors(linker, { case_id: [t("ours.chooseCaseFirst")] });
      return;
    }
    await send({ case_id: choice.value }, t("ours.linked"));
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
      if (error && error.status === 404) return fill(body, emptyNote(t("ours.noSuch")));
      throw error;
    }
    const names = await directory(api);
    const person = situation.person;
    fill(body, takeFlash(),
      h("section", { class: "card", "aria-labelledby": "who-h" }, h("h2", { id: "who-h" }, t("intake.person")),
        person ? h("p", { class: "person-name" }, personName(person))
          : h("p", {}, situation.acting ? t("ours.noPersonLinked") : t("ours.notShown")),
        person && person.description ? h("p", {}, person.description) : null),
      h("section", { class: "card", "aria-labelledby": "what-h" }, h("h2", { id: "what-h" }, t("ours.situation")),
        h("p", {}, h("span", { class: "tag" }, STATUS_WORDS[situation.status] || situation.status)),
        situation.summary ? h("p", { class: "summary" }, situation.summary) : null,
        h("p", {}, h("strong", {}, t("hub.riskLabel")), situation.risk_factors.map((c) => label(RISK_FACTORS, c)).join(", ")),
        situation.protective_factors && situation.protective_factors.length
          ? h("p", {}, h("strong", {}, t("hub.protectiveLabel")), situation.protective_factors.map((c) => label(PROTECTIVE_FACTORS, c)).join(", ")) : null,
        h("p", { class: "hint" }, [
          situation.lead_agency_id ? t("cases.lead", { lead: names.agency(situation.lead_agency_id) }) : null,
          situation.lead_team_id ? t("cases.lead", { lead: names.team(situation.lead_team_id) }) : null,
          situation.assisting_agency_ids.length
            ? t("ours.assistingList", { agencies: situation.assisting_agency_ids.map(names.agency).join(", ") }) : null,
          situation.close_reason ? t("ours.closedBecause", { reason: label(CLOSURE_REASONS, situation.close_reason) }) : null,
        ].filter(Boolean).join(" · "))),
      situation.acting ? await caseSection(situation, redraw) : null,
      situation.acting ? notesThread(situation) : null,
      situation.acting && situation.status === "open" ? noteForm(situation, redraw) : null,
      situation.status === "open" ? closeForm(situation, redraw) : null);
  };
  await redraw();
  const view = h("div", { class: "view" }, backLink("#/situations", t("hub.ours")), h("h1", {}, t("ours.situation")), body);
  view.refresh = redraw;
  return view;
}
