// How the outbox goes to POST /sync: which entries are sent in which batches, how a refused batch is split,
// what ends in "Needs attention" and what waits for the next run (app/static/pwa/js/batches.js).

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ApiError } from "../../app/static/pwa/js/api.js";
import { BATCH_SIZE, SERVER_ERROR_RUNS, conflictMessage, sortAnswer, syncBody } from "../../app/static/pwa/js/batches.js";
import { newEntry } from "../../app/static/pwa/js/outbox.js";
import { statusText } from "../../app/static/pwa/js/store.js";
import { MAX_BYTES, MAX_ENTRIES, numbered, phone, server } from "./phone.mjs";

const SERVER_ERROR = { status: 500, code: "server_error", message: "Something went wrong on the server; the request was not saved. Try again." };
const statusLine = (p) => statusText({ online: true, ...p.counts() });

describe("cutting the outbox into batches", () => {
  test("entries go in the order they were made, at most 100 to a batch", async () => {
    const api = server();
    const p = phone(api);
    p.log(...numbered(250));

    assert.deepEqual(await p.sync(), { sent: 250 });
    assert.deepEqual(api.sent.map((b) => b.length), [100, 100, 50]);
    assert.deepEqual(api.sent.flat(), numbered(250));
    assert.equal(statusLine(p), "All synced");
  });

  test("a batch stays within the server's limit of 500 entries", () => {
    assert.ok(BATCH_SIZE <= MAX_ENTRIES);
  });

  test("only the entry's id, type and data go to the server, with the phone's device id", () => {
    const entry = newEntry("encounter", { kind: "interaction", notes: "n" }, "Interaction");
    const body = syncBody("phone-1", [{ ...entry, state: "waiting", attempts: 2, error: null }]);
    assert.deepEqual(body, { device_id: "phone-1", entries: [{ id: entry.id, type: "encounter", data: entry.data }] });
  });

  test("a batch over 2 MB is halved until it fits, and every entry arrives", async () => {
    const api = server();
    const p = phone(api);
    for (const note of numbered(30)) p.logLarge(note, 100 * 1024);

    assert.deepEqual(await p.sync(), { sent: 30 });
    assert.deepEqual(api.sent.map((b) => b.length), [30, 15, 15]);
    assert.equal(api.stored.size, 30);
    assert.deepEqual(p.needsAttention(), []);
  });

  test("an entry over 2 MB on its own ends in Needs attention with the server's message; the rest arrive", async () => {
    const api = server();
    const p = phone(api);
    p.log("a");
    p.logLarge("huge", MAX_BYTES);
    p.log("c", "d");

    assert.deepEqual(await p.sync(), { sent: 3 });
    // Halved until the large entry stands alone; the batch size then stays where the halving left it.
    assert.deepEqual(api.sent, [["a", "huge", "c", "d"], ["a", "huge"], ["a"], ["huge"], ["c"], ["d"]]);
    assert.deepEqual(p.needsAttention(), ["huge"]);
    assert.deepEqual(p.entry("huge").error, { code: "too_large", message: "Send at most 500 entries and 2 MB per batch.", fields: null });
    assert.equal(statusLine(p), "1 needs attention");
  });
});

