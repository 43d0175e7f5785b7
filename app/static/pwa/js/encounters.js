// The phone's copies of the user's own recent encounters (the "encounters" store): an encounter the server
// took stays readable here, so it can be corrected or voided offline. Kept from the outbox as the server
// acknowledges entries, and refreshed from GET /encounters when the recent screen opens online.

import { ApiError, NetworkError, api } from "./api.js";
import { applyAmend, applyVoid, encounterFromEntry, isRecent, recentSince } from "./corrections.js";
import { getAll, getOne, putAll, requestResult, transact } from "./idb.js";

export const ENCOUNTER_ENTRY_TYPES = new Set(["encounter", "encounter_amend", "encounter_void"]);

export const listEncounters = (db) => getAll(db, "encounters");
export const getEncounter = (db, id) => getOne(db, "encounters", id);
export const saveEncounters = (db, records) => putAll(db, "encounters", records);

// The server took this entry: it leaves the outbox and the phone's copy follows, in one transaction (in
// between, the recent screen would see neither the entry nor its effect).
export function acknowledgeEncounterEntry(db, entry, at = new Date().toISOString()) {
  return transact(db, ["outbox", "encounters"], "readwrite", async (s) => {
    s.outbox.delete(entry.id);
    if (entry.type === "encounter") {
      // A replay the server answered "duplicate" may find a newer copy already here: keep that one.
      if (!(await requestResult(s.encounters.get(entry.id)))) s.encounters.put(encounterFromEntry(entry));
      return;
    }
    const record = await requestResult(s.encounters.get(entry.data.encounter_id));
    if (!record) return;
    s.encounters.put(entry.type === "encounter_void" ? applyVoid(record, entry.data) : applyAmend(record, entry.data, at));
  });
}

// Pages of GET /encounters?author_id= (the user's own) since the start of the recent window. The server lists
// no voided encounter to an officer: a copy the list leaves out is asked for by id (voided, or gone: 404).
export async function refreshRecent(db, userId, now = new Date()) {
  const fetched = new Map();
  for (let page = 1; page <= 10; page += 1) {
    const body = await api(`/encounters?author_id=${userId}&from=${encodeURIComponent(recentSince(now))}&per_page=200&page=${page}`);
    for (const record of body.items || []) if (record.author_id === userId) fetched.set(record.id, record);
    if (page >= (body.pages || 1)) break;
  }
  const held = await listEncounters(db);
  const gone = [];
  for (const record of held) {
    if (fetched.has(record.id)) continue;
    if (!isRecent(record.occurred_at, now)) {
      gone.push(record.id); // out of the window: the phone keeps no more than the screen shows
      continue;
    }
    if (record.voided) continue;
    try {
      fetched.set(record.id, await api(`/encounters/${record.id}`));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) gone.push(record.id);
      else throw error;
    }
  }
  await transact(db, "encounters", "readwrite", (s) => {
    for (const id of gone) s.encounters.delete(id);
    for (const record of fetched.values()) s.encounters.put(record);
  });
  return fetched.size;
}

// The refresh as the screen wants it: true when done, false when offline or refused (the copies stay).
export async function tryRefreshRecent(db, userId) {
  try {
    await refreshRecent(db, userId);
    return true;
  } catch (error) {
    if (error instanceof NetworkError || error instanceof ApiError) return false;
    throw error;
  }
}
