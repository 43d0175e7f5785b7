// The status line (app/static/pwa/js/store.js): it must always tell the truth about what waits to sync.

import assert from "node:assert/strict";
import { test } from "node:test";

import { state, statusDetail, statusText, statusTone, subscribe, update } from "../../app/static/pwa/js/store.js";

const line = (s) => [statusText(s), statusTone(s)];
const online = { online: true, authRequired: false, revoked: false, waiting: 0, attention: 0 };

test("nothing waiting and nothing to fix: all synced", () => {
  assert.deepEqual(line(online), ["All synced", "ok"]);
});

test("entries waiting online are counted as busy", () => {
  assert.deepEqual(line({ ...online, waiting: 1 }), ["1 waiting to sync", "busy"]);
  assert.deepEqual(line({ ...online, waiting: 12, attention: 2 }), ["12 waiting to sync", "busy"]);
});

test("entries only the user can fix are never 'All synced'", () => {
  assert.deepEqual(line({ ...online, attention: 1 }), ["1 needs attention", "warn"]);
  assert.deepEqual(line({ ...online, attention: 3 }), ["3 need attention", "warn"]);
});

test("offline, signed out or revoked: said first, with what still waits", () => {
  assert.deepEqual(line({ ...online, online: false, waiting: 4 }), ["Offline · 4 waiting to sync", "warn"]);
  assert.deepEqual(line({ ...online, online: false }), ["Offline", "warn"]);
  assert.deepEqual(line({ ...online, authRequired: true, waiting: 2 }), ["Sign in to sync · 2 waiting to sync", "warn"]);
  assert.deepEqual(line({ ...online, authRequired: true }), ["Sign in to sync", "warn"]);
  assert.equal(statusText({ ...online, revoked: true, online: false, waiting: 1 }), "Signed out · 1 waiting to sync");
  assert.equal(statusText({ ...online, revoked: true }), "Signed out");
});

test("the detail line: sending, the problem, the next try, or the last sync", () => {
  assert.equal(statusDetail({ ...online, syncing: true, waiting: 1, problem: "x" }), "Sending…");
  assert.equal(statusDetail({ ...online, waiting: 1, problem: "The server failed on an entry; it will be tried again." }),
    "The server failed on an entry; it will be tried again.");
  assert.equal(statusDetail({ ...online, problem: "old news" }), "");
  assert.equal(statusDetail({ ...online, waiting: 1, nextTryAt: Date.now() + 5000 }), "Will try again by itself");
  assert.equal(statusDetail({ ...online, online: false, waiting: 1, nextTryAt: Date.now() + 5000 }), "");
  assert.match(statusDetail({ ...online, lastSyncAt: Date.now() }), /^Last synced \S/);
  assert.match(statusDetail({ ...online, justSent: 3, lastSyncAt: Date.now() }), /^3 sent · Last synced \S/);
  assert.equal(statusDetail({ ...online, online: false, justSent: 3 }), "");
});

test("an update reaches every subscriber until it unsubscribes", () => {
  const seen = [];
  const unsubscribe = subscribe((s) => seen.push(statusText(s)));
  update({ online: true, authRequired: false, revoked: false, waiting: 2, attention: 0 });
  unsubscribe();
  update({ waiting: 0 });
  assert.deepEqual(seen, ["2 waiting to sync"]);
  assert.equal(state.waiting, 0);
});

test("counts in the status line take the catalogue's plural forms", () => {
  assert.equal(statusText({ ...online, waiting: 1 }), "1 waiting to sync");
  assert.equal(statusText({ ...online, attention: 1 }), "1 needs attention");
  assert.equal(statusText({ ...online, attention: 2 }), "2 need attention");
});
