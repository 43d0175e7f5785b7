// Referring a person to a partner agency: agency, service, urgency and the person's consent.

import { fill, h, rfc3339, uid } from "../dom.js";
import { newEntry, resend } from "../outbox.js";
import { agencies as listAgencies, saveRecords, savePendingPerson } from "../records.js";
import { state } from "../store.js";
import { backLink, checkWith, field, flash, showFieldErrors } from "../ui.js";
import { NEEDS, URGENCIES, labelOf } from "../vocabulary.js";
import { personPicker } from "./person-picker.js";
import { t } from "../i18n.js";

function serviceOptions(select, agency, selected) {
  const offered = agency ? agency.services || [] : [];
  const others = NEEDS.filter(([code]) => !offered.includes(code));
  fill(select, h("option", { value: "" }, t("refer.chooseService")),
    offered.length ? h("optgroup", { label: t("refer.offers") },
      offered.map((code) => h("option", { value: code }, labelOf(NEEDS, code)))) : null,
    h("optgroup", { label: offered.length ? t("refer.otherServices") : t("refer.services") },
      others.map(([code, label]) => h("option", { value: code }, label))));
  if (selected) select.value = selected;
}

export async function render(ctx, { query, entry }) {
  const data = entry ? entry.data : {};
  const encounterId = data.encounter_id || (query && query.get("encounter")) || null;
  const picker = await personPicker(ctx.db, { required: true, personId: data.person_id || (query && query.get("person")) });
  const agencies = await listAgencies(ctx.db);
  const agency = h("select", { id: uid("agency"), required: true, "data-field": "agency_id" },
    h("option", { value: "" }, agencies.length ? t("caseActions.chooseAgency") : t("refer.noAgencies")),
    agencies.map((a) => h("option", { value: String(a.id) }, a.name)));
  if (data.agency_id) agency.value = String(data.agency_id);
  const service = h("select", { id: uid("service"), required: true, "data-field": "service" });
  const agencyById = (id) => agencies.find((a) => String(a.id) === String(id));
  serviceOptions(service, agencyById(agency.value), data.service);
  agency.addEventListener("change", () => serviceOptions(service, agencyById(agency.value), service.value));

  const urgencyName = uid("urgency");
  const urgency = h("fieldset", { class: "segmented", "data-field": "urgency" }, h("legend", {}, t("refer.urgency")),
    h("div", { class: "segments" }, URGENCIES.map(([code, label]) => {
      const id = `${urgencyName}-${code}`;
      return h("div", { class: "segment" },
        h("input", { type: "radio", id, name: urgencyName, value: code, checked: (data.urgency || "routine") === code }),
        h("label", { for: id }, label));
    })));
  const consent = h("input", { type: "checkbox", id: uid("consent"), checked: Boolean(data.consent_obtained),
    "data-field": "consent_obtained" });
  const notes = h("textarea", { id: uid("notes"), rows: 3, maxlength: 4000, "data-field": "notes", value: data.notes || "" });

  const form = h("form", { class: "entry-form", novalidate: true },
    entry && entry.error ? h("div", { class: "problem", role: "alert" },
      h("p", {}, h("strong", {}, t("refer.notAccepted")), entry.error.message)) : null,
    picker.element,
    field(t("caseActions.agency"), agency),
    field(t("refer.service"), service),
    urgency,
    h("div", { class: "field check" }, consent,
      h("label", { for: consent.id }, t("refer.consent")),
      h("p", { class: "hint" }, t("refer.consentHint"))),
    field(t("intake.notes"), notes),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button primary" }, entry ? t("people.saveAgain") : t("refer.save")),
      h("a", { class: "button quiet", href: entry ? "#/outbox" : "#/" }, t("ui.cancel"))));
  if (entry && entry.error && entry.error.fields) showFieldErrors(form, entry.error.fields);

  const check = () => {
    const problems = { ...picker.problems() };
    if (!agency.value) problems.agency_id = [t("caseActions.chooseAgencyFirst")];
    if (!service.value) problems.service = [t("refer.chooseServiceFirst")];
    return problems;
  };
  checkWith(form, check);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (showFieldErrors(form, check())) return;
    const { personId, person, entry: personEntry } = picker.resolve();
    const referral = { person_id: personId, agency_id: Number(agency.value), service: service.value,
      urgency: form.querySelector(`input[name="${urgencyName}"]:checked`).value, consent_obtained: consent.checked,
      made_at: data.made_at || rfc3339() };
    if (encounterId) referral.encounter_id = encounterId;
    if (notes.value.trim()) referral.notes = notes.value.trim();
    const agencyName = agencyById(agency.value).short_name || agencyById(agency.value).name;
    if (personEntry) await savePendingPerson(ctx.db, person);
    if (entry) {
      if (personEntry) await ctx.save([{ ...personEntry, seq: entry.seq - 1 }]);
      await resend(ctx.db, entry.id, referral);
      await ctx.resent();
      flash(t("refer.sentAgain"));
      ctx.go("/outbox");
      return;
    }
    const saved = newEntry("referral", referral, t("refer.entry", { name: person.display_name, agency: agencyName }));
    // A local copy, so the person's page shows it before the server has it.
    await saveRecords(ctx.db, "referrals", [{ ...referral, id: saved.id, status: "pending", version: 1,
      author_id: state.user.id, pending: true }]);
    await ctx.save(personEntry ? [personEntry, saved] : [saved]);
    flash(t("refer.saved", { agency: agencyName }));
    ctx.go("/");
  });

  return h("div", { class: "view" }, backLink(entry ? "#/outbox" : "#/", entry ? t("home.outbox") : t("ui.home")),
    h("h1", {}, t("people.refer")), form);
}
