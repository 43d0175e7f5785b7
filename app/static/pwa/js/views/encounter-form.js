// Logging one encounter: only the fields its kind needs; "Save" puts it in the outbox at once.
// Also used to fix an entry the server sent back ("Needs attention") and send it again, and to correct an
// encounter already logged (`amend`: an `encounter_amend` entry with a reason, js/corrections.js).

import { CORRECTION_TYPES, REASON_MAX, buildAmend, reasonProblem } from "../corrections.js";
import { h, localInputValue, rfc3339, uid } from "../dom.js";
import { t } from "../i18n.js";
import { newEntry, resend } from "../outbox.js";
import { getPerson, personLabel, savePendingPerson, sites as listSites } from "../records.js";
import { state } from "../store.js";
import { backLink, checkWith, checkedValues, field, flash, showFieldErrors } from "../ui.js";
import { KINDS, NEEDS, OUTCOMES, RISK_FLAGS, kindByCode, labelOf } from "../vocabulary.js";
import { chipGroup, countUse, firstShown } from "./chip-groups.js";
import { locationField } from "./location-field.js";
import { personPicker } from "./person-picker.js";
import { triagePanel } from "./triage-panel.js";

function siteSelect(sites, selected) {
  const select = h("select", { id: uid("site"), required: true, "data-field": "site_id" },
    h("option", { value: "" }, t("log.siteOption")),
    sites.map((s) => h("option", { value: String(s.id) }, s.name)));
  if (selected) select.value = String(selected);
  return select;
}

function serverProblem(entry) {
  if (!entry || !entry.error) return null;
  return h("div", { class: "problem", role: "alert" },
    h("p", {}, h("strong", {}, t("log.notAccepted")), entry.error.message));
}

// How many needs and outcomes are in sight before "More …" (the rest are a tap away).
const SHOWN_NEEDS = 5;
const SHOWN_OUTCOMES = 4;

const sameMinute = (a, b) => localInputValue(new Date(a)) === localInputValue(new Date(b));
// A hand-chosen level is one the rules did not give (an encounter not sent yet carries only a chosen one).
const chosenLevelOf = (encounter) => (encounter.triage_level && encounter.triage_level !== encounter.triage_computed
  ? encounter.triage_level : null);

// What the last encounter saved on this phone named (its person and needs) and the last shelter site, per user:
// "Same as last" repeats them, a check-in starts at that site. Also how often this user ticked each need and
// outcome here, so that the ones they use most are the ones in sight. Ids, codes and counts only, never a name.
const lastKey = () => `help-field:last-encounter:${state.user ? state.user.id : "none"}`;
function remembered() {
  try {
    return JSON.parse(localStorage.getItem(lastKey()) || "{}");
  } catch {
    return {};
  }
}
function remember(encounter) {
  const last = remembered();
  const use = last.use || {};
  const next = { person_id: encounter.person_id || null, needs: encounter.needs || [],
    site_id: encounter.site_id || last.site_id || null,
    use: { needs: countUse(use.needs, encounter.needs), outcome: countUse(use.outcome, encounter.outcome) } };
  try {
    localStorage.setItem(lastKey(), JSON.stringify(next));
  } catch {
    // Storage full or refused: the form works without it.
  }
}

async function sameAsLast(db, form, picker) {
  const last = remembered();
  if (!last.person_id && !(last.needs || []).length) return null;
  const person = last.person_id ? await getPerson(db, last.person_id) : null;
  if (last.person_id && !person) return null;
  const what = [person ? personLabel(person) : t("outbox.anonymous"), ...(last.needs || []).map((c) => labelOf(NEEDS, c))].join(" · ");
  return h("button", { type: "button", class: "button secondary same-as-last", onclick: (event) => {
    if (person) picker.choose(person);
    for (const input of form.querySelectorAll('input[name="needs"]')) {
      const checked = (last.needs || []).includes(input.value);
      if (input.checked === checked) continue;
      input.checked = checked;
      input.dispatchEvent(new Event("change", { bubbles: true })); // the triage panel follows
    }
    event.currentTarget.remove();
  } }, t("log.sameAsLast", { what }));
}

