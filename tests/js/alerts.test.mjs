// Which alerts a phone shows as new (app/static/pwa/js/alerts.js): a repeat of one alert is not new,
// a re-alert of an overdue referral is, although it names the version its creation did.

import assert from "node:assert/strict";
import { test } from "node:test";

import { alertKey } from "../../app/static/pwa/js/alerts.js";

const id = "6f1c2a9e-0c7b-4d2e-9a51-3b8e2f1d7c40";

test("an alert is named by its referral and version", () => {
  assert.equal(alertKey({ type: "referral.created", referral_id: id, version: 1 }), `${id}:1`);
  assert.equal(alertKey({ type: "referral.updated", referral_id: id, version: 2 }), `${id}:2`);
  assert.equal(alertKey({ type: "referral.created", referral_id: id }), null);
});

test("the overdue and escalation re-alerts are new beside the alert of the same version", () => {
  const created = alertKey({ type: "referral.created", referral_id: id, version: 1 });
  const overdue = alertKey({ type: "referral.overdue", referral_id: id, version: 1 });
  const escalated = alertKey({ type: "referral.escalated", referral_id: id, version: 1 });
  assert.equal(new Set([created, overdue, escalated]).size, 3);
});
