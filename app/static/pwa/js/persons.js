// People as records that stay true, with no IndexedDB and no fetch (tests/js/persons.test.mjs runs them in
// node): what a merge on the server means for what the phone holds, what an edit changes, and how the
import { t } from "./i18n.js";
// phone's search and the server's are put together.

// Entry types whose `person_id` names the person the entry is about (all of them follow a merge).
export const NAMES_A_PERSON = new Set(["encounter", "referral", "case_intake", "person_update", "encounter_amend", "situation"]);

// Fields a user who sees the person masked (an agency without consent) may not set.
export const IDENTIFYING = ["display_name", "given_name", "family_name", "birth_year", "description", "aliases"];
export const EDITABLE = [...IDENTIFYING, "gender", "consent_to_share"];

export const MAX_ALIASES = 10;
export const MAX_ALIAS_LENGTH = 80;

// {duplicate id: kept id} from persons the server sent with `merged_into`.
export function mergesIn(persons) {
  const merges = {};
  for (const person of persons || []) {
    if (person && person.merged_into) merges[person.id] = person.merged_into;
  }
  return merges;
}

// Follows merges to the end (a kept person may itself have been merged since).
export function keptFor(id, merges) {
  let current = id;
  for (let step = 0; step < 20 && merges[current]; step += 1) current = merges[current];
  return current;
}

// An outbox entry naming a merged person, re-pointed to the kept one. The id, sequence and state stay as
// they are: the entry is the same entry (exactly once still holds), only the person it names moved.
// Returns the entry itself when it names no merged person.
export function repointEntry(entry, merges) {
  const data = entry && entry.data;
  if (!data || !NAMES_A_PERSON.has(entry.type) || !data.person_id) return entry;
  const kept = keptFor(data.person_id, merges);
  if (kept === data.person_id) return entry;
  return { ...entry, data: { ...data, person_id: kept } };
}

// A record the phone holds (a referral, a case) naming a merged person, re-pointed; itself otherwise.
export function repointRecord(record, merges) {
  if (!record || !record.person_id) return record;
  const kept = keptFor(record.person_id, merges);
  return kept === record.person_id ? record : { ...record, person_id: kept };
}

// The person as the user may see them: false when the server withheld the identity (no consent).
export const identityShown = (person) => Boolean(person) && person.identity_shared !== false;

// Aliases as the server takes them: trimmed, no blanks, no repeats (compared without case), at most 10.
export function cleanAliases(aliases) {
  const seen = new Set();
  const out = [];
  for (const raw of aliases || []) {
    const alias = String(raw || "").trim().slice(0, MAX_ALIAS_LENGTH);
    if (!alias || seen.has(alias.toLowerCase())) continue;
    seen.add(alias.toLowerCase());
    out.push(alias);
  }
  return out.slice(0, MAX_ALIASES);
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// The fields of `form` that differ from `person` (only those go in the person_update entry), limited to
// what this user may set: `gender` alone when they see the person masked.
export function changedFields(person, form) {
  const allowed = identityShown(person) ? EDITABLE : ["gender"];
  const changes = {};
  for (const name of allowed) {
    if (!(name in form)) continue;
    const before = name === "aliases" ? cleanAliases(person[name]) : person[name];
    if (!same(before ?? (name === "aliases" ? [] : null), form[name])) changes[name] = form[name];
  }
  return changes;
}

// The person_update entry's data: the changes, on the version the phone holds.
export function updateData(person, changes) {
  return { person_id: person.id, base_version: person.version || 1, ...changes };
}

// The phone's copy after queuing a change: the fields as changed, and the version the server will give
// it once the change applies (so a second change made offline is made on that version).
export function locallyChanged(person, changes) {
  return { ...person, ...changes, version: (person.version || 1) + 1 };
}

// What the phone keeps of a person the server sent (GET /persons/<id>, a search hit, a merge answer): the
// person's own fields, not the timeline's lists, the history, or the search screen's mark.
const NOT_KEPT = new Set(["encounters", "referrals", "cases", "history", "remote"]);
export const personRecord = (body) => Object.fromEntries(Object.entries(body).filter(([k]) => !NOT_KEPT.has(k)));

// The phone's hits first, then the server's that the phone does not hold, marked `remote`.
export function mergeSearch(local, remote) {
  const held = new Set(local.map((p) => p.id));
  return [...local, ...(remote || []).filter((p) => p && !p.merged_into && !held.has(p.id)).map((p) => ({ ...p, remote: true }))];
}

const FIELD_WORDS = {
  display_name: t("person.f_display_name"), given_name: t("person.f_given_name"),
  family_name: t("person.f_family_name"), birth_year: t("person.f_birth_year"), gender: t("person.f_gender"),
  description: t("person.f_description"), aliases: t("person.f_aliases"),
  consent_to_share: t("person.f_consent_to_share"), consent_recorded_at: t("person.f_consent_recorded_at"),
};

export function fieldWords(names) {
  const words = names.map((n) => FIELD_WORDS[n] || n.replace(/_/g, " "));
  if (words.length < 2) return words[0] || "";
  return t("person.and", { list: words.slice(0, -1).join(", "), last: words[words.length - 1] });
}

// A person_update conflict in plain words: which of the user's changes met someone else's.
export function personConflictMessage(entry, current) {
  const mine = Object.keys(entry.data || {}).filter((n) => n !== "person_id" && n !== "base_version");
  const base = entry.data ? entry.data.base_version : 0;
  // The server's history names the fields changed since; without it, the fields now different from mine.
  const theirs = current && current.history
    ? new Set(current.history.filter((c) => c.version > base).flatMap((c) => c.fields || []))
    : new Set(mine.filter((n) => current && n in current && !same(current[n], entry.data[n])));
  const both = mine.filter((n) => theirs.has(n));
  return both.length ? t("person.conflictFields", { fields: fieldWords(both) }) : t("person.conflict");
}

const REASONS = {
  same_name: t("person.r_same_name"), similar_name: t("person.r_similar_name"), shared_alias: t("person.r_shared_alias"),
  alias_is_name: t("person.r_alias_is_name"), same_birth_year: t("person.r_same_birth_year"),
  birth_year_within_1: t("person.r_birth_year_within_1"),
};

export const reasonWords = (code) => REASONS[code] || code.replace(/_/g, " ");