// `params`: {kind} for a new encounter (and ?person=), {entry} to fix one from the outbox, or {amend} to
// correct one: {encounter (as the server will hold it), baseVersion, entry (a correction sent back, to fix)}.
export async function render(ctx, { kind: kindCode, query, entry, amend }) {
  const fixing = entry || (amend && amend.entry) || null;
  const data = amend ? { ...amend.encounter, ...(amend.entry ? amend.entry.data : {}) } : entry ? entry.data : {};
  const kind = kindByCode(entry ? data.kind : amend ? data.kind : kindCode);
  if (!kind) return h("div", { class: "view" }, backLink(), h("h1", {}, t("log.unknownKind")));

  const when = h("input", { type: "datetime-local", id: uid("when"), required: true, "data-field": "occurred_at",
    value: localInputValue(data.occurred_at ? new Date(data.occurred_at) : new Date()) });
  // A correction may change the kind, so it shows the call number and site rows and hides those the kind lacks.
  const kindSelect = amend ? h("select", { id: uid("kind"), "data-field": "kind" },
    KINDS.map((k) => h("option", { value: k.code }, k.label))) : null;
  if (kindSelect) kindSelect.value = kind.code;
  const callNumber = kind.callNumber || amend ? h("input", { type: "text", id: uid("call"), required: true, autocomplete: "off",
    maxlength: 40, "data-field": "call_number", value: data.call_number || "" }) : null;
  const fresh = !amend && !entry;
  const site = kind.site || amend ? siteSelect(await listSites(ctx.db), data.site_id || (fresh ? remembered().site_id : null)) : null;
  const picker = await personPicker(ctx.db, { personId: data.person_id || (query && query.get("person")) || null });
  const notes = h("textarea", { id: uid("notes"), rows: 3, maxlength: 4000, "data-field": "notes", value: data.notes || "" });
  const reason = amend ? h("textarea", { id: uid("reason"), rows: 2, maxlength: REASON_MAX, required: true,
    "data-field": "reason", value: amend.entry ? amend.entry.data.reason || "" : "" }) : null;
  const nothingChanged = h("p", { class: "problem", role: "alert", hidden: true }, t("log.nothingChanged"));
  const place = amend || entry ? null : locationField();
  const callRow = callNumber ? field(t("log.callNumber"), callNumber, t("log.callNumberHint")) : null;
  if (callRow) callRow.classList.add("label-row"); // the hint beside the label where it fits: one row less
  const siteRow = site ? field(t("log.site"), site) : null;
  const currentKind = () => (kindSelect ? kindByCode(kindSelect.value) : kind);
  const showKindRows = () => {
    if (callRow) callRow.hidden = !currentKind().callNumber;
    if (siteRow) siteRow.hidden = !currentKind().site;
  };
  if (kindSelect) kindSelect.addEventListener("change", showKindRows);
  showKindRows();

  const use = remembered().use || {};
  const cancelTo = fixing ? "#/outbox" : amend ? "#/recent" : "#/";
  const actions = h("div", { class: "form-actions" },
    h("button", { type: "submit", class: "button primary" }, fixing ? t("people.saveAgain") : t("log.save")),
    h("a", { class: "button quiet", href: cancelTo }, t("ui.cancel")));
  const form = h("form", { class: "entry-form", novalidate: true },
    serverProblem(fixing),
    nothingChanged,
    kindSelect ? field(t("directory.kind"), kindSelect) : null,
    callRow,
    siteRow,
    picker.element,
    // What is nearly always set comes first: the person, the needs, the outcome; then risk flags and the rest.
    // Only the most used needs and outcomes are in sight, risk flags behind their button: "Referred" stays
    // above the Save bar on a 390×844 phone (docs/field-app.md, "Logging in few taps").
    chipGroup(t("log.needs"), "needs", NEEDS, { selected: data.needs || [], more: (count) => t("log.moreNeeds", { count }),
      shown: firstShown(NEEDS, use.needs, SHOWN_NEEDS) }),
    chipGroup(t("log.outcome"), "outcome", OUTCOMES, { selected: data.outcome || [],
      more: (count) => t("log.moreOutcomes", { count }),
      shown: firstShown(OUTCOMES, use.outcome, SHOWN_OUTCOMES) }),
    chipGroup(t("log.riskFlags"), "risk_flags", RISK_FLAGS, { selected: data.risk_flags || [],
      more: (count) => t("log.allRiskFlags", { count }) }),
    field(t("intake.notes"), notes),
    place ? place.element : null,
    field(t("log.when"), when),
    reason ? field(t("log.reason"), reason, t("log.reasonHint")) : null,
    actions);
  // The level stays in sight in the Save bar; the panel with the reasons and agencies follows the risk flags.
  const triage = await triagePanel(ctx.db, form, { chosen: amend ? chosenLevelOf(data) : data.triage_level });
  form.querySelector('[data-field="risk_flags"]').after(triage.element);
  const repeat = fresh && !(query && query.get("person")) ? await sameAsLast(ctx.db, form, picker) : null;
  if (repeat) picker.element.before(repeat);
  actions.prepend(triage.sticky);
  triage.update();

  if (fixing && fixing.error && fixing.error.fields) showFieldErrors(form, fixing.error.fields);

  const check = () => {
    const chosenKind = currentKind();
    const problems = { ...picker.problems() };
    if (chosenKind.callNumber && !callNumber.value.trim()) problems.call_number = [t("log.giveCallNumber")];
    if (chosenKind.site && !site.value) problems.site_id = [t("log.chooseSite")];
    if (!when.value) problems.occurred_at = [t("log.giveTime")];
    if (reason && reasonProblem(reason.value)) problems.reason = [reasonProblem(reason.value)];
    return problems;
  };
  checkWith(form, check);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosenKind = currentKind();
    const problems = check();
    nothingChanged.hidden = true;
    if (showFieldErrors(form, problems)) return;

    const { personId, person, entry: personEntry } = picker.resolve();
    if (amend) {
      await saveCorrection(ctx, amend, {
        kind: chosenKind.code, occurred_at: rfc3339(new Date(when.value)), person_id: personId || null,
        call_number: chosenKind.callNumber ? callNumber.value.trim() : null,
        site_id: chosenKind.site ? Number(site.value) : null,
        needs: checkedValues(form, "needs"), risk_flags: checkedValues(form, "risk_flags"),
        outcome: checkedValues(form, "outcome"), triage_level: triage.chosenLevel(), notes: notes.value.trim() || null,
      }, { reason: reason.value, person, personEntry, nothingChanged });
      return;
    }
    const encounter = { kind: kind.code, occurred_at: rfc3339(new Date(when.value)),
      needs: checkedValues(form, "needs"), risk_flags: checkedValues(form, "risk_flags"),
      outcome: checkedValues(form, "outcome") };
    if (triage.chosenLevel()) encounter.triage_level = triage.chosenLevel();
    if (personId) encounter.person_id = personId;
    if (callNumber) encounter.call_number = callNumber.value.trim();
    if (site) encounter.site_id = Number(site.value);
    if (notes.value.trim()) encounter.notes = notes.value.trim();
    if (place && place.value()) encounter.location = place.value();
    const label = [kind.label, person && person.display_name, callNumber && t("log.callRef", { number: encounter.call_number })]
      .filter(Boolean).join(" · ");

    if (personEntry) await savePendingPerson(ctx.db, person);
    if (entry) {
      // The new person must reach the server before the encounter that names them.
      if (personEntry) await ctx.save([{ ...personEntry, seq: entry.seq - 1 }]);
      await resend(ctx.db, entry.id, encounter);
      await ctx.resent();
      flash(t("log.sentAgain", { kind: kind.label }));
      ctx.go("/outbox");
      return;
    }
    remember(encounter);
    const saved = newEntry("encounter", encounter, label);
    await ctx.save(personEntry ? [personEntry, saved] : [saved]);
    const action = personId ? { href: `#/refer?person=${personId}&encounter=${saved.id}`,
      label: t("log.refer", { name: person.display_name }) } : null;
    flash(t("log.saved", { kind: kind.label }), action);
    ctx.go("/");
  });

  if (amend) {
    return h("div", { class: "view" }, backLink(fixing ? "#/outbox" : "#/recent",
      fixing ? t("home.outbox") : t("home.recent")), h("h1", {}, t("log.correct", { kind: kind.label })), form);
  }
  // A new encounter has no "‹ Home" above its heading: the Save bar's Cancel goes home, within the thumb's
  // reach, and the row it took keeps Outcome above the bar (docs/field-app.md).
  return h("div", { class: "view" }, entry ? backLink("#/outbox", t("home.outbox")) : null, h("h1", {}, kind.label), form);
}

