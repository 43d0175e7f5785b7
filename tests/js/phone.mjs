// A phone's outbox and a server, both in memory, for the batching rules in batches.js: the outbox keeps its
// records with outbox.js's own functions, the server answers as POST /sync does (docs/api.md), and sync.js's
// wiring (count the attempt, then POST) is repeated here so that the only thing left out is IndexedDB and fetch.

import { ApiError } from "../../app/static/pwa/js/api.js";
import { sendWaiting, syncBody } from "../../app/static/pwa/js/batches.js";
import {
  countsOf, markedForAttention, newEntry, resent, withAttempt, withServerError,
} from "../../app/static/pwa/js/outbox.js";

export const MAX_ENTRIES = 500;
export const MAX_BYTES = 2 * 1024 * 1024;

const errorBody = (code, message, fields) => ({ error: { code, message, ...(fields ? { fields } : {}) } });

// The server's answers. `fault(entries)` may answer the whole batch with an HTTP error ({status, code});
// `refuse(entry)` may answer one entry "rejected" ({code, message}) or "conflict" ({current}); `omit(entry)`
// leaves an entry out of the results (an answer that does not account for it).
export function server({ fault = () => null, refuse = () => null, omit = () => false } = {}) {
  const stored = new Map();
  const batches = [];
  return {
    batches,
    stored,
    // Each batch as the list of its entries' notes, which is how the tests name entries.
    get sent() {
      return batches.map((entries) => entries.map((e) => e.data.notes));
    },
    async post(body) {
      const { entries } = body;
      batches.push(entries);
      if (entries.length > MAX_ENTRIES || Buffer.byteLength(JSON.stringify(body)) > MAX_BYTES) {
        throw new ApiError(413, errorBody("too_large", "Send at most 500 entries and 2 MB per batch."), null);
      }
      const failure = fault(entries);
      if (failure) throw new ApiError(failure.status, errorBody(failure.code, failure.message ?? `${failure.code} from the test server`, failure.fields), failure.retryAfter ?? null);
      return {
        results: entries.filter((entry) => !omit(entry)).map((entry) => {
          const refusal = refuse(entry);
          if (refusal && refusal.current) return { id: entry.id, status: "conflict", current: refusal.current };
          if (refusal) return { id: entry.id, status: "rejected", error: errorBody(refusal.code, refusal.message).error };
          const status = stored.has(entry.id) ? "duplicate" : "created";
          stored.set(entry.id, entry);
          return { id: entry.id, status };
        }),
        server_time: new Date().toISOString(),
      };
    },
  };
}

// The outbox of one phone, with the same records outbox.js keeps in IndexedDB.
export function phone(theServer, { device = "phone-1" } = {}) {
  const records = new Map();
  let csrfRefreshes = 0;
  const entries = () => [...records.values()].sort((a, b) => a.seq - b.seq);
  const port = {
    waiting: async () => entries().filter((e) => e.state === "waiting"),
    async send(batch) {
      for (const { id } of batch) if (records.has(id)) records.set(id, withAttempt(records.get(id)));
      return theServer.post(syncBody(device, batch));
    },
    acknowledge: async (entry) => { records.delete(entry.id); },
    async needsAttention(entry, error, current) {
      if (records.has(entry.id)) records.set(entry.id, markedForAttention(records.get(entry.id), error, current));
    },
    async countServerError(entry) {
      if (!records.has(entry.id)) return 0;
      const next = withServerError(records.get(entry.id));
      records.set(entry.id, next);
      return next.server_errors;
    },
    refreshCsrf: async () => { csrfRefreshes += 1; },
  };
  return {
    // Entries named by their notes, in the order they were made.
    log(...notes) {
      return notes.map((n) => {
        const entry = newEntry("encounter", { kind: "interaction", notes: n }, n);
        records.set(entry.id, entry);
        return entry;
      });
    },
    logLarge(note, bytes) {
      const entry = newEntry("encounter", { kind: "interaction", notes: note, description: "x".repeat(bytes) }, note);
      records.set(entry.id, entry);
      return entry;
    },
    sync: () => sendWaiting(port),
    entry: (note) => entries().find((e) => e.data.notes === note),
    waiting: () => entries().filter((e) => e.state === "waiting").map((e) => e.data.notes),
    needsAttention: () => entries().filter((e) => e.state === "attention").map((e) => e.data.notes),
    counts: () => countsOf(entries()),
    // The user taps "Send again" on an entry in Needs attention.
    sendAgain(note) {
      const entry = entries().find((e) => e.data.notes === note);
      const next = resent(entry);
      records.delete(entry.id);
      records.set(next.id, next);
      return next;
    },
    get csrfRefreshes() {
      return csrfRefreshes;
    },
  };
}

// Notes "e1" … "eN".
export const numbered = (n, prefix = "e") => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