describe("the server's answer, entry by entry", () => {
  test("a rejected entry waits in Needs attention with the server's error while its siblings are acknowledged", async () => {
    const error = { code: "validation_error", message: "call_number is required for primary_response." };
    const api = server({ refuse: (e) => (e.data.notes === "no call number" ? error : null) });
    const p = phone(api);
    p.log("one", "no call number", "three");

    assert.deepEqual(await p.sync(), { sent: 2 });
    assert.deepEqual(api.sent, [["one", "no call number", "three"]]);
    assert.deepEqual(p.needsAttention(), ["no call number"]);
    assert.deepEqual(p.entry("no call number").error, error);
    assert.deepEqual(p.waiting(), []);
  });

  test("an entry the server already holds (an answer lost on the way back) is acknowledged as a duplicate", async () => {
    const api = server();
    const p = phone(api);
    const [entry] = p.log("sent before");
    api.stored.set(entry.id, entry);

    assert.deepEqual(await p.sync(), { sent: 1 });
    assert.deepEqual(p.counts(), { waiting: 0, attention: 0 });
  });

  test("a conflict keeps the server's record with the entry and says what happened", async () => {
    const current = { id: "r-1", status: "no_show", version: 3 };
    const api = server({ refuse: (e) => (e.data.notes === "clash" ? { current } : null) });
    const p = phone(api);
    p.log("clash");

    assert.deepEqual(await p.sync(), { sent: 0 });
    const entry = p.entry("clash");
    assert.equal(entry.state, "attention");
    assert.deepEqual(entry.current, current);
    assert.equal(entry.error.code, "conflict");
  });

  test("a conflict's message names what the server holds", () => {
    const update = newEntry("referral_update", { referral_id: "r-1", status: "accepted" });
    const intake = newEntry("case_intake", { person_id: "p-1" });
    assert.equal(conflictMessage(update, { status: "no_show" }), "Someone else changed this referral first: it is now no show.");
    assert.equal(conflictMessage(intake, { id: "another-case" }),
      "This person already has an open case: discard this intake and work in that case.");
    assert.equal(conflictMessage(intake, { id: intake.id }), "The server already holds a different record under this entry's id.");
  });

  test("an entry the answer does not mention stays waiting and is sent again", async () => {
    let omitted = false;
    const api = server({ omit: (e) => e.data.notes === "b" && !omitted && (omitted = true) });
    const p = phone(api);
    p.log("a", "b", "c");

    assert.deepEqual(await p.sync(), { sent: 3 });
    assert.deepEqual(api.sent, [["a", "b", "c"], ["b"]]);
  });

  test("an answer that mentions none of the batch stops the run; everything stays waiting", async () => {
    const api = server({ omit: () => true });
    const p = phone(api);
    p.log("a", "b");

    assert.deepEqual(await p.sync(), { outcome: "retry_later", sent: 0, message: "The server did not answer for these entries." });
    assert.deepEqual(api.sent, [["a", "b"]]);
    assert.deepEqual(p.waiting(), ["a", "b"]);
    assert.equal(p.entry("a").attempts, 1);
  });

  test("results are sorted into the batch's order whatever order the server lists them in", () => {
    const [a, b, c] = ["a", "b", "c"].map((n) => newEntry("encounter", { notes: n }));
    const sorted = sortAnswer([a, b, c], { results: [{ id: c.id, status: "created" }, { id: a.id, status: "duplicate" }] });
    assert.deepEqual(sorted.map((r) => [r.entry.data.notes, r.outcome]), [["a", "acknowledged"], ["b", "unanswered"], ["c", "acknowledged"]]);
  });
});

