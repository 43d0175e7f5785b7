// "Take into case management": the intake of a person into a case (a case_intake entry), from the person's
// page or from an accepted referral in the agency's inbox. Works offline; the case opens on the phone at once.

import { h, rfc3339, uid } from "../dom.js";
import { activeCaseOf, saveLocalCase } from "../cases.js";
import { listEntries, newEntry } from "../outbox.js";
import { agencies, getPerson, getReferral, personName } from "../records.js";
import { state } from "../store.js";
import { backLink, emptyNote, field, flash } from "../ui.js";
import { CASE_STATUS, NEEDS, REFERRAL_STATUS, labelOf } from "../vocabulary.js";
import { t } from "../i18n.js";

// The referral with this phone's unsent status changes applied. The outbox is read first: a change the
// server takes in between has reached the referral's copy by the time that copy is read.
async function referralNow(db, id) {
  const updates = (await listEntries(db)).filter((e) => e.type === "referral_update" && e.data.referral_id === id);
  const referral = await getReferral(db, id);
  return referral && updates.length ? { ...referral, status: updates[updates.length - 1].data.status } : referral;
}

// "Housing referral to Hope Mission, accepted".
async function referralLine(db, referral) {
  const agency = (await agencies(db)).find((a) => a.id === referral.agency_id);
  return t("intake.referralLine", { service: labelOf(NEEDS, referral.service), agency: agency ? agency.name : t("intake.anAgency"),
    status: (REFERRAL_STATUS[referral.status] || referral.status).toLowerCase() });
}

export async function render(ctx, { query }) {
  const personId = query.get("person");
  const referralId = query.get("referral");
  const referral = referralId ? await referralNow(ctx.db, referralId) : null;
  const person = await getPerson(ctx.db, personId || (referral && referral.person_id));
  const who = personName(person, referral);
  const back = referral ? backLink(`#/referral/${referral.id}`, t("intake.referral")) : backLink(`#/person/${personId}`, who);
  const heading = h("h1", {}, t("intake.title"));
  if (!personId && !referral) return h("div", { class: "view" }, backLink(), heading, emptyNote(t("intake.noPerson")));

  const existing = await activeCaseOf(ctx.db, personId || referral.person_id);
  if (existing && existing.status === "open") {
    return h("div", { class: "view" }, back, heading,
      h("p", {}, t("intake.hasCase", { who })),
      h("p", {}, h("a", { class: "button primary", href: `#/case/${existing.id}` }, t("intake.open"))));
  }

  const program = h("input", { type: "text", id: uid("program"), maxlength: 160, autocomplete: "off", "data-field": "program" });
  const notes = h("textarea", { id: uid("intake-notes"), rows: 3, maxlength: 4000, "data-field": "notes" });
  const form = h("form", { class: "entry-form", novalidate: true },
    h("dl", { class: "details" },
      h("dt", {}, t("intake.person")), h("dd", {}, who),
      referral ? [h("dt", {}, t("intake.from")), h("dd", {}, await referralLine(ctx.db, referral))] : null,
      existing ? [h("dt", {}, t("intake.current")), h("dd", {}, t("intake.mayOpen", { status: CASE_STATUS[existing.status] }))] : null),
    field(t("intake.program"), program, t("intake.programHint")),
    field(t("intake.notes"), notes),
    h("p", { class: "hint" }, t("intake.youLead")),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, t("intake.open")),
      h("a", { class: "button quiet", href: back.getAttribute("href") }, t("ui.cancel"))));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // One intake per tap: a second one for the same person would only come back as a conflict.
    form.querySelector("button[type=submit]").disabled = true;
    const intake = { person_id: personId || referral.person_id, opened_at: rfc3339() };
    if (referral) intake.referral_id = referral.id;
    if (program.value.trim()) intake.program = program.value.trim();
    if (notes.value.trim()) intake.notes = notes.value.trim();
    const entry = newEntry("case_intake", intake, t("intake.entry", { who }));
    const made = { ...entry, case_id: entry.id }; // the case's id is the intake's
    await saveLocalCase(ctx.db, { ...intake, id: made.id, status: "open", lead_user_id: state.user.id,
      author_id: state.user.id, agency_id: referral ? referral.agency_id : state.user.agency_id });
    await ctx.save([made]);
    flash(t("intake.done", { who }));
    ctx.go(`/case/${made.id}`);
  });

  return h("div", { class: "view" }, back, heading, form);
}