// A correction goes into the outbox as an `encounter_amend` naming only the fields that changed (after a new
// person's entry, when one was added here); fixing one sent back resends it under its id.
async function saveCorrection(ctx, amend, values, { reason, person, personEntry, nothingChanged }) {
  const data = buildAmend(amend.encounter, values,
    { reason, baseVersion: amend.entry ? amend.entry.data.base_version : amend.baseVersion, sameMinute });
  if (!data) {
    nothingChanged.hidden = false;
    nothingChanged.scrollIntoView({ block: "center" });
    return;
  }
  const kind = kindByCode(values.kind);
  const label = [t("log.correction"), kind.label, person && person.display_name,
    values.call_number && t("log.callRef", { number: values.call_number })]
    .filter(Boolean).join(" · ");
  if (personEntry) await savePendingPerson(ctx.db, person);
  if (amend.entry && CORRECTION_TYPES.has(amend.entry.type)) {
    if (personEntry) await ctx.save([{ ...personEntry, seq: amend.entry.seq - 1 }]);
    await resend(ctx.db, amend.entry.id, data);
    await ctx.resent();
    flash(t("log.correctionSentAgain"));
    ctx.go("/outbox");
    return;
  }
  const saved = newEntry("encounter_amend", data, label);
  await ctx.save(personEntry ? [personEntry, saved] : [saved]);
  flash(t("log.correctionSaved"));
  ctx.go("/recent");
}
