// Promise wrappers around IndexedDB: open with an upgrade step, run a transaction, delete a database.

import { t } from "./i18n.js";

export function requestResult(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function openDatabase(name, version, upgrade) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion, request.transaction);
    request.onsuccess = () => {
      const db = request.result;
      // Another tab or the service worker may delete this database (sign-out): let it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error(t("storage.blocked", { name })));
  });
}

// Runs `work(stores)` in one transaction; resolves with its result once the transaction committed.
export function transact(db, storeNames, mode, work) {
  return new Promise((resolve, reject) => {
    const names = Array.isArray(storeNames) ? storeNames : [storeNames];
    const tx = db.transaction(names, mode);
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    let result;
    Promise.resolve(work(stores)).then((value) => { result = value; }, (error) => {
      reject(error);
      try { tx.abort(); } catch { /* already finished */ }
    });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error(t("storage.aborted")));
  });
}

export function getAll(db, storeName) {
  return transact(db, storeName, "readonly", (s) => requestResult(s[storeName].getAll()));
}

export function getOne(db, storeName, key) {
  return transact(db, storeName, "readonly", (s) => requestResult(s[storeName].get(key)));
}

export function putAll(db, storeName, records) {
  return transact(db, storeName, "readwrite", (s) => {
    for (const record of records) s[storeName].put(record);
  });
}

export function deleteDatabase(name) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    // Blocked means an open connection has not closed yet; onversionchange closes it and this completes.
    request.onblocked = () => {};
  });
}
