// The outbox's records: how an entry is made, counted, set aside in "Needs attention" and sent again
// (the record side of app/static/pwa/js/outbox.js; its IndexedDB transactions are covered in the browser).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  countsOf, markedForAttention, newEntry, resent, withAttempt, withServerError,
} from "../../app/static/pwa/js/outbox.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("a new entry waits to be sent under its own fresh id", () => {
  const entry = newEntry("encounter", { kind: "interaction" }, "Interaction");
  assert.match(entry.id, UUID);
  assert.deepEqual(
    { type: entry.type, data: entry.data, label: entry.label, state: entry.state, error: entry.error, current: entry.current,
      attempts: entry.attempts, server_errors: entry.server_errors },
    { type: "encounter", data: { kind: "interaction" }, label: "Interaction", state: "waiting", error: null, current: null,
      attempts: 0, server_errors: 0 });
  assert.ok(!Number.isNaN(Date.parse(entry.created_at)));
});

test("entries made in the same millisecond still keep the order they were made in", () => {
  const entries = Array.from({ length: 200 }, (_, i) => newEntry("encounter", { i }));
  const seqs = entries.map((e) => e.seq);
  assert.deepEqual([...seqs].sort((a, b) => a - b), seqs);
  assert.equal(new Set(seqs).size, seqs.length);
  assert.equal(new Set(entries.map((e) => e.id)).size, entries.length);
});

test("counts: what waits to be sent, and what only the user can move on", () => {
  const [a, b, c] = [1, 2, 3].map((i) => newEntry("encounter", { i }));
  assert.deepEqual(countsOf([]), { waiting: 0, attention: 0 });
  assert.deepEqual(countsOf([a, markedForAttention(b, { code: "rejected", message: "no" }), c]), { waiting: 2, attention: 1 });
});

test("an entry in Needs attention keeps its id and data, with the server's error and record", () => {
  const entry = newEntry("referral_update", { referral_id: "r-1", status: "accepted" });
  const error = { code: "conflict", message: "Someone else changed this referral first: it is now declined." };
  const held = markedForAttention(entry, error, { id: "r-1", status: "declined", version: 2 });
  assert.deepEqual(held, { ...entry, state: "attention", error, current: { id: "r-1", status: "declined", version: 2 } });
  assert.equal(markedForAttention(entry, error).current, null);
});

test("attempts and server failures are counted, also on entries stored before those counts existed", () => {
  const entry = newEntry("encounter", {});
  assert.equal(withAttempt(withAttempt(entry)).attempts, 2);
  assert.equal(withServerError(entry).server_errors, 1);
  const older = { ...entry };
  delete older.attempts;
  delete older.server_errors;
  assert.equal(withAttempt(older).attempts, 1);
  assert.equal(withServerError(older).server_errors, 1);
});

test("a rejected entry sent again waits under the same id, with the corrected data and a clean slate", () => {
  const entry = withServerError(newEntry("encounter", { notes: "too long" }));
  const rejected = markedForAttention(entry, { code: "validation_error", message: "notes: too long" });
  const next = resent(rejected, { notes: "short" });
  assert.deepEqual(next, { ...entry, data: { notes: "short" }, state: "waiting", error: null, current: null, server_errors: 0 });
  assert.deepEqual(resent(rejected).data, { notes: "too long" });
});

test("an entry in conflict is sent again under a fresh id: the server holds another record under the old one", () => {
  const entry = newEntry("case_intake", { person_id: "p-1" });
  const conflict = markedForAttention(entry, { code: "conflict", message: "…" }, { id: "case-9" });
  const next = resent(conflict);
  assert.match(next.id, UUID);
  assert.notEqual(next.id, entry.id);
  assert.equal(next.seq, entry.seq);
  assert.equal(next.state, "waiting");
  assert.equal(next.current, null);
});
