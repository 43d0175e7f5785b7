// The page's side of sessions and syncing: who is signed in, which database is open, when to sync
// (on opening, on the online event, after each save, on a timer with backoff, on "Sync now").

import { ApiError, NetworkError, api, isRevoked, onSessionRevoked, setCsrfToken } from "./api.js";
import * as outbox from "./outbox.js";
import { disableAlerts } from "./push.js";
import * as session from "./session.js";
import { state, update } from "./store.js";
import { OUTBOX_SYNC_TAG, lockOut, syncOutbox } from "./sync.js";
import { deleteUserDb, keepOnlyOutbox, openUserDb } from "./userdb.js";
import { t } from "./i18n.js";

const BACKOFF_MS = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000];
const REFRESH_MS = 5 * 60_000;

let db = null;
let timer = null;
let failures = 0;
let running = null;
let runAgain = false;

export const currentDb = () => db;

async function openFor(user) {
  if (db && state.user && state.user.id === user.id) return;
  if (db) db.close();
  db = await openUserDb(user.id);
}

async function closeDb() {
  if (db) db.close();
  db = null;
}

export async function refreshCounts() {
  if (!db) return update({ waiting: 0, attention: 0 });
  update(await outbox.counts(db));
}

async function useSession(user, csrfToken, passwordChangeRequired = false) {
  setCsrfToken(csrfToken);
  await session.saveSession({ user, csrf_token: csrfToken, auth_required: false });
  await openFor(user);
  // After an administrator's reset the server takes nothing but a new password: no sync until then.
  update({ user, authRequired: false, revoked: false, online: true, problem: null,
    passwordChangeRequired: Boolean(passwordChangeRequired) });
  await refreshCounts();
}

// A sign-out made offline ends the server session as soon as the server can be reached.
async function finishPendingLogout() {
  const pending = await session.loadPendingLogout();
  if (!pending) return true;
  setCsrfToken(pending.csrf_token);
  try {
    await api("/auth/logout", { method: "POST" });
  } catch (error) {
    if (error instanceof NetworkError) return false;
  }
  await session.savePendingLogout(null);
  setCsrfToken(null);
  return true;
}

// The phone was signed out by an administrator (told by the server now, or remembered from before a
// reload): it holds nothing of the user's but their unsent entries, and shows only the sign-in screen.
async function lockedOut(user) {
  clearTimeout(timer);
  timer = null;
  await openFor(user);
  await lockOut(db, user.id);
  setCsrfToken(null);
  update({ user });
  await refreshCounts();
  applyResult({ outcome: "revoked" });
}

// On opening: the server's answer when there is one, else what this phone remembers.
export async function start() {
  // Any call answered session_revoked (a screen's, not only a sync run's) starts a run, which asks the
  // server who we are and, told the same, locks the phone.
  onSessionRevoked(() => requestSync("revoked"));
  const stored = await session.loadSession();
  if (!(await finishPendingLogout())) {
    update({ online: false });
    return;
  }
  try {
    const me = await api("/auth/me");
    await useSession(me.user, me.csrf_token, me.password_change_required);
    requestSync("open");
    askForPersistentStorage();
    return;
  } catch (error) {
    if (!stored || !stored.user) {
      if (error instanceof NetworkError) update({ online: false });
      return;
    }
    if (isRevoked(error) || stored.revoked) return lockedOut(stored.user);
    setCsrfToken(stored.csrf_token);
    await openFor(stored.user);
    const expired = error instanceof ApiError && error.status === 401;
    update({ user: stored.user, authRequired: expired || Boolean(stored.auth_required),
      online: !(error instanceof NetworkError) });
    if (expired) await session.updateSession({ auth_required: true });
    await refreshCounts();
    if (!expired) schedule({ outcome: error instanceof NetworkError ? "offline" : "retry_later" });
  }
}

export async function signIn(username, password) {
  await finishPendingLogout();
  const body = await api("/auth/login", { method: "POST", body: { username, password } });
  await useSession(body.user, body.csrf_token, body.password_change_required);
  failures = 0;
  requestSync("sign-in");
  askForPersistentStorage();
  return body.user;
}

function askForPersistentStorage() {
  if (!navigator.storage || !navigator.storage.persist) return;
  navigator.storage.persisted()
    .then((already) => (already ? true : navigator.storage.persist()))
    .then((persisted) => update({ persisted }), () => update({ persisted: false }));
}

// Saving: the entries are in the outbox before anything else happens.
export async function save(entries) {
  await outbox.addEntries(db, entries);
  await refreshCounts();
  registerBackgroundSync();
  requestSync("saved");
}

async function registerBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register(OUTBOX_SYNC_TAG);
  } catch {
    // No Background Sync here (or not allowed): the timer and the online event still sync.
  }
}

const SENT_SHOWN_MS = 8000;
let sentTimer = null;

