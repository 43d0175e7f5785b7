// How the outbox goes to POST /sync: in batches, each answer sorted entry by entry, a refused batch halved
// until the one bad entry stands alone. No IndexedDB and no fetch here: sync.js hands in both (a `port`), so
// the rules can be run against an outbox and a server in memory (tests/js/batches.test.mjs).

import { ApiError } from "./api.js";
import { personConflictMessage } from "./persons.js";
import { CORRECTION_TYPES, correctionProblem } from "./corrections.js";
import { t } from "./i18n.js";

// Entries per POST /sync (the server takes up to 500 and 2 MB; a 413 halves the batch).
export const BATCH_SIZE = 100;
// Runs in which the server failed (500) on an entry sent alone before it waits in "Needs attention".
export const SERVER_ERROR_RUNS = 3;

// What the server is sent: the entries' own fields, not the phone's bookkeeping (state, attempts, label).
export function syncBody(device, batch) {
  return { device_id: device, entries: batch.map(({ id, type, data }) => ({ id, type, data })) };
}

export function conflictMessage(entry, current) {
  if (entry.type === "referral_update" && current && current.status) {
    return t("sync.referralChanged", { status: current.status.replace("_", " ") });
  }
  if (entry.type === "case_intake" && current && current.id && current.id !== entry.id) {
    return t("sync.openCase");
  }
  if (entry.type === "person_update" && current && current.id === entry.data.person_id) {
    return personConflictMessage(entry, current);
  }
  if (CORRECTION_TYPES.has(entry.type)) return correctionProblem({ ...entry, error: { code: "conflict" }, current });
  return t("sync.sameId");
}

// The server's answer for each entry of `batch`, in the batch's order: "acknowledged" (created or duplicate:
// the entry may go), "attention" (rejected or conflict, with the error to show and the server's `current`
// record) or "unanswered" (no result for this id: it stays waiting).
export function sortAnswer(batch, answer) {
  const results = new Map((answer.results || []).map((r) => [r.id, r]));
  return batch.map((entry) => {
    const result = results.get(entry.id);
    if (result && (result.status === "created" || result.status === "duplicate")) {
      return { entry, outcome: "acknowledged" };
    }
    if (result && result.status === "rejected") {
      const error = result.error || { code: "rejected", message: t("sync.notAccepted") };
      // A correction of an encounter voided meanwhile comes back with the encounter: the phone's copy follows.
      const current = CORRECTION_TYPES.has(entry.type) && error.code === "invalid_transition" && result.current
        ? result.current : null;
      return { entry, outcome: "attention", error, current };
    }
    if (result && result.status === "conflict") {
      const current = result.current || {};
      return { entry, outcome: "attention", error: { code: "conflict", message: conflictMessage(entry, current) }, current };
    }
    return { entry, outcome: "unanswered" };
  });
}

export function serverFailedMessage(failures) {
  return t("sync.serverFailed", { failures });
}

// Sends one batch and settles each entry the server answered for; returns how many went and came back.
async function sendBatch(port, batch) {
  const answer = await port.send(batch);
  let acknowledged = 0;
  let returned = 0;
  for (const { entry, outcome, error, current } of sortAnswer(batch, answer)) {
    if (outcome === "acknowledged") {
      await port.acknowledge(entry);
      acknowledged += 1;
    } else if (outcome === "attention") {
      await port.needsAttention(entry, error, current);
      returned += 1;
    }
  }
  return { acknowledged, returned };
}

// Sends everything waiting; returns {sent} or, when it has to stop, an outcome (with what was sent so far).
// `port` is the outbox and the server: waiting() lists the waiting entries in sending order; send(batch)
// POSTs it and resolves with the answer (or throws the ApiError); acknowledge(entry), needsAttention(entry,
// error, current) and countServerError(entry) (resolves with the entry's count) change the outbox;
// refreshCsrf() fetches a new CSRF token.
export async function sendWaiting(port) {
  let size = BATCH_SIZE;
  let csrfRetried = false;
  let sent = 0;
  let answered = false;
  let loneFailures = 0;
  // Entries the server failed on (500) when sent alone: not sent again in this run, counted once per run.
  const setAside = new Set();
  for (;;) {
    const waiting = (await port.waiting()).filter((e) => !setAside.has(e.id));
    if (!waiting.length) {
      return setAside.size ? { outcome: "retry_later", sent, message: t("sync.failedOnEntry") }
        : { sent };
    }
    const batch = waiting.slice(0, size);
    try {
      const { acknowledged, returned } = await sendBatch(port, batch);
      sent += acknowledged;
      answered = true;
      if (acknowledged + returned === 0) {
        return { outcome: "retry_later", sent, message: t("sync.noAnswer") };
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === "csrf_failed" && !csrfRetried) {
        csrfRetried = true;
        await port.refreshCsrf();
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
        await port.needsAttention(batch[0], { code: error.code, message: error.message, fields: error.fields }, null);
        continue;
      }
      if (error.status === 500) {
        const [entry] = batch;
        const failures = await port.countServerError(entry);
        loneFailures += 1;
        if (failures >= SERVER_ERROR_RUNS) {
          await port.needsAttention(entry, { code: error.code, message: serverFailedMessage(failures) }, null);
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
