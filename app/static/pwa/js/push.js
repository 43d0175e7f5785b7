// "Enable alerts": subscribe this phone with the server's VAPID key and register the subscription.

import { api } from "./api.js";
import { t } from "./i18n.js";

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export function alertsSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

// "on", "off", "blocked" or "unsupported".
export async function alertsState() {
  if (!alertsSupported()) return "unsupported";
  if (Notification.permission === "denied") return "blocked";
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = registration && (await registration.pushManager.getSubscription());
  return subscription && Notification.permission === "granted" ? "on" : "off";
}

export async function enableAlerts() {
  if (!alertsSupported()) throw new Error(t("home.unsupported"));
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error(t("home.blockedApp"));
  const registration = await navigator.serviceWorker.ready;
  const { public_key: publicKey } = await api("/push/vapid-public-key");
  const applicationServerKey = keyBytes(publicKey);
  let subscription = await registration.pushManager.getSubscription();
  if (subscription) {
    const known = subscription.options && subscription.options.applicationServerKey;
    const same = known && new Uint8Array(known).every((b, i) => b === applicationServerKey[i]);
    if (!same) {
      await subscription.unsubscribe();
      subscription = null;
    }
  }
  subscription ||= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  const { endpoint, keys } = subscription.toJSON();
  await api("/push/subscriptions", { method: "POST", body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } } });
}

export async function disableAlerts() {
  if (!alertsSupported()) return;
  const registration = await navigator.serviceWorker.getRegistration("/");
  const subscription = registration && (await registration.pushManager.getSubscription());
  if (!subscription) return;
  // Unsubscribed here first: even if the server cannot be told now, the push service will answer 410.
  await subscription.unsubscribe();
  await api("/push/subscriptions", { method: "DELETE", body: { endpoint: subscription.endpoint } });
}
