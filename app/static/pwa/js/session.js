// Who is signed in on this phone: the user, the CSRF token and flags, kept in the shared "help-field" database.
// It holds no field records: those live in each user's own database (see outbox.js).

import { getOne, openDatabase, transact } from "./idb.js";

const NAME = "help-field";
let opening = null;

function openShared() {
  opening ??= openDatabase(NAME, 1, (db) => {
    db.createObjectStore("settings", { keyPath: "key" });
  }).catch((error) => { opening = null; throw error; });
  return opening;
}

async function read(key) {
  const record = await getOne(await openShared(), "settings", key);
  return record ? record.value : null;
}

async function write(key, value) {
  const db = await openShared();
  return transact(db, "settings", "readwrite", (s) => {
    if (value === null) s.settings.delete(key);
    else s.settings.put({ key, value });
  });
}

// { user, csrf_token, auth_required } or null.
export const loadSession = () => read("session");
export const saveSession = (session) => write("session", session);
export const clearSession = () => write("session", null);

export async function updateSession(patch) {
  const current = await loadSession();
  if (!current) return null;
  const next = { ...current, ...patch };
  await saveSession(next);
  return next;
}

// A sign-out made while offline: the server session is ended when the network is back.
export const loadPendingLogout = () => read("pending_logout");
export const savePendingLogout = (csrfToken) => write("pending_logout", csrfToken ? { csrf_token: csrfToken } : null);

// A random, non-identifying name for this phone, sent with every batch.
export async function deviceId() {
  const known = await read("device_id");
  if (known) return known;
  const made = `phone-${crypto.randomUUID().slice(0, 8)}`;
  await write("device_id", made);
  return made;
}