// "3 sent" in the status bar for a few seconds after a run that sent something.
function sayWhatWasSent(result) {
  if (!result || !result.sent) return;
  clearTimeout(sentTimer);
  update({ justSent: result.sent });
  sentTimer = setTimeout(() => update({ justSent: 0 }), SENT_SHOWN_MS);
}

export function applyResult(result) {
  sayWhatWasSent(result);
  const patch = { syncing: false };
  if (result.outcome === "synced") {
    // A run (often the service worker's) that finished after the phone went offline: it synced, but the
    // phone is offline now, and the status line says so.
    const offlineNow = typeof navigator !== "undefined" && navigator.onLine === false;
    Object.assign(patch, { online: !offlineNow, authRequired: false, lastSyncAt: Date.now(), problem: null });
  } else if (result.outcome === "offline") {
    patch.online = false;
  } else if (result.outcome === "signed_out") {
    Object.assign(patch, { online: true, authRequired: true });
  } else if (result.outcome === "revoked") {
    Object.assign(patch, { online: true, authRequired: true, revoked: true, problem: null, lastSyncAt: null, nextTryAt: null });
  } else {
    Object.assign(patch, { online: true, problem: result.message ? t("status.notSentYet", { message: result.message }) : null });
  }
  update(patch);
}

function schedule(result) {
  clearTimeout(timer);
  timer = null;
  if (!state.user || result.outcome === "signed_out" || result.outcome === "revoked") return update({ nextTryAt: null });
  let delay;
  if (result.outcome === "synced") {
    failures = 0;
    delay = state.waiting ? 0 : REFRESH_MS;
  } else {
    delay = result.retryAfter ? result.retryAfter * 1000 : BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
    failures += 1;
  }
  update({ nextTryAt: state.waiting && delay ? Date.now() + delay : null });
  timer = setTimeout(() => requestSync("timer"), delay);
}

// One run at a time in this page; a request made during a run starts another one after it.
export function requestSync(reason = "manual") {
  // Signed out by an administrator: nothing goes until the user signs in again (signIn clears the flag).
  if (!db || !state.user || state.revoked || state.passwordChangeRequired) return Promise.resolve(null);
  if (running) {
    runAgain = true;
    return running;
  }
  running = (async () => {
    clearTimeout(timer);
    update({ syncing: true });
    let result;
    try {
      result = await syncOutbox(db, state.user.id);
    } catch (error) {
      result = { outcome: "retry_later", message: error.message };
    }
    await refreshCounts();
    applyResult(result);
    schedule(result);
    document.dispatchEvent(new CustomEvent("help:synced", { detail: { result, reason } }));
    return result;
  })().finally(() => {
    running = null;
    if (runAgain) {
      runAgain = false;
      requestSync("again");
    }
  });
  return running;
}

// The user chose a new password (POST /auth/password answered 204): the server takes their work again.
export function passwordChanged() {
  update({ passwordChangeRequired: false });
  return requestSync("password-changed");
}

// Resolves once no sync run is going on in this page (sign-out waits for this).
export async function settle() {
  while (running) await running;
}

// From the service worker: a Background Sync run finished (ignored once the user has signed out here).
export async function backgroundSyncFinished(result) {
  if (!db) return;
  await refreshCounts();
  if (result) applyResult(result);
  document.dispatchEvent(new CustomEvent("help:synced", { detail: { result, reason: "background" } }));
}

export function wentOnline() {
  update({ online: true });
  failures = 0;
  if (!state.user) finishPendingLogout();
  requestSync("online");
}

export function wentOffline() {
  update({ online: false });
}

async function endServerSession() {
  try {
    await disableAlerts();
  } catch {
    // Offline or never subscribed: the server drops dead subscriptions when the push service says so.
  }
  try {
    await api("/auth/logout", { method: "POST" });
  } catch (error) {
    if (!(error instanceof NetworkError)) return;
    const stored = await session.loadSession();
    await session.savePendingLogout(stored ? stored.csrf_token : null);
  }
}

// Signing out. `keepUnsent`: the user chose to leave unsent entries on this phone (their offline
// copies of other records are wiped either way); otherwise this user's database is deleted entirely.
export async function signOut({ keepUnsent }) {
  const user = state.user;
  clearTimeout(timer);
  await endServerSession();
  // The session goes first: a Background Sync waking the service worker from now on finds no user and
  // cannot reopen (and so recreate) the database being deleted.
  await session.clearSession();
  if (keepUnsent && db) {
    await keepOnlyOutbox(db);
    await closeDb();
  } else {
    await closeDb();
    if (user) await deleteUserDb(user.id);
  }
  setCsrfToken(null);
  update({ user: null, waiting: 0, attention: 0, authRequired: false, revoked: false, problem: null, lastSyncAt: null,
    nextTryAt: null });
}
