"""The browser half of the canary test (the server half is tests/test_canary.py).

A person, notes and a referral carrying a unique marker go through the real phone app: logged offline,
synced, referred with consent, opened, accepted by the agency's navigator, alerted. Then the marker is in
no Cache Storage cache on either phone (request URLs, headers, bodies), no line the live server logged
(request lines included), no file it wrote, no push message and no alert the phone showed; and after
signing out, nowhere on either phone: IndexedDB, caches, local and session storage, the page.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler

from app.auth.models import User
from app.push.models import PushSubscription
from app.push.services import forget
from app.referrals.models import Referral
from testkit.push_records import subscribe
from tests.e2e.conftest import QuietRequestHandler
from tests.e2e.phone import wait_for
from tests.e2e.test_push import NOTIFICATIONS, registration_id

pytestmark = pytest.mark.e2e

# Where a page of this origin keeps anything: every IndexedDB database (every store, every key and record,
# serialized), every Cache Storage cache (every request URL, response headers and body), local and session
# storage. Returns where `marker` occurs, and how much was searched (so an empty search proves nothing).
FIND_ON_PHONE = """async (marker) => {
    const found = { indexedDB: [], caches: [], storage: [] };
    const searched = { databases: 0, records: 0, caches: 0, responses: 0 };
    const text = (value) => (typeof value === "string" ? value : JSON.stringify(value) ?? String(value));
    const look = (kind, place, value) => { if (text(value).includes(marker)) found[kind].push(place); };
    for (const { name } of await indexedDB.databases()) {
      searched.databases += 1;
      look("indexedDB", `database ${name}`, name);
      const db = await new Promise((resolve) => {
        const open = indexedDB.open(name);
        open.onupgradeneeded = () => open.transaction.abort();  // deleted meanwhile: never create it
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => resolve(null);
      });
      if (!db) continue;
      for (const store of db.objectStoreNames) {
        const all = (request) => new Promise((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        const objects = db.transaction(store).objectStore(store);
        const [keys, values] = await Promise.all([all(objects.getAllKeys()), all(objects.getAll())]);
        values.forEach((value, i) => {
          searched.records += 1;
          look("indexedDB", `${name}/${store}/${text(keys[i])}`, [keys[i], value]);
        });
      }
      db.close();
    }
    for (const name of await caches.keys()) {
      searched.caches += 1;
      look("caches", `cache ${name}`, name);
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        searched.responses += 1;
        look("caches", `${name} ${request.url}`, [request.url, [...request.headers], [...response.headers]]);
        look("caches", `${name} ${request.url} (body)`, await response.text());
      }
    }
    for (const [kind, storage] of [["localStorage", localStorage], ["sessionStorage", sessionStorage]]) {
      for (let i = 0; i < storage.length; i += 1) {
        look("storage", `${kind} ${storage.key(i)}`, [storage.key(i), storage.getItem(storage.key(i))]);
      }
    }
    return { found, searched };
}"""

CACHED_URLS = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
}"""


def find_on_phone(phone, marker: str) -> dict:
    return phone.page.evaluate(FIND_ON_PHONE, marker)


@pytest.fixture
def server_log(monkeypatch, caplog):
    """Everything the live server (threads of this process) logs, request lines included.

    Every logger is switched on, whatever earlier tests' logging set-up did; only SQLAlchemy keeps its own
    default (WARNING), as in production: below that it echoes every statement with its parameters.
    """
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
            monkeypatch.setattr(logger, "propagate", True)
            if name != "sqlalchemy":
                monkeypatch.setattr(logger, "level", logging.NOTSET)
    monkeypatch.setattr(logging.getLogger("sqlalchemy"), "level", logging.WARNING)
    # The e2e server leaves out its access log to keep the output short; here every request line counts.
    monkeypatch.setattr(QuietRequestHandler, "log_request", WSGIRequestHandler.log_request)
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def alerts_to_receiver(e2e_app, monkeypatch, push_receiver, server_db):
    """The live server sends push alerts to the local receiver (http on loopback), which decrypts them.

    Its subscriptions are removed afterwards: later tests' alerts must not go to a receiver that is gone.
    """
    monkeypatch.setitem(e2e_app.config, "PUSH_ENDPOINT_ALLOWLIST",
                        [*e2e_app.config["PUSH_ENDPOINT_ALLOWLIST"], push_receiver.host])
    monkeypatch.setitem(e2e_app.config, "PUSH_ALLOW_HTTP", True)
    yield push_receiver

    def forget_receivers_subscriptions(session):
        for subscription_id in session.scalars(sa.select(PushSubscription.id).where(
                PushSubscription.endpoint.startswith(push_receiver.origin))).all():
            forget(subscription_id)

    server_db.write(forget_receivers_subscriptions)


def test_canary_values_stay_out_of_caches_logs_and_push_and_sign_out_leaves_none_on_the_phone(
        new_phone, make_account, server_db, e2e_app, run_dir, server_log, alerts_to_receiver):
    marker = f"CANARY{uuid.uuid4().hex[:10]}"
    alias = f"{marker} Kestrel"
    officer, navigator = make_account("officer"), make_account("navigator")
    receiver = alerts_to_receiver
    devices = server_db.write(lambda s: {account.role: subscribe(s.get(User, account.id), receiver)
                                         for account in (officer, navigator)})

    # The officer logs an encounter with a new person and refers them, offline.
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.offline()
    phone.tap("Interaction").heading("Interaction")
    phone.tap("Add a new person")
    phone.page.get_by_label("Alias or name").fill(alias)
    phone.page.get_by_label("Description (optional)").fill(f"{marker} green jacket")
    phone.page.get_by_label("Housing", exact=True).check()
    phone.page.get_by_label("Notes (optional)").fill(f"{marker} said the shelter was full")
    phone.tap("Save")
    phone.tap(f"Refer {alias} to an agency", role="link")
    phone.heading("Make a referral")
    phone.page.get_by_label("Agency", exact=True).select_option(label="Hope Mission")
    phone.page.get_by_label("Service", exact=True).select_option(label="Housing")
    phone.page.get_by_label("The person agreed to share their details with this agency").check()
    phone.page.get_by_label("Notes (optional)").fill(f"{marker} needs a bed")
    phone.tap("Save referral")
    phone.heading("Log an encounter")
    phone.expect_status("Offline · 3 waiting to sync")

    # The search finds the marker where it is (the outbox, the phone's copy of the person), and would in a cache.
    queued = find_on_phone(phone, marker)
    mine = f"help-field-user-{officer.id}"
    stores = {place.split("/")[1] for place in queued["found"]["indexedDB"] if place.startswith(f"{mine}/")}
    assert stores >= {"outbox", "persons", "referrals"}, queued
    assert queued["found"]["caches"] == [] and queued["searched"]["responses"] > 10, queued
    phone.page.evaluate("async m => (await caches.open('canary-probe')).put('/probe', new Response(`x ${m} x`))", marker)
    assert find_on_phone(phone, marker)["found"]["caches"] == [f"canary-probe {phone.base_url}/probe (body)"]
    phone.page.evaluate("caches.delete('canary-probe')")

    phone.online()
    phone.expect_status("All synced")
    referral_id = wait_for(lambda: server_db.read(lambda s: s.scalar(
        sa.select(Referral.id).where(Referral.author_id == officer.id))), message="the referral on the server")

    # Screens whose API answers carry the marker, fetched by a page the service worker controls.
    with phone.page.expect_response(lambda r: r.url.endswith(f"/api/v1/referrals/{referral_id}")) as answer:
        phone.go(f"/referral/{referral_id}")
    phone.heading("Referral: Housing")
    expect(phone.page.get_by_text(f"{marker} needs a bed")).to_be_visible()
    assert marker in answer.value.text()
    assert not answer.value.from_service_worker and "no-store" in answer.value.headers["cache-control"]
    assert phone.page.evaluate("navigator.serviceWorker.controller !== null")
    phone.go("/people").heading("People")
    phone.page.get_by_role("link", name=alias).click()
    phone.heading(alias)

    # The agency's navigator is alerted, sees the consented name, and accepts with a note.
    inbox = new_phone(notifications=True).sign_in(navigator.username).wait_until_offline_ready()
    inbox.expect_status("All synced")
    assert receiver.wait_for(1) >= 1
    [alert] = receiver.delivered(devices["navigator"])
    cdp = inbox.context.new_cdp_session(inbox.page)
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": inbox.base_url, "registrationId": registration_id(cdp),
                                                  "data": alert.plaintext.decode()})
    shown = wait_for(lambda: inbox.page.evaluate(NOTIFICATIONS), message="the alert on the navigator's phone")
    assert shown[0]["data"]["referral_id"] == referral_id
    assert marker not in json.dumps(shown)
    inbox.tap("Referral inbox", role="link")
    inbox.heading("Referral inbox")
    card = inbox.page.locator(".referral-card", has=inbox.page.locator(f'a[href="#/referral/{referral_id}"]'))
    expect(card).to_contain_text(alias)
    card.get_by_label("Note (optional)").fill(f"{marker} bed at six")
    card.get_by_role("button", name="Accept").click()
    inbox.expect_status("All synced")
    wait_for(lambda: server_db.read(lambda s: s.scalar(sa.select(Referral.status).where(Referral.id == referral_id)))
             == "accepted", message="the acceptance on the server")
    with inbox.page.expect_response(lambda r: r.url.endswith(f"/api/v1/referrals/{referral_id}")) as answer:
        inbox.go(f"/referral/{referral_id}")
    expect(inbox.page.get_by_text(f"{marker} needs a bed")).to_be_visible()
    assert marker in answer.value.text()

    # Push: the agency heard of the referral, the officer of its acceptance; neither message names anyone.
    assert receiver.wait_for(2) == 2
    messages = receiver.requests()
    assert sorted(m.device_id for m in messages) == sorted(d.id for d in devices.values())
    for message in messages:
        assert message.payload["referral_id"] == referral_id  # decrypted: the search below reads the content
        assert marker not in json.dumps(message.headers)
        assert marker.encode() not in message.body and marker.encode() not in message.plaintext

    # Before signing out: the phones hold the person (their job) but their caches hold the app shell only.
    for device in (phone, inbox):
        held = find_on_phone(device, marker)
        assert held["found"]["indexedDB"], held
        assert held["found"]["caches"] == [] and held["found"]["storage"] == [], held
        urls = device.page.evaluate(CACHED_URLS)
        assert "/static/pwa/js/app.js" in urls and not [url for url in urls if url.startswith("/api/")], urls

    # Signing out (all synced: no question asked) wipes everything of theirs from both phones.
    for device in (phone, inbox):
        device.go("/").heading("Log an encounter")
        device.tap("Sign out")
        device.heading("Sign in")
        expect(device.page.get_by_text("Nothing of yours is left on this phone")).to_be_visible()
        left = find_on_phone(device, marker)
        assert left["found"] == {"indexedDB": [], "caches": [], "storage": []}, left
        assert left["searched"]["databases"] >= 1 and left["searched"]["responses"] > 10, left
        assert not [name for name in device.idb_names() if name.startswith("help-field-user-")]
        assert marker not in device.page.content()

    # The server's log: it did log this flow (request lines), never the marker; nor any file it wrote.
    lines = [record.getMessage() for record in server_log.records]
    assert any("POST /api/v1/sync" in line for line in lines), lines[:20]
    assert any(f"GET /api/v1/referrals/{referral_id}" in line for line in lines)
    assert not [line for line in lines if marker in line]
    assert marker not in server_log.text
    written = [path for path in Path(e2e_app.instance_path).rglob("*") if path.is_file()]
    written += [path for path in run_dir.rglob("*.log") if path.is_file()]
    assert not [path for path in written if marker.encode() in path.read_bytes()]
