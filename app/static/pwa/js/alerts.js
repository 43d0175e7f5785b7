// Alerts already shown on this phone, by referral and version. The server sends each alert at least
// once: a push worker killed between its send and its record of it sends again. The phone shows each
// alert once; a repeat replaces the notification silently (a push must always show something).

import { getMeta, setMeta } from "./records.js";

const SEEN = "alerts:seen";
const KEEP = 200;

// A re-alert of an overdue referral (the agency again, then the team's supervisors) names the same version
// as the alert of its creation: its type tells them apart, so it shows as new.
const RE_ALERTS = new Set(["referral.overdue", "referral.escalated"]);

export function alertKey(alert) {
  if (!(alert && alert.referral_id && Number.isInteger(alert.version))) return null;
  const key = `${alert.referral_id}:${alert.version}`;
  return RE_ALERTS.has(alert.type) ? `${key}:${alert.type}` : key;
}

// True the first time this alert reaches this user's phone (and remembers it); false for a repeat.
export async function firstShowing(db, alert) {
  const key = alertKey(alert);
  if (!key) return true;
  const seen = (await getMeta(db, SEEN)) || [];
  if (seen.includes(key)) return false;
  await setMeta(db, SEEN, [...seen.slice(-(KEEP - 1)), key]);
  return true;
}
