// Case management on the phone: the cases kept offline, each case's last loaded view (goals, notes,
// transitions, timeline, encounters per month), and what the outbox still holds for a case. Every change
// is a sync entry (case_intake, case_goal, case_goal_update, case_note, case_transition, case_closure)
// that carries its case's id beside the data, so a case's unsent changes can be shown with it.

import { ApiError, NetworkError, api } from "./api.js";
import { getAll, getOne, putAll } from "./idb.js";
import { listEntries, newEntry } from "./outbox.js";
import { getMeta, setMeta } from "./records.js";
import { t } from "./i18n.js";

const STAGE = { open: 0, transitioned: 1, closed: 2 };
const PAGES = 10;

// An outbox entry for a case; `case_id` stays on the phone (the server only gets id, type and data).
export const caseEntry = (caseId, type, data, label) => ({ ...newEntry(type, data, label), case_id: caseId });

export async function unsentFor(db, caseId) {
  return (await listEntries(db)).filter((e) => e.case_id === caseId);
}

export const getCase = (db, id) => getOne(db, "cases", id);

export function saveLocalCase(db, record) {
  return putAll(db, "cases", [{ ...record, pending: true }]);
}

// A case's status with this phone's unsent transitions and closure applied (not those the server refused).
export function effectiveStatus(record, entries) {
  let status = record.status;
  for (const e of entries) {
    if (e.case_id !== record.id || e.state !== "waiting") continue;
    if (e.type === "case_closure") status = "closed";
    else if (e.type === "case_transition" && status !== "closed") status = "transitioned";
  }
  return status;
}

// The cases on this phone with their effective status, most recently opened first.
export async function casesOnPhone(db) {
  const entries = await listEntries(db);
  const all = await getAll(db, "cases");
  return all.map((c) => ({ ...c, status: effectiveStatus(c, entries),
    unsent: entries.some((e) => e.case_id === c.id && e.state === "waiting"),
    attention: entries.some((e) => e.case_id === c.id && e.state === "attention") }))
    .sort((a, b) => (b.opened_at || "").localeCompare(a.opened_at || ""));
}

// The person's case that is not closed, if the phone knows one.
export async function activeCaseOf(db, personId) {
  return (await casesOnPhone(db)).find((c) => c.person_id === personId && c.status !== "closed") || null;
}

// GET /cases (every page, up to a limit) into the phone's copy; {stale, reason} when it could not be loaded.
export async function refreshCaseList(db) {
  try {
    for (let page = 1; page <= PAGES; page += 1) {
      const body = await api(`/cases?per_page=200&page=${page}`);
      await putAll(db, "cases", body.items);
      if (page >= body.pages) break;
    }
    await setMeta(db, "cases_at", new Date().toISOString());
    return { stale: false };
  } catch (error) {
    if (!(error instanceof NetworkError || error instanceof ApiError)) throw error;
    return { stale: true, reason: error instanceof NetworkError ? t("cases.offline") : error.message,
      at: await getMeta(db, "cases_at") };
  }
}

// What GET /cases/<id> adds to the case itself: kept under the case's meta key, not in the "cases" store.
const DETAIL_ONLY = ["goals", "case_notes", "transitions", "timeline", "encounters_per_month"];

function caseFields(detail) {
  const record = { ...detail };
  for (const key of DETAIL_ONLY) delete record[key];
  return record;
}

// The case view's data: GET /cases/<id> when online (kept for offline), else the last copy loaded, with the
// case's own fields from whichever copy on the phone is further along. Null when the phone has nothing.
export async function loadCase(db, id) {
  const key = `case:${id}`;
  const local = await getCase(db, id);
  try {
    const detail = await api(`/cases/${encodeURIComponent(id)}?months=12`);
    const kept = { fetched_at: new Date().toISOString(), detail };
    await setMeta(db, key, kept);
    await putAll(db, "cases", [caseFields(detail)]);
    return { ...kept, stale: false };
  } catch (error) {
    if (!(error instanceof NetworkError || error instanceof ApiError)) throw error;
    const kept = await getMeta(db, key);
    const reason = error instanceof NetworkError ? t("cases.offline")
      : error.status === 404 ? t("cases.notOnServer") : error.message;
    if (!kept && !local) return null;
    if (!kept) return { detail: { ...local, goals: [], case_notes: [], transitions: [] }, stale: true, reason, fetched_at: null };
    const further = local && !local.pending && STAGE[local.status] > STAGE[kept.detail.status] ? local : {};
    return { ...kept, detail: { ...kept.detail, ...caseFields(further) }, stale: true, reason };
  }
}

// The case as this phone knows it: the server's copy with the outbox's unsent changes on top. Entries the
// server sent back ("Needs attention") change nothing here; they are counted for a notice instead.
export function withUnsent(detail, entries) {
  const goals = (detail.goals || []).map((g) => ({ ...g }));
  const notes = [...(detail.case_notes || [])];
  const transitions = [...(detail.transitions || [])];
  const closure = {};
  let attention = 0;
  for (const e of entries) {
    if (e.state !== "waiting") {
      attention += 1;
      continue;
    }
    const d = e.data;
    if (e.type === "case_goal") {
      goals.push({ id: e.id, description: d.description, status: d.status || "set", target_date: d.target_date || null,
        set_at: d.set_at, history: [], unsent: true });
    } else if (e.type === "case_goal_update") {
      const goal = goals.find((g) => g.id === d.goal_id);
      if (goal) Object.assign(goal, { status: d.status, unsent: true });
    } else if (e.type === "case_note") {
      notes.push({ id: e.id, body: d.body, at: d.at, author_id: null, unsent: true });
    } else if (e.type === "case_transition") {
      transitions.push({ id: e.id, agency_id: d.agency_id, program: d.program, transitioned_at: d.transitioned_at, unsent: true });
    } else if (e.type === "case_closure") {
      Object.assign(closure, { closed_at: d.closed_at, close_reason: d.reason });
    }
  }
  const status = effectiveStatus(detail, entries);
  notes.sort((a, b) => (a.at || "").localeCompare(b.at || ""));
  return { ...detail, ...closure, status, goals, case_notes: notes, transitions, attention,
    unsent: entries.some((e) => e.state === "waiting") };
}

// Goal moves the server allows: set → in progress | met | dropped; in progress → met | dropped.
export const GOAL_MOVES = { set: ["in_progress", "met", "dropped"], in_progress: ["met", "dropped"], met: [], dropped: [] };
