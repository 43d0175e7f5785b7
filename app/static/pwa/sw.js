// HELP Field's service worker (an ES module): the versioned app-shell cache, Background Sync of the
// outbox, and push alerts. API requests are never cached: they always go to the network.

import { firstShowing } from "/static/pwa/js/alerts.js";
import { openUserDb } from "/static/pwa/js/userdb.js";
import { loadSession } from "/static/pwa/js/session.js";
import { OUTBOX_SYNC_TAG, syncOutbox } from "/static/pwa/js/sync.js";
import { t } from "/static/pwa/js/i18n.js";

// The server writes the shell's file list and content digest here when it serves /sw.js
// (app/pwa/routes.py), so that any change to the shell installs a new worker and a new cache.
const SHELL = /*SHELL*/ { version: "unversioned", files: ["/"] } /*SHELL*/;
const CACHE_PREFIX = "help-field-shell-";
const SHELL_CACHE = CACHE_PREFIX + SHELL.version;
const SHELL_PATHS = new Set(SHELL.files);

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    // "no-cache": each file is revalidated against the server (its ETag is a digest of its content), so a
    // file the page has just downloaded comes back as a 304 and is not downloaded twice, and a stale copy in
    // the browser's HTTP cache is never taken into a new shell.
    await cache.addAll(SHELL.files.map((url) => new Request(url, { cache: "no-cache" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== SHELL_CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return; // never cached: straight to the network
  if (request.mode === "navigate" && url.pathname === "/") {
    event.respondWith(fromShell("/", request));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(fromShell(url.pathname, request));
  }
});

// Cache first: the shell loads the same with or without a network. A new shell arrives with a new worker.
async function fromShell(path, request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(path);
  return cached || fetch(request);
}

// Background Sync: the browser wakes the worker when the network is back, even with the app closed.
self.addEventListener("sync", (event) => {
  if (event.tag === OUTBOX_SYNC_TAG) event.waitUntil(backgroundSync());
});

async function backgroundSync() {
  const session = await loadSession();
  // Signed out by an administrator: the outbox waits, locked, until the user signs in again.
  if (!session || !session.user || session.revoked) return;
  const db = await openUserDb(session.user.id);
  let result;
  try {
    result = await syncOutbox(db, session.user.id);
  } finally {
    db.close();
  }
  await tellClients({ type: "sync-finished", result });
  // Rejecting asks the browser to try again later (with its own backoff).
  if (result.outcome === "offline" || result.outcome === "retry_later") throw new Error(result.outcome);
}

async function tellClients(message) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) client.postMessage(message);
}

// Push alerts: {"type", "referral_id", "version", "urgency", "title", "body"}; never any personal details.
self.addEventListener("push", (event) => {
  event.waitUntil(showAlert(event.data));
});

async function showAlert(data) {
  let alert;
  try {
    alert = data ? data.json() : {};
  } catch {
    alert = { body: data ? data.text() : "" };
  }
  const fresh = await firstShowingForUser(alert);
  const urgent = alert.urgency === "emergent" || alert.urgency === "urgent";
  await self.registration.showNotification(alert.title || t("shell.brand"), {
    body: alert.body || t("push.changed"),
    tag: alert.referral_id ? `referral-${alert.referral_id}` : "help-field",
    renotify: fresh && Boolean(alert.referral_id),
    silent: !fresh,
    requireInteraction: urgent && fresh,
    icon: "/static/pwa/icons/icon-192.png",
    badge: "/static/pwa/icons/badge-96.png",
    data: { type: alert.type || null, referral_id: alert.referral_id || null, repeat: !fresh },
  });
  if (fresh) await tellClients({ type: "alert", alert });
}

async function firstShowingForUser(alert) {
  const session = await loadSession();
  if (!session || !session.user) return true;
  const db = await openUserDb(session.user.id);
  try {
    return await firstShowing(db, alert);
  } catch {
    return true; // better a repeat than a missed alert
  } finally {
    db.close();
  }
}

// A tap on an alert opens the referral when the phone is online, else the inbox (which works offline).
function alertTarget(data, online) {
  if (data && data.referral_id && online) return `/#/referral/${encodeURIComponent(data.referral_id)}`;
  return "/#/inbox";
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = alertTarget(event.notification.data, self.navigator.onLine);
  event.waitUntil(openTarget(target));
});

async function openTarget(target) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client = windows.find((c) => new URL(c.url).origin === self.location.origin);
  if (client) {
    client.postMessage({ type: "open", hash: new URL(target, self.location.origin).hash });
    try {
      await client.focus();
    } catch {
      // Focusing needs the user's tap; the app has already been told where to go.
    }
    return;
  }
  await self.clients.openWindow(target);
}
