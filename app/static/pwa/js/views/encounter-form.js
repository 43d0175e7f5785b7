// Logging one encounter: only the fields its kind needs; "Save" puts it in the outbox at once.
// Also used to fix an entry the server sent back ("Needs attention") and send it again.

import { h, localInputValue, rfc3339, uid } from "../dom.js";
import { newEntry, resend } from "../outbox.js";
import { savePendingPerson, sites as listSites } from "../records.js";
import { backLink, checkedValues, field, flash, showFieldErrors, toggles } from "../ui.js";
import { NEEDS, OUTCOMES, RISK_FLAGS, kindByCode } from "../vocabulary.js";
import { personPicker } from "./person-picker.js";
import { triagePanel } from "./triage-panel.js";

function siteSelect(sites, selected) {
  const select = h("select", { id: uid("site"), required: true, "data-field": "site_id" },
    h("option", { value: "" }, "Choose the site"),
    sites.map((s) => h("option", { value: String(s.id) }, s.name)));
  if (selected) select.value = String(selected);
  return select;
}

function serverProblem(entry) {
  if (!entry || !entry.error) return null;
  return h("div", { class: "problem", role: "alert" },
    h("p", {}, h("strong", {}, "The server did not accept this entry: "), entry.error.message));
}

// `params`: {kind} for a new encounter (and ?person=), or {entry} to fix one from the outbox.
export async function render(ctx, { kind: kindCode, query, entry }) {
  const data = entry ? entry.data : {};
  const kind = kindByCode(entry ? data.kind : kindCode);
  if (!kind) return h("div", { class: "view" }, backLink(), h("h1", {}, "Unknown kind of encounter"));

  const when = h("input", { type: "datetime-local", id: uid("when"), required: true, "data-field": "occurred_at",
    value: localInputValue(data.occurred_at ? new Date(data.occurred_at) : new Date()) });
  const callNumber = kind.callNumber ? h("input", { type: "text", id: uid("call"), required: true, autocomplete: "off",
    maxlength: 40, "data-field": "call_number", value: data.call_number || "" }) : null;
  const site = kind.site ? siteSelect(await listSites(ctx.db), data.site_id) : null;
  const picker = await personPicker(ctx.db, { personId: data.person_id || (query && query.get("person")) || null });
  const notes = h("textarea", { id: uid("notes"), rows: 3, maxlength: 4000, "data-field": "notes", value: data.notes || "" });

  const actions = h("div", { class: "form-actions" },
    h("button", { type: "submit", class: "button primary" }, entry ? "Save and send again" : "Save"),
    h("a", { class: "button quiet", href: entry ? "#/outbox" : "#/" }, "Cancel"));
  const form = h("form", { class: "entry-form", novalidate: true },
    serverProblem(entry),
    kind.callNumber ? field("Call number", callNumber, "The dispatch event number.") : null,
    kind.site ? field("Site", site) : null,
    picker.element,
    toggles("Needs", "needs", NEEDS, data.needs || []),
    toggles("Risk flags", "risk_flags", RISK_FLAGS, data.risk_flags || []),
    toggles("Outcome", "outcome", OUTCOMES, data.outcome || []),
    field("Notes (optional)", notes),
    field("When", when),
    actions);
  // The level stays in sight in the Save bar; the panel with the reasons and agencies follows the risk flags.
  const triage = await triagePanel(ctx.db, form, { chosen: data.triage_level });
  form.querySelector('[data-field="risk_flags"]').after(triage.element);
  actions.prepend(triage.sticky);
  triage.update();

  if (entry && entry.error && entry.error.fields) showFieldErrors(form, entry.error.fields);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problems = { ...picker.problems() };
    if (callNumber && !callNumber.value.trim()) problems.call_number = ["Give the call number."];
    if (site && !site.value) problems.site_id = ["Choose the site."];
    if (!when.value) problems.occurred_at = ["Give the time it happened."];
    if (showFieldErrors(form, problems)) return;

    const { personId, person, entry: personEntry } = picker.resolve();
    const encounter = { kind: kind.code, occurred_at: rfc3339(new Date(when.value)),
      needs: checkedValues(form, "needs"), risk_flags: checkedValues(form, "risk_flags"),
      outcome: checkedValues(form, "outcome") };
    if (triage.chosenLevel()) encounter.triage_level = triage.chosenLevel();
    if (personId) encounter.person_id = personId;
    if (callNumber) encounter.call_number = callNumber.value.trim();
    if (site) encounter.site_id = Number(site.value);
    if (notes.value.trim()) encounter.notes = notes.value.trim();
    const label = [kind.label, person && person.display_name, callNumber && `#${encounter.call_number}`]
      .filter(Boolean).join(" · ");

    if (personEntry) await savePendingPerson(ctx.db, person);
    if (entry) {
      // The new person must reach the server before the encounter that names them.
      if (personEntry) await ctx.save([{ ...personEntry, seq: entry.seq - 1 }]);
      await resend(ctx.db, entry.id, encounter);
      await ctx.resent();
      flash(`${kind.label} sent again.`);
      ctx.go("/outbox");
      return;
    }
    const saved = newEntry("encounter", encounter, label);
    await ctx.save(personEntry ? [personEntry, saved] : [saved]);
    const action = personId ? { href: `#/refer?person=${personId}&encounter=${saved.id}`,
      label: `Refer ${person.display_name} to an agency` } : null;
    flash(`${kind.label} saved on this phone. It will sync by itself.`, action);
    ctx.go("/");
  });

  return h("div", { class: "view" }, backLink(entry ? "#/outbox" : "#/", entry ? "Outbox" : "Home"),
    h("h1", {}, kind.label), form);
}
