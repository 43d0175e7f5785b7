// Correcting and voiding one's own encounters (docs/api.md, "Encounter corrections"): which encounters are
// recent, what state each is in, how an `encounter_amend` entry is built and how the phone's copy follows
import { t } from "./i18n.js";
// it. No IndexedDB, no DOM and no fetch here, so the rules run in node (tests/js/corrections.test.mjs).

export const RECENT_DAYS = 7;
export const CORRECTION_TYPES = new Set(["encounter_amend", "encounter_void"]);
export const REASON_MAX = 400;

// Every field the phone's encounter form sets, as an amendment may send it.
const FORM_FIELDS = ["kind", "occurred_at", "person_id", "call_number", "site_id", "needs", "risk_flags",
  "outcome", "triage_level", "notes"];
const LIST_FIELDS = new Set(["needs", "risk_flags", "outcome"]);

const DAY_MS = 24 * 60 * 60 * 1000;

// Recent: it happened in the last RECENT_DAYS days (a time a little ahead of the phone's clock counts too).
export function isRecent(occurredAt, now = new Date()) {
  const at = Date.parse(occurredAt);
  return Number.isFinite(at) && at >= now.getTime() - RECENT_DAYS * DAY_MS;
}

// The `from` of GET /encounters for the recent list.
export const recentSince = (now = new Date()) => new Date(now.getTime() - RECENT_DAYS * DAY_MS).toISOString();

// A new encounter as the server records it (version 1, not voided), from the outbox entry that made it.
export function encounterFromEntry(entry) {
  return { triage_level: null, person_id: null, notes: null, ...entry.data, id: entry.id, version: 1, voided: false,
    void_reason: null, amendments: [] };
}

// The encounter once this amendment is applied (what the server does with the fields it names).
export function applyAmend(encounter, data, at = new Date().toISOString()) {
  const fields = { ...data };
  const { reason } = data;
  for (const name of ["encounter_id", "base_version", "reason"]) delete fields[name];
  const version = (encounter.version || 1) + 1;
  return { ...encounter, ...fields, version,
    amendments: [...(encounter.amendments || []), { version, at, reason, fields: Object.keys(fields).sort() }] };
}

export function applyVoid(encounter, data) {
  return { ...encounter, voided: true, void_reason: data.reason, version: (encounter.version || 1) + 1 };
}

export function applyCorrection(encounter, entry) {
  if (entry.type === "encounter_amend") return applyAmend(encounter, entry.data, entry.created_at);
  if (entry.type === "encounter_void") return applyVoid(encounter, entry.data);
  return encounter;
}

// The corrections of one encounter still in the outbox, in sending order.
export const correctionsOf = (entries, encounterId) =>
  entries.filter((e) => CORRECTION_TYPES.has(e.type) && e.data.encounter_id === encounterId);

// The version a new correction is made on: the phone's copy (1 for an encounter not sent yet), plus one for
// each correction queued before it that the server will apply first (the outbox sends in order). A
// correction waiting in "Needs attention" was not applied, so it does not count.
export function nextBaseVersion(record, entries, encounterId) {
  const queued = correctionsOf(entries, encounterId).filter((e) => e.state === "waiting").length;
  return (record ? record.version || 1 : 1) + queued;
}

