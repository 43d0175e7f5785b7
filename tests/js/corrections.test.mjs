// Correcting and voiding one's own encounters on the phone (app/static/pwa/js/corrections.js): which encounters
// are recent, what state each shows, how an encounter_amend entry is built, and how answers are worded.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { conflictMessage, sortAnswer } from "../../app/static/pwa/js/batches.js";
import {
  applyAmend, applyVoid, amendChanges, buildAmend, correctionProblem, isRecent, nextBaseVersion, reasonProblem,
  recentRows, recentSince,
} from "../../app/static/pwa/js/corrections.js";
import { newEntry } from "../../app/static/pwa/js/outbox.js";

const NOW = new Date("2026-11-29T18:00:00Z");
const daysAgo = (days) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

const synced = (overrides = {}) => ({
  id: "e-1", kind: "primary_response", occurred_at: daysAgo(1), person_id: null, call_number: "EPS-1",
  site_id: null, needs: ["housing"], risk_flags: [], outcome: [], triage_level: 4, triage_computed: 4,
  notes: null, version: 1, voided: false, void_reason: null, amendments: [], ...overrides,
});

const amendEntry = (data, state = "waiting") => ({ ...newEntry("encounter_amend", data, "Correction"), state });
const voidEntry = (data, state = "waiting") => ({ ...newEntry("encounter_void", data, "Void"), state });

describe("which encounters are recent", () => {
  test("the last 7 days count, older ones do not", () => {
    assert.equal(isRecent(daysAgo(0), NOW), true);
    assert.equal(isRecent(daysAgo(6.9), NOW), true);
    assert.equal(isRecent(daysAgo(7.1), NOW), false);
    assert.equal(isRecent("not a time", NOW), false);
    assert.equal(recentSince(NOW), daysAgo(7));
  });

  test("rows join the phone's copies and the outbox, newest first, older than 7 days left out", () => {
    const pending = { ...newEntry("encounter", { kind: "interaction", occurred_at: daysAgo(0), needs: [] }, "Interaction") };
    const rows = recentRows([synced(), synced({ id: "old", occurred_at: daysAgo(9) })], [pending], NOW);
    assert.deepEqual(rows.map((r) => [r.id, r.state, r.label]), [
      [pending.id, "waiting", "Waiting to sync"],
      ["e-1", "synced", "Synced"],
    ]);
    assert.equal(rows[0].encounter.person_id, null); // anonymous
  });

  test("each state in words: corrected, voided, corrections waiting or sent back", () => {
    const corrected = synced({ id: "c", version: 2, amendments: [{ version: 2, reason: "x", fields: ["call_number"] }] });
    const voided = synced({ id: "v", voided: true, void_reason: "Logged twice", version: 2 });
    const amending = synced({ id: "a" });
    const voiding = synced({ id: "w" });
    const troubled = synced({ id: "t" });
    const entries = [
      amendEntry({ encounter_id: "a", base_version: 1, reason: "r", call_number: "EPS-2" }),
      voidEntry({ encounter_id: "w", reason: "r" }),
      amendEntry({ encounter_id: "t", base_version: 1, reason: "r", call_number: "EPS-3" }, "attention"),
    ];
    const rows = Object.fromEntries(recentRows([corrected, voided, amending, voiding, troubled], entries, NOW)
      .map((r) => [r.id, r]));
    assert.deepEqual(Object.fromEntries(Object.entries(rows).map(([id, r]) => [id, [r.label, r.actionable]])), {
      c: ["Corrected", true], v: ["Voided", false], a: ["Correction waiting to sync", true],
      w: ["Void waiting to sync", false], t: ["Correction needs attention", false],
    });
    assert.equal(rows.a.encounter.call_number, "EPS-2"); // shown as it will be once sent
    assert.equal(rows.t.encounter.call_number, "EPS-1"); // a correction sent back is not applied
  });

  test("an encounter not sent yet with a correction queued after it shows both", () => {
    const pending = newEntry("encounter", { kind: "consultation", occurred_at: daysAgo(0) }, "Consultation");
    const rows = recentRows([], [pending, amendEntry({ encounter_id: pending.id, base_version: 1, reason: "r", kind: "interaction" })], NOW);
    assert.deepEqual([rows[0].label, rows[0].encounter.kind, rows[0].encounter.version], ["Waiting to sync, corrected", "interaction", 2]);
  });
});

