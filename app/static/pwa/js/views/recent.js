// "My recent entries": the user's own encounters of the last 7 days, sent or not, each with its state, and the
// way to correct or void one (both go through the outbox, so they work offline). js/corrections.js holds
// the rules; docs/api.md ("Corrections on the phone") the decisions.

import { REASON_MAX, correctionProblem, encounterFromEntry, nextBaseVersion, reasonProblem, recentRows } from "../corrections.js";
import { fill, h, shortTime, uid } from "../dom.js";
import { getEncounter, listEncounters, tryRefreshRecent } from "../encounters.js";
import { listEntries, newEntry } from "../outbox.js";
import { getPerson, personLabel } from "../records.js";
import { state } from "../store.js";
import { backLink, choose, emptyNote, field, flash, showFieldErrors, takeFlash } from "../ui.js";
import { kindByCode } from "../vocabulary.js";
import * as encounterForm from "./encounter-form.js";
import { t } from "../i18n.js";

const kindLabel = (encounter) => (kindByCode(encounter.kind) || { label: encounter.kind }).label;

async function personText(db, encounter) {
  if (!encounter.person_id) return t("outbox.anonymous");
  const person = await getPerson(db, encounter.person_id);
  return person && person.display_name ? personLabel(person) : t("recent.notHere");
}

// The row of one encounter, or null when it is not (or no longer) the user's recent one.
async function findRow(db, id) {
  const rows = recentRows(await listEncounters(db), await listEntries(db));
  return rows.find((row) => row.id === id) || null;
}

// What the server said about this encounter's entry, or a correction of it, sent back to "Needs attention".
function troubleText(row) {
  if (row.pending && row.pending.state === "attention") {
    return (row.pending.error && row.pending.error.message) || t("outbox.sentBack");
  }
  const troubled = row.corrections.find((e) => e.state === "attention");
  return troubled ? correctionProblem(troubled) : null;
}

function rowItem(row, who) {
  const { encounter } = row;
  const kind = kindLabel(encounter);
  const when = shortTime(encounter.occurred_at);
  const what = t("recent.what", { kind, who, when });
  const actions = row.actionable
    ? [h("a", { class: "button secondary", href: `#/recent/${row.id}/correct` }, t("recent.correct"),
      h("span", { class: "visually-hidden" }, ` ${what}`)),
    h("a", { class: "button secondary", href: `#/recent/${row.id}/void` }, t("recent.void"),
      h("span", { class: "visually-hidden" }, ` ${what}`))]
    : row.state === "attention" ? [h("a", { class: "button secondary", href: "#/outbox" }, t("app.openOutbox"),
      h("span", { class: "visually-hidden" }, " ", t("recent.forWhat", { what })))] : [];
  return h("li", { class: `recent-item state-${row.state}`, dataset: { encounter: row.id } },
    h("p", { class: "recent-head" },
      h("span", { class: "recent-kind" }, kind),
      h("span", { class: `tag recent-state state-${row.state}` }, row.label)),
    h("p", { class: "recent-line" }, who,
      encounter.call_number ? ` · #${encounter.call_number}` : "",
      h("span", { class: "entry-time" }, ` · ${when}`)),
    encounter.voided && encounter.void_reason
      ? h("p", { class: "hint" }, t("recent.voidedBecause", { reason: encounter.void_reason })) : null,
    troubleText(row) ? h("p", { class: "server-message" }, troubleText(row)) : null,
    actions.length ? h("div", { class: "row-actions" }, actions) : null);
}

export async function renderList(ctx) {
  const body = h("div", {});
  const note = h("p", { class: "hint", role: "status" });
  const rerender = async () => {
    const rows = recentRows(await listEncounters(ctx.db), await listEntries(ctx.db));
    const items = [];
    for (const row of rows) items.push(rowItem(row, await personText(ctx.db, row.encounter)));
    fill(body, rows.length ? h("ul", { class: "recent-list" }, items)
      : emptyNote(t("recent.none")));
  };
  await rerender();
  // Fresh copies from the server when it can be reached; the list above shows at once either way.
  const refresh = async () => {
    const user = state.user;
    if (!user || !(await tryRefreshRecent(ctx.db, user.id))) {
      note.textContent = t("recent.fromPhone");
    } else {
      note.textContent = "";
    }
    await rerender();
  };
  const view = h("div", { class: "view recent" }, backLink(), takeFlash(), h("h1", {}, t("home.recent")),
    h("p", { class: "hint" }, t("recent.hint")),
    note, body);
  view.refresh = refresh;
  refresh().catch(() => {});
  return view;
}

function gone() {
  return h("div", { class: "view" }, backLink("#/recent", t("home.recent")), h("h1", {}, t("recent.gone")),
    h("p", {}, t("recent.goneHint")));
}

export async function renderCorrect(ctx, { id }) {
  const row = await findRow(ctx.db, id);
  if (!row || !row.actionable) return gone();
  const entries = await listEntries(ctx.db);
  const baseVersion = nextBaseVersion(row.pending ? null : await getEncounter(ctx.db, id), entries, id);
  return encounterForm.render(ctx, { amend: { encounter: row.encounter, baseVersion } });
}

// Fixing a correction the server sent back: the form as the encounter stands without it, filled with it.
export async function renderFixCorrection(ctx, entry) {
  const record = await getEncounter(ctx.db, entry.data.encounter_id);
  const base = record || (await listEntries(ctx.db)).find((e) => e.id === entry.data.encounter_id && e.type === "encounter");
  if (!base) return gone();
  const encounter = record || encounterFromEntry(base);
  return encounterForm.render(ctx, { amend: { encounter, baseVersion: entry.data.base_version, entry } });
}

export async function renderVoid(ctx, { id }) {
  const row = await findRow(ctx.db, id);
  if (!row || !row.actionable) return gone();
  const { encounter } = row;
  const kind = kindLabel(encounter);
  const who = await personText(ctx.db, encounter);
  const reason = h("textarea", { id: uid("void-reason"), rows: 3, maxlength: REASON_MAX, required: true, "data-field": "reason" });
  const form = h("form", { class: "entry-form", novalidate: true },
    h("p", {}, `${kind} · ${who}${encounter.call_number ? ` · #${encounter.call_number}` : ""} · ${shortTime(encounter.occurred_at)}`),
    h("p", { class: "hint" }, t("recent.voidHint")),
    field(t("recent.reason"), reason, t("recent.reasonHint")),
    h("div", { class: "form-actions" },
      h("button", { type: "submit", class: "button danger" }, t("recent.voidThis")),
      h("a", { class: "button quiet", href: "#/recent" }, t("ui.cancel"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = reasonProblem(reason.value);
    if (showFieldErrors(form, problem ? { reason: [problem] } : {})) return;
    const choice = await choose({ title: t("recent.voidTitle", { kind: kind.toLowerCase() }),
      body: [t("recent.voidWhat", { kind, who, when: shortTime(encounter.occurred_at) }), t("recent.voidBody")],
      choices: [{ label: t("outbox.keepIt"), value: "keep", tone: "secondary" },
        { label: t("recent.voidIt"), value: "void", tone: "danger" }] });
    if (choice !== "void") return;
    const label = [t("recent.void"), kind, encounter.call_number && `#${encounter.call_number}`].filter(Boolean).join(" · ");
    await ctx.save([newEntry("encounter_void", { encounter_id: encounter.id, reason: reason.value.trim() }, label)]);
    flash(t("recent.voided", { kind }));
    ctx.go("/recent");
  });
  return h("div", { class: "view" }, backLink("#/recent", t("home.recent")), h("h1", {}, t("recent.voidHeading", { kind })), form);
}
