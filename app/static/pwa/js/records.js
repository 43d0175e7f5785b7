// Offline copies of what the user needs in the field: reference data, recent persons and referrals,
// pulled from GET /sync/changes and refreshed whenever the phone is online.

import { ApiError, api } from "./api.js";
import { getAll, getOne, putAll, requestResult, transact } from "./idb.js";
import { keptFor, mergesIn, repointEntry, repointRecord } from "./persons.js";
import { t } from "./i18n.js";

const FEEDS = ["agencies", "sites", "teams", "persons", "referrals", "cases"];

export async function getMeta(db, key) {
  const record = await getOne(db, "meta", key);
  return record ? record.value : null;
}

export function setMeta(db, key, value) {
  return putAll(db, "meta", [{ key, value }]);
}

// Pulls every page of changes since the stored cursor; returns how many records arrived.
export async function pullChanges(db) {
  let cursor = await getMeta(db, "changes_cursor");
  let received = 0;
  for (let page = 0; page < 50; page += 1) {
    const query = cursor ? `?since=${encodeURIComponent(cursor)}` : "";
    let body;
    try {
      body = await api(`/sync/changes${query}`);
    } catch (error) {
      // A cursor the server no longer knows (a restored database): start again from everything.
      if (!(cursor && error instanceof ApiError && error.status === 400)) throw error;
      cursor = null;
      continue;
    }
    await transact(db, [...FEEDS, "meta", "outbox", "encounters"], "readwrite", async (s) => {
      for (const feed of FEEDS) {
        for (const record of body[feed] || []) {
          s[feed].put(record);
          received += 1;
        }
      }
      await followMerges(s, mergesIn(body.persons));
      // The rule file comes with the full snapshot only: the phone keeps it to triage offline.
      if (body.triage_rules) s.meta.put({ key: "triage_rules", value: body.triage_rules });
      s.meta.put({ key: "changes_cursor", value: body.cursor });
      s.meta.put({ key: "changes_at", value: new Date().toISOString() });
    });
    cursor = body.cursor;
    if (!body.has_more) break;
  }
  // A phone that took its snapshot before the rules were part of it asks for them once.
  if (!(await getMeta(db, "triage_rules"))) await setMeta(db, "triage_rules", await api("/triage/rules"));
  return received;
}

// Persons merged on the server (they came with `merged_into`): the phone drops its copy of the duplicate,
// and what it holds naming the duplicate names the kept person instead: its referrals, cases and own recent
// encounters, and its unsent entries (same ids, same order: the server still sees each entry once). In the one transaction
// that stored the page, so no screen sees a half-followed merge. The merges are remembered (meta
// "merged_persons") so a link to the duplicate leads to the kept person.
async function followMerges(s, merges) {
  if (!Object.keys(merges).length) return;
  const known = { ...((await requestResult(s.meta.get("merged_persons"))) || { value: {} }).value, ...merges };
  for (const id of Object.keys(merges)) s.persons.delete(id);
  for (const store of ["referrals", "cases", "encounters"]) {
    for (const record of await requestResult(s[store].getAll())) {
      const next = repointRecord(record, known);
      if (next !== record) s[store].put(next);
    }
  }
  for (const entry of await requestResult(s.outbox.getAll())) {
    const next = repointEntry(entry, known);
    if (next !== entry) s.outbox.put(next);
  }
  s.meta.put({ key: "merged_persons", value: known });
}

// The person an id now stands for on this phone: itself, or the person kept when it was merged.
export async function currentPersonId(db, id) {
  return keptFor(id, (await getMeta(db, "merged_persons")) || {});
}

const byName = (a, b) => (a.name || "").localeCompare(b.name || "");

// The agencies one may choose (active ones); `includeInactive` for naming those on old records, which a
// deactivated agency stays on.
export async function agencies(db, { includeInactive = false } = {}) {
  return (await getAll(db, "agencies")).filter((a) => includeInactive || a.active !== false).sort(byName);
}

export async function sites(db) {
  return (await getAll(db, "sites")).filter((s) => s.active !== false).sort(byName);
}

export async function teams(db) {
  return (await getAll(db, "teams")).sort(byName);
}

export const getPerson = (db, id) => getOne(db, "persons", id);
export const getReferral = (db, id) => getOne(db, "referrals", id);

export function savePendingPerson(db, person) {
  return putAll(db, "persons", [{ ...person, pending: true }]);
}

export function saveRecords(db, store, records) {
  return putAll(db, store, records);
}

function fold(text) {
  return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

export function personLabel(person) {
  if (!person) return t("person.unknown");
  const legal = [person.given_name, person.family_name].filter(Boolean).join(" ");
  return legal && legal !== person.display_name ? `${person.display_name} (${legal})` : person.display_name;
}

// A person as the screens name them: masked when the agency has no consent, or not on this phone at all.
export function personName(person, referral = null) {
  if (person && person.display_name) return personLabel(person);
  if (referral && referral.person && referral.person.display_name) return personLabel(referral.person);
  return person || referral ? t("person.notShared") : t("person.notHere");
}

// Search by alias or name, on the phone (no network, no audit trail needed for the user's own copies).
export async function searchPersons(db, query, limit = 20) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const all = await getAll(db, "persons");
  const hits = all.filter((p) => {
    const text = fold([p.display_name, p.given_name, p.family_name, p.description, ...(p.aliases || [])].join(" "));
    return words.every((w) => text.includes(w));
  });
  hits.sort((a, b) => (b.received_at || "~").localeCompare(a.received_at || "~") || byName(a, b));
  return hits.slice(0, limit);
}

export async function referralsWhere(db, predicate) {
  const all = await transact(db, "referrals", "readonly", (s) => requestResult(s.referrals.getAll()));
  return all.filter(predicate).sort((a, b) => (b.made_at || b.received_at || "").localeCompare(a.made_at || a.received_at || ""));
}
