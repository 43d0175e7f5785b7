// Each signed-in user's own IndexedDB database: the outbox and the offline copies of their records.
// A second user on the same phone opens a different database and never sees the first one's.

import { deleteDatabase, openDatabase, requestResult, transact } from "./idb.js";

const PREFIX = "help-field-user-";
const VERSION = 2;

export const userDbName = (userId) => `${PREFIX}${userId}`;

export function openUserDb(userId) {
  return openDatabase(userDbName(userId), VERSION, (db, oldVersion) => {
    if (oldVersion < 1) {
      const outbox = db.createObjectStore("outbox", { keyPath: "id" });
      outbox.createIndex("seq", "seq");
      for (const name of ["persons", "referrals", "cases", "agencies", "sites", "teams"]) {
        db.createObjectStore(name, { keyPath: "id" });
      }
      db.createObjectStore("meta", { keyPath: "key" });
    }
    // The user's own recent encounters (js/encounters.js), to correct and void them offline.
    if (oldVersion < 2) db.createObjectStore("encounters", { keyPath: "id" });
  });
}

export function deleteUserDb(userId) {
  return deleteDatabase(userDbName(userId));
}

// Empties every store but the outbox (sign-out keeping unsent entries, a session an administrator revoked):
// the offline copies of people, referrals and cases go, and so does what the server sent back with an entry
// (a conflict's `current` record) beyond the id, version and status the outbox screen needs.
export function keepOnlyOutbox(db) {
  const others = [...db.objectStoreNames].filter((name) => name !== "outbox");
  return transact(db, [...others, "outbox"], "readwrite", async (s) => {
    for (const name of others) s[name].clear();
    for (const entry of await requestResult(s.outbox.getAll())) {
      if (!entry.current) continue;
      const { id, version, status } = entry.current;
      s.outbox.put({ ...entry, current: { id, version, status } });
    }
  });
}
