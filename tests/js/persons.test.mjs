// People on the phone without IndexedDB or fetch: re-pointing what the phone holds after a merge on the
// server, what an edit sends, how the phone's search and the server's come together, conflicts in words.

import assert from "node:assert/strict";
import { test } from "node:test";

import { newEntry } from "../../app/static/pwa/js/outbox.js";
import {
  changedFields, cleanAliases, keptFor, locallyChanged, mergeSearch, mergesIn, personConflictMessage, repointEntry,
  repointRecord, updateData,
} from "../../app/static/pwa/js/persons.js";
import { conflictMessage } from "../../app/static/pwa/js/batches.js";

const DUP = "11111111-1111-4111-8111-111111111111";
const KEPT = "22222222-2222-4222-8222-222222222222";
const OTHER = "33333333-3333-4333-8333-333333333333";

test("only persons that came back with merged_into count as merges", () => {
  assert.deepEqual(mergesIn([{ id: DUP, merged_into: KEPT }, { id: KEPT, merged_into: null }, { id: OTHER }]), { [DUP]: KEPT });
  assert.deepEqual(mergesIn(undefined), {});
});

test("a merge chain is followed to the person kept last", () => {
  assert.equal(keptFor(DUP, { [DUP]: KEPT, [KEPT]: OTHER }), OTHER);
  assert.equal(keptFor(OTHER, { [DUP]: KEPT }), OTHER);
});

test("a pending entry naming the duplicate is re-pointed and stays the same entry (same id, place, state)", () => {
  const entry = newEntry("encounter", { kind: "interaction", person_id: DUP, needs: ["food"] }, "Interaction");
  const moved = repointEntry(entry, { [DUP]: KEPT });
  assert.equal(moved.data.person_id, KEPT);
  assert.deepEqual({ ...moved, data: { ...moved.data, person_id: DUP } }, entry);
  assert.equal(entry.data.person_id, DUP, "the entry given is not changed in place");
});

test("every entry type naming a person follows the merge; others and other people are left as they are", () => {
  const merges = { [DUP]: KEPT };
  for (const type of ["referral", "case_intake", "person_update", "encounter_amend"]) {
    assert.equal(repointEntry(newEntry(type, { person_id: DUP }), merges).data.person_id, KEPT, type);
  }
  const other = newEntry("encounter", { person_id: OTHER });
  assert.equal(repointEntry(other, merges), other);
  const anonymous = newEntry("encounter", { kind: "interaction" });
  assert.equal(repointEntry(anonymous, merges), anonymous);
  const referralUpdate = newEntry("referral_update", { referral_id: DUP, status: "accepted" });
  assert.equal(repointEntry(referralUpdate, merges), referralUpdate);
});

test("records held on the phone (referrals, cases) name the kept person", () => {
  assert.deepEqual(repointRecord({ id: "r", person_id: DUP, status: "pending" }, { [DUP]: KEPT }),
    { id: "r", person_id: KEPT, status: "pending" });
  const untouched = { id: "c", person_id: OTHER };
  assert.equal(repointRecord(untouched, { [DUP]: KEPT }), untouched);
});

test("aliases are trimmed, kept once (without case), at most 10 of at most 80 characters", () => {
  assert.deepEqual(cleanAliases([" Sparrow ", "sparrow", "", "Bird"]), ["Sparrow", "Bird"]);
  assert.equal(cleanAliases(Array.from({ length: 14 }, (_, i) => `a${i}`)).length, 10);
  assert.equal(cleanAliases(["x".repeat(100)])[0].length, 80);
});

test("an edit sends only what changed, on the version the phone holds", () => {
  const person = { id: KEPT, version: 3, identity_shared: true, display_name: "Sparrow", aliases: ["Bird"],
    birth_year: 1980, gender: null, consent_to_share: false };
  const form = { display_name: "Sparrow", aliases: ["Bird", "Sparky"], birth_year: 1980, gender: null,
    given_name: null, family_name: null, description: null, consent_to_share: false };
  const changes = changedFields(person, form);
  assert.deepEqual(changes, { aliases: ["Bird", "Sparky"] });
  assert.deepEqual(updateData(person, changes), { person_id: KEPT, base_version: 3, aliases: ["Bird", "Sparky"] });
  // A second change made offline is made on the version the first one will give the person.
  assert.equal(locallyChanged(person, changes).version, 4);
});

test("someone who sees the person masked changes nothing identifying, whatever the form holds", () => {
  const masked = { id: KEPT, version: 1, identity_shared: false, display_name: null, aliases: null, gender: null };
  assert.deepEqual(changedFields(masked, { display_name: "Guess", aliases: ["x"], gender: "woman" }), { gender: "woman" });
});

test("the phone's hits come first; the server's others are marked as not on this phone; merged ones never", () => {
  const local = [{ id: KEPT, display_name: "Sparrow" }];
  const remote = [{ id: KEPT, display_name: "Sparrow" }, { id: OTHER, display_name: "Sparrow Two" },
    { id: DUP, display_name: null, merged_into: KEPT }];
  assert.deepEqual(mergeSearch(local, remote), [{ id: KEPT, display_name: "Sparrow" },
    { id: OTHER, display_name: "Sparrow Two", remote: true }]);
  assert.deepEqual(mergeSearch(local, null), local);
});

test("a person_update conflict says in plain words which change met someone else's", () => {
  const entry = newEntry("person_update", { person_id: KEPT, base_version: 2, aliases: ["Sparky"], gender: "man" });
  const current = { id: KEPT, version: 3, aliases: ["Birdie"], gender: "man" };
  const message = conflictMessage(entry, current);
  assert.match(message, /^Someone else changed the aliases on the server after your copy, so your change was not saved\./);
  const withHistory = personConflictMessage(entry, { ...current, history: [{ version: 3, fields: ["aliases", "gender"] }] });
  assert.match(withHistory, /changed the aliases and gender on the server/);
});
