// Each signed-in user's own IndexedDB database: the outbox and the offline copies of their records.
// A second user on the same phone opens a different database and never sees the first one's.

import { deleteDatabase, openDatabase } from "./idb.js";

const PREFIX = "help-field-user-";
const VERSION = 1;

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
  });
}

export function deleteUserDb(userId) {
  return deleteDatabase(userDbName(userId));
}
