// Sends the outbox to POST /sync and pulls GET /sync/changes. Runs in the page and in the service worker
// (Background Sync), one run at a time per phone (Web Locks). An entry leaves the outbox only when the
// server answered created or duplicate for that exact id; rejected and conflict move it to "Needs attention",
// and so does an entry the server fails on (500) alone, run after run.

import { ApiError, NetworkError, api, isRevoked, setCsrfToken } from "./api.js";
import * as outbox from "./outbox.js";
import { requestResult, transact } from "./idb.js";
import { pullChanges, saveRecords } from "./records.js";
import { deviceId, loadSession, updateSession } from "./session.js";
import { keepOnlyOutbox } from "./userdb.js";

export const OUTBOX_SYNC_TAG = "help-field-outbox";
const LOCK = "help-field-sync";
const BATCH_SIZE = 100;
// Runs in which the server failed (500) on an entry sent alone before it waits in "Needs attention".
const SERVER_ERROR_RUNS = 3;

function withLock(work) {
  const locks = globalThis.navigator && globalThis.navigator.locks;
  return locks ? locks.request(LOCK, work) : work();
}

async function markSession(userId, patch) {
  const session = await loadSession();
  if (session && session.user && session.user.id === userId) await updateSession(patch);
}

// An administrator ended this user's sessions (a lost phone, someone leaving): what the phone holds for them
// goes at once, their unsent entries stay, and the session is marked so nothing opens them until that same
// user signs in again. Records first: once the mark is stored, the records are already gone.
async function lockOutNow(db, userId) {
  await keepOnlyOutbox(db);
  await markSession(userId, { auth_required: true, revoked: true, csrf_token: null });
}

export function lockOut(db, userId) {
  return withLock(() => lockOutNow(db, userId));
}

// Turns a failed request into an outcome the caller can show and schedule around.
async function outcomeOf(error, db, userId) {
  if (error instanceof NetworkError) return { outcome: "offline" };
  if (isRevoked(error)) {
    await lockOutNow(db, userId);
    return { outcome: "revoked", message: error.message };
  }
  if (error instanceof ApiError && error.status === 401) {
    await markSession(userId, { auth_required: true });
    return { outcome: "signed_out" };
  }
  if (error instanceof ApiError) {
    return { outcome: "retry_later", retryAfter: error.retryAfter, message: error.message };
  }
  throw error;
}

function conflictMessage(entry, current) {
  if (entry.type === "referral_update" && current && current.status) {
    return `Someone else changed this referral first: it is now ${current.status.replace("_", " ")}.`;
  }
  if (entry.type === "case_intake" && current && current.id && current.id !== entry.id) {
    return "This person already has an open case: discard this intake and work in that case.";
  }
  return "The server already holds a different record under this entry's id.";
}

// A status change the server took leaves the outbox and shows on the phone's copy of the referral in one
// transaction: in between, a screen would see the referral as it was before the change.
function acknowledgeReferralUpdate(db, entry) {
  return transact(db, ["outbox", "referrals"], "readwrite", async (s) => {
    s.outbox.delete(entry.id);
    const referral = await requestResult(s.referrals.get(entry.data.referral_id));
    if (referral && referral.status !== entry.data.status) {
      s.referrals.put({ ...referral, status: entry.data.status, version: (referral.version || 1) + 1 });
    }
  });
}

// Sends one batch; returns how many entries the server acknowledged and how many it sent back.
async function sendBatch(db, device, batch) {
  const body = { device_id: device, entries: batch.map(({ id, type, data }) => ({ id, type, data })) };
  await outbox.countAttempt(db, batch.map((e) => e.id));
  const answer = await api("/sync", { method: "POST", body });
  const results = new Map((answer.results || []).map((r) => [r.id, r]));
  let acknowledged = 0;
  let returned = 0;
  for (const entry of batch) {
    const result = results.get(entry.id);
    if (!result) continue;
    if (result.status === "created" || result.status === "duplicate") {
      await (entry.type === "referral_update" ? acknowledgeReferralUpdate(db, entry) : outbox.acknowledge(db, entry.id));
      acknowledged += 1;
    } else if (result.status === "rejected") {
      const error = result.error || { code: "rejected", message: "The server did not accept this entry." };
      await outbox.needsAttention(db, entry.id, error);
      returned += 1;
    } else if (result.status === "conflict") {
      const current = result.current || {};
      await outbox.needsAttention(db, entry.id, { code: "conflict", message: conflictMessage(entry, current) }, current);
      if (entry.type === "referral_update" && current.id) await saveRecords(db, "referrals", [current]);
      if (entry.type === "case_intake" && current.id) await saveRecords(db, "cases", [current]);
      returned += 1;
    }
  }
  return { acknowledged, returned };
}

