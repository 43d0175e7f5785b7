"""Push alerts on the phone: the service worker shows an alert delivered through the DevTools protocol
(headless Chromium has no push service), and a tap on it opens the referral, or the inbox offline."""

from __future__ import annotations

import base64
import json
import time

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from app.directory.models import Agency
from app.push.models import PushSubscription
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e

NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
    .map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data}))"""
# Runs inside the service worker: what the browser does when the person taps the alert.
TAP_ALERT = """async () => {
    const [alert] = await self.registration.getNotifications();
    self.dispatchEvent(new NotificationEvent("notificationclick", { notification: alert }));
    return alert.data;
}"""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def registration_id(cdp) -> str:
    """The service worker registration's id, as the DevTools protocol reports it."""
    found: list[str] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: found.extend(r["registrationId"] for r in event["registrations"] if not r["isDeleted"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not found and time.monotonic() < deadline:
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets events arrive
        time.sleep(0.05)
    assert found, "no service worker registration reported"
    return found[0]


@pytest.fixture
def referral_for_hope_mission(make_account, field_api, server_db):
    officer = make_account("officer")
    api = field_api(officer)
    agency_id = server_db.read(lambda s: s.scalar(sa.select(Agency.id).where(Agency.name == "Hope Mission")))
    person = api.entry("person", display_name="Robin")
    referral = api.entry("referral", person_id=person["id"], agency_id=agency_id, service="food",
                         urgency="emergent", consent_obtained=False)
    api.sync(person, referral)
    return referral["id"]


def test_a_pushed_alert_is_shown_and_a_tap_opens_the_referral_or_offline_the_inbox(
        new_phone, make_account, referral_for_hope_mission):
    navigator = make_account("navigator", team=None)  # an agency's navigator outside the referring team
    phone = new_phone(notifications=True).sign_in(navigator.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    cdp = phone.context.new_cdp_session(phone.page)
    payload = {"type": "referral.created", "referral_id": referral_for_hope_mission, "version": 1,
               "urgency": "emergent", "title": "New emergent referral", "body": "Food · Hope Mission"}

    registration = registration_id(cdp)
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": phone.base_url, "registrationId": registration,
                                                  "data": json.dumps(payload)})
    shown = wait_for(lambda: phone.page.evaluate(NOTIFICATIONS), message="the notification")
    assert shown == [{"title": "New emergent referral", "body": "Food · Hope Mission",
                      "tag": f"referral-{referral_for_hope_mission}",
                      "data": {"type": "referral.created", "referral_id": referral_for_hope_mission,
                               "repeat": False}}]

    # The server sends at least once: the same alert again replaces the first without alerting again.
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": phone.base_url, "registrationId": registration,
                                                  "data": json.dumps(payload)})
    wait_for(lambda: [n["data"]["repeat"] for n in phone.page.evaluate(NOTIFICATIONS)] == [True],
             message="the repeat shown silently in place of the first")

    phone.go("/people").heading("People")
    worker = phone.context.service_workers[0]
    assert worker.evaluate(TAP_ALERT)["referral_id"] == referral_for_hope_mission
    expect(phone.page).to_have_url(f"{phone.base_url}/#/referral/{referral_for_hope_mission}")
    phone.heading("Referral: Food")
    expect(phone.page.get_by_text("Name not shared (no consent)")).to_be_visible()

    # Another alert arrives; the phone loses its connection before the tap.
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": phone.base_url, "registrationId": registration,
                                                  "data": json.dumps({**payload, "type": "referral.updated",
                                                                      "version": 2})})
    wait_for(lambda: [n["data"]["repeat"] for n in phone.page.evaluate(NOTIFICATIONS)] == [False],
             message="the second alert, shown as new")
    phone.go("/people").heading("People")
    phone.offline()
    phone.expect_status("Offline")
    worker.evaluate(TAP_ALERT)
    expect(phone.page).to_have_url(f"{phone.base_url}/#/inbox")
    phone.heading("Referral inbox")
    assert phone.errors == []


def test_enable_alerts_subscribes_with_the_servers_key_and_registers_the_subscription(
        new_phone, make_account, server_db, live_server):
    """Headless Chromium has no push service, so the browser's subscribe() is stood in for: the test checks
    the app asks with the server's VAPID key and registers exactly what the browser handed back."""
    officer = make_account("officer")
    browser_key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    subscription = {"endpoint": f"https://fcm.googleapis.com/fcm/send/e2e-{officer.id}",
                    "keys": {"p256dh": b64url(browser_key), "auth": b64url(b"0123456789abcdef")}}
    phone = new_phone(notifications=True)
    phone.context.add_init_script(f"""(() => {{
        const subscription = {json.dumps(subscription)};
        PushManager.prototype.getSubscription = async () => null;
        PushManager.prototype.subscribe = async function (options) {{
          window.askedWithKey = Array.from(new Uint8Array(options.applicationServerKey));
          return {{ endpoint: subscription.endpoint, options, toJSON: () => subscription,
                    unsubscribe: async () => true }};
        }};
    }})()""")
    phone.sign_in(officer.username).wait_until_offline_ready()

    phone.tap("Enable alerts")
    expect(phone.page.get_by_text("Alerts are on")).to_be_visible()
    server_key = phone.page.evaluate("fetch('/api/v1/push/vapid-public-key').then(r => r.json())")["public_key"]
    asked = bytes(phone.page.evaluate("window.askedWithKey"))
    assert b64url(asked) == server_key
    stored = server_db.read(lambda s: [(p.endpoint, p.p256dh, p.auth) for p in s.scalars(
        sa.select(PushSubscription).where(PushSubscription.user_id == officer.id))])
    assert stored == [(subscription["endpoint"], subscription["keys"]["p256dh"], subscription["keys"]["auth"])]
