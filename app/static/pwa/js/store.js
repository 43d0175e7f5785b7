// The page's state (who is signed in, what waits to sync, whether the server is reachable) and the status
// line that must always tell the truth about it.

import { formatTime, t } from "./i18n.js";

const listeners = new Set();

export const state = {
  user: null,
  online: typeof navigator === "undefined" ? true : navigator.onLine,
  authRequired: false,
  // An administrator signed this phone out: only the unsent entries are left, locked until the user signs in.
  revoked: false,
  waiting: 0,
  attention: 0,
  syncing: false,
  lastSyncAt: null,
  // How many entries the last run sent, said for a few seconds after it ("3 sent").
  justSent: 0,
  nextTryAt: null,
  problem: null,
  persisted: null,
  // An administrator reset the password: the server takes nothing but a new one until it is chosen.
  passwordChangeRequired: false,
};

export function update(patch) {
  Object.assign(state, patch);
  for (const listener of listeners) listener(state);
}

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// "N waiting to sync", "All synced", "Offline", "Sign in to sync": what is true right now.
export function statusText(s = state) {
  const waiting = s.waiting ? t("status.waiting", { count: s.waiting }) : "";
  if (s.revoked) return waiting ? t("status.signedOutWaiting", { waiting }) : t("status.signedOut");
  if (!s.online) return waiting ? t("status.offlineWaiting", { waiting }) : t("status.offline");
  if (s.authRequired) return waiting ? t("status.signInWaiting", { waiting }) : t("status.signIn");
  if (waiting) return waiting;
  // Nothing can go until the user fixes or discards it: not "All synced".
  return s.attention ? t("status.attention", { count: s.attention }) : t("status.synced");
}

export function statusTone(s = state) {
  if (!s.online || s.authRequired || (!s.waiting && s.attention)) return "warn";
  return s.waiting ? "busy" : "ok";
}

export function statusDetail(s = state) {
  if (s.syncing) return t("status.sending");
  if (s.problem && s.waiting) return s.problem;
  if (s.nextTryAt && s.waiting && s.online && !s.authRequired) return t("status.willRetry");
  const last = s.lastSyncAt ? t("status.lastSynced", { time: formatTime(s.lastSyncAt) }) : "";
  if (s.justSent && s.online) return [t("status.sent", { count: s.justSent }), last].filter(Boolean).join(" · ");
  if (last) return last;
  return "";
}
