// The outbox: entries made on this phone, kept until the server acknowledged that exact entry.
// States: "waiting" (will be sent) and "attention" (the server rejected it or found a conflict;
// only the user can fix and resend it, or discard it explicitly).

import { requestResult, transact } from "./idb.js";

let lastSeq = 0;

function nextSeq() {
  // Creation order, which is also sending order (an encounter after the person it names).
  lastSeq = Math.max(lastSeq + 1, Date.now() * 1000);
  return lastSeq;
}

export function newEntry(type, data, label) {
  return {
    id: crypto.randomUUID(), type, data, label,
    seq: nextSeq(), created_at: new Date().toISOString(),
    state: "waiting", error: null, current: null, attempts: 0, server_errors: 0,
  };
}

// Adds entries in one transaction: all of them are kept, or none.
export function addEntries(db, entries) {
  return transact(db, "outbox", "readwrite", (s) => {
    for (const entry of entries) s.outbox.add(entry);
    return entries;
  });
}

export async function listEntries(db) {
  const all = await transact(db, "outbox", "readonly", (s) => requestResult(s.outbox.index("seq").getAll()));
  return all;
}

export async function waitingEntries(db) {
  return (await listEntries(db)).filter((e) => e.state === "waiting");
}

// What the status line counts: entries that will be sent, and entries only the user can move on.
export function countsOf(entries) {
  const waiting = entries.filter((e) => e.state === "waiting").length;
  return { waiting, attention: entries.length - waiting };
}

export async function counts(db) {
  return countsOf(await listEntries(db));
}

export function getEntry(db, id) {
  return transact(db, "outbox", "readonly", (s) => requestResult(s.outbox.get(id)));
}

// The server answered created or duplicate for this id: only now may the entry go.
export function acknowledge(db, id) {
  return transact(db, "outbox", "readwrite", (s) => { s.outbox.delete(id); });
}

// The entry as it waits in "Needs attention": the server's error to show, and its record on a conflict.
export const markedForAttention = (entry, error, current = null) => ({ ...entry, state: "attention", error, current });

export function needsAttention(db, id, error, current = null) {
  return transact(db, "outbox", "readwrite", async (s) => {
    const entry = await requestResult(s.outbox.get(id));
    if (!entry) return;
    s.outbox.put(markedForAttention(entry, error, current));
  });
}

export const withServerError = (entry) => ({ ...entry, server_errors: (entry.server_errors || 0) + 1 });
export const withAttempt = (entry) => ({ ...entry, attempts: (entry.attempts || 0) + 1 });

// The server failed (500) on this entry sent alone; returns how many times that has happened.
export function countServerError(db, id) {
  return transact(db, "outbox", "readwrite", async (s) => {
    const entry = await requestResult(s.outbox.get(id));
    if (!entry) return 0;
    const next = withServerError(entry);
    s.outbox.put(next);
    return next.server_errors;
  });
}

export function countAttempt(db, ids) {
  return transact(db, "outbox", "readwrite", async (s) => {
    for (const id of ids) {
      const entry = await requestResult(s.outbox.get(id));
      if (entry) s.outbox.put(withAttempt(entry));
    }
  });
}

// Back to waiting, with corrected data. A conflict means the server holds another record under this id,
// so a corrected entry is sent under a fresh id (same place in the queue).
export function resent(entry, data) {
  const next = { ...entry, data: data ?? entry.data, state: "waiting", error: null, current: null, server_errors: 0 };
  if (entry.current) next.id = crypto.randomUUID();
  return next;
}

export function resend(db, id, data) {
  return transact(db, "outbox", "readwrite", async (s) => {
    const entry = await requestResult(s.outbox.get(id));
    if (!entry) return null;
    const next = resent(entry, data);
    if (next.id !== id) s.outbox.delete(id);
    s.outbox.put(next);
    return next;
  });
}

// Only ever called after the user chose to discard this entry.
export function discard(db, id) {
  return transact(db, "outbox", "readwrite", (s) => { s.outbox.delete(id); });
}