describe("a batch the server refuses whole", () => {
  test("a 400 is halved until the unreadable entry stands alone; it keeps the server's field errors", async () => {
    const fields = { occurred_at: ["Not a valid datetime."] };
    const api = server({ fault: (b) => (b.some((e) => e.data.notes === "bad") ? { status: 400, code: "validation_error", message: "Check the fields.", fields } : null) });
    const p = phone(api);
    p.log("a", "b", "bad", "d");

    assert.deepEqual(await p.sync(), { sent: 3 });
    assert.deepEqual(api.sent, [["a", "b", "bad", "d"], ["a", "b"], ["bad", "d"], ["bad"], ["d"]]);
    assert.deepEqual(p.needsAttention(), ["bad"]);
    assert.deepEqual(p.entry("bad").error, { code: "validation_error", message: "Check the fields.", fields });
  });

  test("an entry the server fails on (500) is split out, set aside for three runs, then waits in Needs attention", async () => {
    let failing = true;
    const api = server({ fault: (b) => (failing && b.some((e) => e.data.notes === "poisoned") ? SERVER_ERROR : null) });
    const p = phone(api);
    p.log("first", "poisoned", "third", "fourth");

    assert.deepEqual(await p.sync(), { outcome: "retry_later", sent: 3, message: "The server failed on an entry; it will be tried again." });
    assert.deepEqual(api.sent, [["first", "poisoned", "third", "fourth"], ["first", "poisoned"], ["first"], ["poisoned"], ["third", "fourth"]]);
    assert.equal(statusLine(p), "1 waiting to sync");

    api.batches.length = 0;
    assert.deepEqual(await p.sync(), { outcome: "retry_later", sent: 0, message: "The server failed on an entry; it will be tried again." });
    assert.deepEqual(await p.sync(), { sent: 0 });
    assert.deepEqual(api.sent, [["poisoned"], ["poisoned"]]);
    assert.equal(SERVER_ERROR_RUNS, 3);
    assert.deepEqual(p.needsAttention(), ["poisoned"]);
    assert.equal(p.entry("poisoned").error.code, "server_error");
    assert.match(p.entry("poisoned").error.message, /^The server failed 3 times while saving this entry/);
    assert.equal(statusLine(p), "1 needs attention");

    // Sent again by the user once the server takes it: it arrives, once.
    failing = false;
    p.sendAgain("poisoned");
    assert.deepEqual(await p.sync(), { sent: 1 });
    assert.deepEqual(p.counts(), { waiting: 0, attention: 0 });
    assert.equal([...api.stored.values()].filter((e) => e.data.notes === "poisoned").length, 1);
  });

  test("a server failing on everything stops the run after two entries fail alone, and sends nothing to Needs attention", async () => {
    const api = server({ fault: () => SERVER_ERROR });
    const p = phone(api);
    p.log("a", "b", "c");

    assert.deepEqual(await p.sync(), { outcome: "retry_later", sent: 0, message: SERVER_ERROR.message });
    assert.deepEqual(api.sent, [["a", "b", "c"], ["a", "b"], ["a"], ["b", "c"], ["b"]]);
    assert.deepEqual(p.needsAttention(), []);
    assert.deepEqual(["a", "b", "c"].map((n) => p.entry(n).server_errors), [1, 1, 0]);
  });

  for (const status of [502, 503, 504]) {
    test(`a ${status} (a proxy, a restart) leaves the batch whole and waiting, however often it comes`, async () => {
      let down = true;
      const api = server({ fault: () => (down ? { status, code: `http_${status}`, retryAfter: 1 } : null) });
      const p = phone(api);
      p.log("one", "two");

      for (let run = 0; run < 5; run += 1) {
        await assert.rejects(p.sync(), (error) => error instanceof ApiError && error.status === status && error.retryAfter === 1);
      }
      assert.deepEqual(api.sent, Array(5).fill(["one", "two"]));
      assert.deepEqual(p.waiting(), ["one", "two"]);
      assert.equal(p.entry("one").server_errors, 0);

      down = false;
      assert.deepEqual(await p.sync(), { sent: 2 });
    });
  }

  test("a refused CSRF token is fetched again once and the same batch resent", async () => {
    let refusals = 1;
    const api = server({ fault: () => (refusals-- > 0 ? { status: 403, code: "csrf_failed" } : null) });
    const p = phone(api);
    p.log("a", "b");

    assert.deepEqual(await p.sync(), { sent: 2 });
    assert.deepEqual(api.sent, [["a", "b"], ["a", "b"]]);
    assert.equal(p.csrfRefreshes, 1);
  });

  test("a CSRF token refused twice in a run ends the run with the error; the entries wait", async () => {
    const api = server({ fault: () => ({ status: 403, code: "csrf_failed" }) });
    const p = phone(api);
    p.log("a", "b");

    await assert.rejects(p.sync(), (error) => error instanceof ApiError && error.code === "csrf_failed");
    assert.deepEqual(api.sent, [["a", "b"], ["a", "b"]]);
    assert.deepEqual(p.waiting(), ["a", "b"]);
  });
});
