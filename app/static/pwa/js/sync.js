// Sends the outbox to POST /sync and pulls GET /sync/changes. Runs in the page and in the service worker
// (Background Sync), one run at a time per phone (Web Locks). An entry leaves the outbox only when the
// server answered created or duplicate for that exact id; rejected and conflict move it to "Needs attention",
// and so does an entry the server fails on (500) alone, run after run.

import { ApiError, NetworkError, api, isRevoked, setCsrfToken } from "./api.js";
import { sendWaiting, syncBody } from "./batches.js";
import * as outbox from "./outbox.js";
import { ENCOUNTER_ENTRY_TYPES, acknowledgeEncounterEntry, saveEncounters } from "./encounters.js";
import { requestResult, transact } from "./idb.js";
import { pullChanges, saveRecords } from "./records.js";
import { deviceId, loadSession, updateSession } from "./session.js";
import { keepOnlyOutbox } from "./userdb.js";
import { t } from "./i18n.js";

export const OUTBOX_SYNC_TAG = "help-field-outbox";
const LOCK = "help-field-sync";

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

// Sends everything waiting (batches.js holds the rules): the outbox in this user's database, POST /sync.
async function pushOutbox(db) {
  const device = await deviceId();
  return sendWaiting({
    waiting: () => outbox.waitingEntries(db),
    async send(batch) {
      await outbox.countAttempt(db, batch.map((e) => e.id));
      return api("/sync", { method: "POST", body: syncBody(device, batch) });
    },
    acknowledge(entry) {
      if (entry.type === "referral_update") return acknowledgeReferralUpdate(db, entry);
      if (ENCOUNTER_ENTRY_TYPES.has(entry.type)) return acknowledgeEncounterEntry(db, entry);
      return outbox.acknowledge(db, entry.id);
    },
    // A conflict's `current` is the server's record: the phone's copy becomes it.
    async needsAttention(entry, error, current) {
      await outbox.needsAttention(db, entry.id, error, current);
      if (entry.type === "referral_update" && current && current.id) await saveRecords(db, "referrals", [current]);
      if (entry.type === "case_intake" && current && current.id) await saveRecords(db, "cases", [current]);
      if (entry.type === "person_update" && current && current.id) await saveRecords(db, "persons", [current]);
      if (ENCOUNTER_ENTRY_TYPES.has(entry.type) && entry.type !== "encounter" && current && current.id) {
        await saveEncounters(db, [current]);
      }
    },
    countServerError: (entry) => outbox.countServerError(db, entry.id),
    async refreshCsrf() {
      setCsrfToken((await api("/auth/me")).csrf_token);
    },
  });
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
      // After an administrator's reset the server takes nothing until the user has chosen a new password.
      if (me.password_change_required) return { outcome: "retry_later", sent, message: t("sync.newPassword") };
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
