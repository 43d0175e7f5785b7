// A case's notes, its transitions to longer-term programs and its closure: the lists and the forms that
// add a case_note, a case_transition or a case_closure entry to the outbox.

import { h, rfc3339, shortTime, uid } from "../dom.js";
import { field, showFieldErrors } from "../ui.js";
import { dayLabel } from "./case-history.js";
import { t } from "../i18n.js";

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
  const add = form(field(t("caseActions.note"), body), t("caseActions.addNote"), "primary", async (element) => {
    const text = body.value.trim();
    if (showFieldErrors(element, text ? {} : { body: [t("caseActions.writeFirst")] })) return;
    await record("case_note", { body: text, at: rfc3339() }, t("caseActions.noteEntry"), element);
  });
  return h("section", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, t("caseActions.notes")),
    kase.case_notes.length ? h("ul", { class: "note-list" }, kase.case_notes.map((note) => h("li", {},
      h("p", { class: "note-body" }, note.body),
      h("p", { class: "hint" }, shortTime(note.at), note.unsent ? h("span", { class: "tag" }, t("cases.waiting")) : null))))
      : h("p", { class: "empty" }, t("caseActions.noNotes")),
    canWrite ? h("details", { dataset: { key: "add-note" } }, h("summary", {}, t("caseActions.addANote")), add) : null);
}

export function programsSection(kase, agencies, { changeable, record }) {
  const headingId = uid("programs-heading");
  const agency = h("select", { id: uid("transition-agency"), "data-field": "agency_id" },
    h("option", { value: "" }, t("caseActions.chooseAgency")), agencies.map((a) => h("option", { value: String(a.id) }, a.name)));
  const program = h("input", { type: "text", id: uid("transition-program"), maxlength: 160, autocomplete: "off",
    "data-field": "program" });
  const add = form([field(t("caseActions.agency"), agency), field(t("caseActions.program"), program, t("caseActions.programHint"))],
    t("caseActions.transition"), "primary", async (element) => {
      const problems = {};
      if (!agency.value) problems.agency_id = [t("caseActions.chooseAgencyFirst")];
      if (!program.value.trim()) problems.program = [t("caseActions.nameProgram")];
      if (showFieldErrors(element, problems)) return;
      const name = agency.selectedOptions[0].textContent;
      await record("case_transition", { agency_id: Number(agency.value), program: program.value.trim(),
        transitioned_at: rfc3339() }, t("caseActions.transitionEntry", { program: program.value.trim(), agency: name }), element);
    });
  const byId = new Map(agencies.map((a) => [a.id, a.name]));
  return h("section", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, t("caseActions.programs")),
    kase.transitions.length ? h("ul", { class: "note-list" }, kase.transitions.map((move) => h("li", {},
      h("p", { class: "goal-text" }, move.program),
      h("p", { class: "hint" }, t("caseActions.movedTo", { agency: byId.get(move.agency_id) || t("caseActions.partnerAgency"),
        day: dayLabel(move.transitioned_at) }),
        move.unsent ? h("span", { class: "tag" }, t("cases.waiting")) : null))))
      : h("p", { class: "empty" }, t("caseActions.noPrograms")),
    changeable ? h("details", { dataset: { key: "transition" } }, h("summary", {}, t("caseActions.toProgram")), add) : null);
}

export function closeSection({ record }) {
  const headingId = uid("close-heading");
  const reason = h("input", { type: "text", id: uid("close-reason"), maxlength: 400, autocomplete: "off", "data-field": "reason" });
  const close = form(field(t("caseActions.reason"), reason, t("caseActions.reasonHint")), t("caseActions.closeCase"), "danger",
    async (element) => {
      const text = reason.value.trim();
      if (showFieldErrors(element, text ? {} : { reason: [t("caseActions.giveReason")] })) return;
      await record("case_closure", { reason: text, closed_at: rfc3339() }, t("caseActions.closedEntry", { text }), element);
    });
  return h("section", { class: "card", "aria-labelledby": headingId },
    h("h2", { id: headingId }, t("caseActions.closing")),
    h("p", { class: "hint" }, t("caseActions.closedHint")),
    h("details", { dataset: { key: "close" } }, h("summary", {}, t("caseActions.closeTheCase")), close));
}