const sameList = (a, b) => {
  const x = [...(a || [])].sort();
  const y = [...(b || [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};
const blank = (value) => (value === undefined || value === "" ? null : value);

// The fields `values` (the form, every field it shows) changes on `original`: only those go in the amendment.
// `sameMinute(a, b)` says whether two times read the same on the form (it shows minutes, the record seconds).
export function amendChanges(original, values, { sameMinute = (a, b) => a === b } = {}) {
  const changes = {};
  for (const name of FORM_FIELDS) {
    if (!(name in values)) continue;
    const was = original[name];
    const now = values[name];
    if (LIST_FIELDS.has(name)) {
      if (!sameList(was, now)) changes[name] = [...(now || [])];
    } else if (name === "occurred_at") {
      if (now && !(was && sameMinute(was, now))) changes[name] = now;
    } else if (name === "triage_level") {
      // Only a level chosen by hand is sent; none chosen leaves the server's (it follows the needs).
      if (now !== null && now !== undefined && now !== was) changes[name] = now;
    } else if (blank(was) !== blank(now)) {
      changes[name] = blank(now);
    }
  }
  return changes;
}

// The `encounter_amend` entry's data; null when nothing would change.
export function buildAmend(original, values, { reason, baseVersion, sameMinute } = {}) {
  const changes = amendChanges(original, values, { sameMinute });
  if (!Object.keys(changes).length) return null;
  return { encounter_id: original.id, base_version: baseVersion, reason: reason.trim(), ...changes };
}

export function reasonProblem(reason) {
  const text = (reason || "").trim();
  if (!text) return t("fix.why");
  if (text.length > REASON_MAX) return t("fix.atMost", { max: REASON_MAX });
  return null;
}

// The user's recent encounters: the phone's copies (synced) with the outbox on top (not sent yet, and
// corrections waiting). Each row: {id, encounter (as it will be once the outbox is sent), state, label,
// pending (the outbox entry that makes it, if not sent), corrections, actionable}. Newest first.
export function recentRows(records, entries, now = new Date()) {
  const rows = new Map();
  for (const record of records) rows.set(record.id, { id: record.id, base: record, pending: null });
  for (const entry of entries) {
    if (entry.type === "encounter") rows.set(entry.id, { id: entry.id, base: encounterFromEntry(entry), pending: entry });
  }
  const out = [];
  for (const row of rows.values()) {
    const corrections = correctionsOf(entries, row.id);
    const encounter = corrections.filter((e) => e.state === "waiting").reduce(applyCorrection, row.base);
    if (!isRecent(encounter.occurred_at, now) && !isRecent(row.base.occurred_at, now)) continue;
    out.push({ ...row, encounter, corrections, ...rowState(row, corrections, encounter) });
  }
  return out.sort((a, b) => (b.encounter.occurred_at || "").localeCompare(a.encounter.occurred_at || ""));
}

// {state: a code, label: the words the screen shows, actionable: may it be corrected or voided now}.
function rowState(row, corrections, encounter) {
  const troubled = corrections.find((e) => e.state === "attention");
  if (row.pending && row.pending.state === "attention") return { state: "attention", label: t("fix.attention"), actionable: false };
  if (troubled) return { state: "attention", label: t("fix.corrAttention"), actionable: false };
  const waitingVoid = corrections.some((e) => e.type === "encounter_void" && e.state === "waiting");
  const waitingAmend = corrections.some((e) => e.type === "encounter_amend" && e.state === "waiting");
  if (waitingVoid) return { state: "void_waiting", label: t("fix.voidWaiting"), actionable: false };
  if (row.base.voided) return { state: "voided", label: t("fix.voided"), actionable: false };
  if (row.pending) return { state: "waiting", label: waitingAmend ? t("fix.waitingCorrected") : t("fix.waiting"), actionable: true };
  if (waitingAmend) return { state: "correction_waiting", label: t("fix.corrWaiting"), actionable: true };
  if ((encounter.amendments || []).length) return { state: "corrected", label: t("fix.corrected"), actionable: true };
  return { state: "synced", label: t("fix.synced"), actionable: true };
}

// What went wrong with a correction the server sent back, in plain words.
export function correctionProblem(entry) {
  const error = entry.error || {};
  const current = entry.current || {};
  const what = entry.type === "encounter_void" ? t("fix.theVoid") : t("fix.theCorrection");
  if (error.code === "invalid_transition" || current.voided) {
    return t("fix.wasVoided", { what });
  }
  if (error.code === "conflict") {
    return t("fix.conflict");
  }
  if (error.code === "not_found") {
    return t("fix.notFound", { what });
  }
  if (error.code === "forbidden") {
    return t("fix.forbidden", { what });
  }
  if (error.code === "validation_error") {
    return t("fix.invalid", { what, message: error.message || t("fix.checkFields") });
  }
  return error.message || t("sync.notAccepted");
}