function serverFailedMessage(failures) {
  return `The server failed ${failures} times while saving this entry, so it waits here instead of holding up `
    + "the others. Send it again later; if it fails again, tell your administrator.";
}

// Sends everything waiting; returns {sent} or, when it has to stop, an outcome (with what was sent so far).
async function pushOutbox(db) {
  const device = await deviceId();
  let size = BATCH_SIZE;
  let csrfRetried = false;
  let sent = 0;
  let answered = false;
  let loneFailures = 0;
  // Entries the server failed on (500) when sent alone: not sent again in this run, counted once per run.
  const setAside = new Set();
  for (;;) {
    const waiting = (await outbox.waitingEntries(db)).filter((e) => !setAside.has(e.id));
    if (!waiting.length) {
      return setAside.size ? { outcome: "retry_later", sent, message: "The server failed on an entry; it will be tried again." }
        : { sent };
    }
    const batch = waiting.slice(0, size);
    try {
      const { acknowledged, returned } = await sendBatch(db, device, batch);
      sent += acknowledged;
      answered = true;
      if (acknowledged + returned === 0) {
        return { outcome: "retry_later", sent, message: "The server did not answer for these entries." };
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === "csrf_failed" && !csrfRetried) {
        csrfRetried = true;
        setCsrfToken((await api("/auth/me")).csrf_token);
        continue;
      }
      // A whole batch refused as too large or malformed, or one the server failed on (500): halve it until the
      // one bad entry stands alone. 502, 503 and 504 (a proxy, a restart) are the server's state, not an
      // entry's: the batch waits whole and is tried again later, however often that takes.
      const splits = error.status === 413 || error.status === 400 || error.status === 500;
      if (splits && batch.length > 1) {
        size = Math.ceil(batch.length / 2);
        continue;
      }
      if (error.status === 413 || error.status === 400) {
        await outbox.needsAttention(db, batch[0].id, { code: error.code, message: error.message, fields: error.fields });
        continue;
      }
      if (error.status === 500) {
        const [entry] = batch;
        const failures = await outbox.countServerError(db, entry.id);
        loneFailures += 1;
        if (failures >= SERVER_ERROR_RUNS) {
          await outbox.needsAttention(db, entry.id, { code: error.code, message: serverFailedMessage(failures) });
        } else {
          setAside.add(entry.id);
        }
        // A second entry failing alone before the server took anything in this run: more likely the server
        // than the entries. Stop and try again later rather than walk the whole queue one by one.
        if (loneFailures >= 2 && !answered) {
          return { outcome: "retry_later", sent, message: error.message };
        }
        size = BATCH_SIZE;
        continue;
      }
      throw error;
    }
  }
}

// One sync run for `userId`'s database. Resolves with {outcome, sent, pulled?, pullError?}: outcome is
// "synced", "offline", "signed_out" (sign in again), "revoked" (an administrator signed the user out: the
// phone now holds only their unsent entries) or "retry_later" (with retryAfter seconds); sent is how many
// entries the server acknowledged in this run.
export function syncOutbox(db, userId, { pull = true } = {}) {
  return withLock(async () => {
    let sent = 0;
    try {
      // Who the server thinks we are: never send one user's entries under another user's session.
      const me = await api("/auth/me");
      if (!me.user || me.user.id !== userId) return { outcome: "signed_out", sent, otherUser: true };
      setCsrfToken(me.csrf_token);
      await markSession(userId, { csrf_token: me.csrf_token, auth_required: false });
      const pushed = await pushOutbox(db);
      sent = pushed.sent;
      if (pushed.outcome) return pushed;
    } catch (error) {
      return { ...(await outcomeOf(error, db, userId)), sent };
    }
    if (!pull) return { outcome: "synced", sent };
    try {
      return { outcome: "synced", sent, pulled: await pullChanges(db) };
    } catch (error) {
      if (isRevoked(error)) return { ...(await outcomeOf(error, db, userId)), sent };
      // The outbox is empty either way; fresher offline data will come with the next run.
      return { outcome: "synced", sent, pullError: error.message };
    }
  });
}