describe("building a correction", () => {
  test("only the fields that changed go, lists compared as sets, blanks as null", () => {
    const original = synced({ notes: "" });
    const form = { kind: "primary_response", occurred_at: original.occurred_at, person_id: null, call_number: "EPS-9",
      site_id: null, needs: ["housing"], risk_flags: [], outcome: ["referred"], triage_level: null, notes: null };
    assert.deepEqual(amendChanges(original, form), { call_number: "EPS-9", outcome: ["referred"] });
  });

  test("a time that reads the same on the form (minutes) is no change", () => {
    const original = synced({ occurred_at: "2026-11-28T10:15:42-07:00" });
    const sameMinute = (a, b) => a.slice(0, 16) === b.slice(0, 16);
    assert.deepEqual(amendChanges(original, { occurred_at: "2026-11-28T10:15:00-07:00" }, { sameMinute }), {});
    assert.deepEqual(amendChanges(original, { occurred_at: "2026-11-28T11:15:00-07:00" }, { sameMinute }),
      { occurred_at: "2026-11-28T11:15:00-07:00" });
  });

  test("a new kind without call numbers clears the call number; a level goes only when chosen and new", () => {
    const changes = amendChanges(synced(), { kind: "consultation", call_number: null, triage_level: null });
    assert.deepEqual(changes, { kind: "consultation", call_number: null });
    assert.deepEqual(amendChanges(synced(), { triage_level: 4 }), {});
    assert.deepEqual(amendChanges(synced(), { triage_level: 2 }), { triage_level: 2 });
  });

  test("the entry names the encounter, its base version and the trimmed reason; none when nothing changed", () => {
    const data = buildAmend(synced(), { call_number: "EPS-2" }, { reason: "  wrong number ", baseVersion: 3 });
    assert.deepEqual(data, { encounter_id: "e-1", base_version: 3, reason: "wrong number", call_number: "EPS-2" });
    assert.equal(buildAmend(synced(), { call_number: "EPS-1" }, { reason: "x", baseVersion: 1 }), null);
  });

  test("the reason is required, at most 400 characters", () => {
    assert.match(reasonProblem("   "), /Say why/);
    assert.match(reasonProblem("x".repeat(401)), /At most 400/);
    assert.equal(reasonProblem("wrong call number"), null);
  });

  test("the base version counts the corrections the outbox sends first, not those sent back", () => {
    const entries = [
      amendEntry({ encounter_id: "e-1", base_version: 2, reason: "a", notes: "a" }),
      voidEntry({ encounter_id: "other", reason: "b" }),
      amendEntry({ encounter_id: "e-1", base_version: 3, reason: "c", notes: "c" }, "attention"),
    ];
    assert.equal(nextBaseVersion(synced({ version: 2 }), entries, "e-1"), 3);
    assert.equal(nextBaseVersion(null, [], "e-9"), 1); // an encounter not sent yet will be version 1
  });

  test("the phone's copy follows an amendment and a void as the server does", () => {
    const amended = applyAmend(synced(), { encounter_id: "e-1", base_version: 1, reason: "r", kind: "consultation",
      call_number: null }, "2026-11-29T10:00:00Z");
    assert.deepEqual([amended.version, amended.kind, amended.call_number, amended.amendments],
      [2, "consultation", null, [{ version: 2, at: "2026-11-29T10:00:00Z", reason: "r", fields: ["call_number", "kind"] }]]);
    assert.equal("encounter_id" in amended || "base_version" in amended || "reason" in amended, false);
    const voided = applyVoid(amended, { encounter_id: "e-1", reason: "twice" });
    assert.deepEqual([voided.version, voided.voided, voided.void_reason], [3, true, "twice"]);
  });
});

describe("answers in plain words", () => {
  test("a stale correction: someone changed the same fields first", () => {
    const entry = amendEntry({ encounter_id: "e-1", base_version: 1, reason: "r", call_number: "X" });
    const [sorted] = sortAnswer([entry], { results: [{ id: entry.id, status: "conflict", current: synced({ version: 2 }) }] });
    assert.equal(sorted.outcome, "attention");
    assert.equal(sorted.current.version, 2);
    assert.match(conflictMessage(entry, sorted.current), /Someone corrected this encounter first/);
  });

  test("a correction of a voided encounter comes back with the encounter and says to discard it", () => {
    const entry = voidEntry({ encounter_id: "e-1", reason: "r" });
    const current = synced({ voided: true, version: 2 });
    const [sorted] = sortAnswer([entry], { results: [{ id: entry.id, status: "rejected", current,
      error: { code: "invalid_transition", message: "This encounter was voided; it takes no more changes." } }] });
    assert.equal(sorted.current, current);
    assert.equal(correctionProblem({ ...entry, error: sorted.error, current }),
      "This encounter was voided on the server, so it takes no more changes. Discard this void.");
  });

  test("other refusals keep no record and say what to do", () => {
    const entry = amendEntry({ encounter_id: "e-1", base_version: 1, reason: "r", kind: "primary_response" });
    const [sorted] = sortAnswer([entry], { results: [{ id: entry.id, status: "rejected", current: { id: "x" },
      error: { code: "validation_error", message: "Invalid.", fields: { call_number: ["Required."] } } }] });
    assert.equal(sorted.current, null); // only "voided" brings the encounter back: a fix goes under the same id
    assert.match(correctionProblem({ ...entry, error: sorted.error }), /would not be valid after this correction/);
    assert.match(correctionProblem({ ...entry, error: { code: "not_found" } }), /does not have this encounter/);
    assert.match(correctionProblem({ ...entry, error: { code: "forbidden" } }), /Only the person who logged/);
    const encounter = newEntry("encounter", { kind: "interaction" }, "Interaction");
    const [plain] = sortAnswer([encounter], { results: [{ id: encounter.id, status: "rejected", current: { id: "x" },
      error: { code: "validation_error", message: "Invalid." } }] });
    assert.equal(plain.current, null); // only corrections bring the encounter back
  });
});
