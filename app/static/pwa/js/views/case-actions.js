// A case's notes, its transitions to longer-term programs and its closure: the lists and the forms that
// add a case_note, a case_transition or a case_closure entry to the outbox.

import { h, rfc3339, shortTime, uid } from "../dom.js";
import { field, showFieldErrors } from "../ui.js";
import { dayLabel } from "./case-history.js";

function form(controls, buttonText, tone, submit) {
  const element = h("form", { class: "entry-form", novalidate: true }, controls,
    h("div", { class: "inline-actions" }, h("button", { type: "submit", class: `button ${tone}` }, buttonText)));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    await submit(element);
  });
  return element;
}

export function notesSection(kase, { canWrite, record }) {
  const headingId = uid("notes-heading");
  const body = h("textarea", { id: uid("note-body"), rows: 3, maxlength: 4000, "data-field": "body" });
  const add = form(field("Note", body), "Add note", "primary", async (element) => {
    const text = body.value.trim();
    if (showFieldErrors(element, text ? {} : { body: ["Write the note first."] })) return;
    await record("case_note", { body: text, at: rfc3339() }, "Case note", element);
  });
  return h("section", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, "Notes"),
    kase.case_notes.length ? h("ul", { class: "note-list" }, kase.case_notes.map((note) => h("li", {},
      h("p", { class: "note-body" }, note.body),
      h("p", { class: "hint" }, shortTime(note.at), note.unsent ? h("span", { class: "tag" }, "waiting to sync") : null))))
      : h("p", { class: "empty" }, "No notes yet."),
    canWrite ? h("details", { dataset: { key: "add-note" } }, h("summary", {}, "Add a note"), add) : null);
}

export function programsSection(kase, agencies, { changeable, record }) {
  const headingId = uid("programs-heading");
  const agency = h("select", { id: uid("transition-agency"), "data-field": "agency_id" },
    h("option", { value: "" }, "Choose the agency"), agencies.map((a) => h("option", { value: String(a.id) }, a.name)));
  const program = h("input", { type: "text", id: uid("transition-program"), maxlength: 160, autocomplete: "off",
    "data-field": "program" });
  const add = form([field("Agency", agency), field("Program", program, "For example: Housing First.")],
    "Transition", "primary", async (element) => {
      const problems = {};
      if (!agency.value) problems.agency_id = ["Choose the agency."];
      if (!program.value.trim()) problems.program = ["Name the program."];
      if (showFieldErrors(element, problems)) return;
      const name = agency.selectedOptions[0].textContent;
      await record("case_transition", { agency_id: Number(agency.value), program: program.value.trim(),
        transitioned_at: rfc3339() }, `Transition · ${program.value.trim()} (${name})`, element);
    });
  const byId = new Map(agencies.map((a) => [a.id, a.name]));
  return h("section", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, "Programs"),
    kase.transitions.length ? h("ul", { class: "note-list" }, kase.transitions.map((t) => h("li", {},
      h("p", { class: "goal-text" }, t.program),
      h("p", { class: "hint" }, `${byId.get(t.agency_id) || "Partner agency"} · ${dayLabel(t.transitioned_at)}`,
        t.unsent ? h("span", { class: "tag" }, "waiting to sync") : null))))
      : h("p", { class: "empty" }, "Not handed on to a program yet."),
    changeable ? h("details", { dataset: { key: "transition" } }, h("summary", {}, "Transition to a program"), add) : null);
}

export function closeSection({ record }) {
  const headingId = uid("close-heading");
  const reason = h("input", { type: "text", id: uid("close-reason"), maxlength: 400, autocomplete: "off", "data-field": "reason" });
  const close = form(field("Reason", reason, "For example: housed and settled with the program."), "Close case", "danger",
    async (element) => {
      const text = reason.value.trim();
      if (showFieldErrors(element, text ? {} : { reason: ["Give the reason for closing."] })) return;
      await record("case_closure", { reason: text, closed_at: rfc3339() }, `Case closed · ${text}`, element);
    });
  return h("section", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, "Closing"),
    h("p", { class: "hint" }, "A closed case takes notes only: no more goals or transitions."),
    h("details", { dataset: { key: "close" } }, h("summary", {}, "Close the case"), close));
}
