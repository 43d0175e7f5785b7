"""Push subscriptions: the VAPID key, subscribing, unsubscribing, and which endpoints are accepted."""

import base64

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.push import services, vapid
from app.push.endpoints import EndpointRefused, check
from app.push.models import PendingAlert, PushDelivery, PushSubscription
from testkit.push_receiver import Device
from testkit.push_records import make_person, make_referral

MOZILLA = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk"


def browser_subscription(endpoint: str = MOZILLA) -> dict:
    return Device(id="x", endpoint=endpoint).subscription()


def subscriptions(db) -> list[PushSubscription]:
    return list(db.session.scalars(sa.select(PushSubscription).order_by(PushSubscription.id)))


def test_vapid_public_key_is_the_servers_uncompressed_p256_point(client):
    response = client.get("/push/vapid-public-key")
    assert response.status_code == 200
    key = response.get_json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4
    assert key == vapid.public_key_b64url()


def test_signed_in_user_subscribes_a_browser(as_officer, officer, db):
    response = as_officer.post("/push/subscriptions", browser_subscription())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["endpoint"] == MOZILLA
    [stored] = subscriptions(db)
    assert (stored.user_id, stored.endpoint) == (officer.id, MOZILLA)


def test_subscribing_the_same_endpoint_again_updates_its_keys(as_officer, db):
    as_officer.post("/push/subscriptions", browser_subscription())
    renewed = browser_subscription()
    assert as_officer.post("/push/subscriptions", renewed).status_code == 201
    [stored] = subscriptions(db)
    assert (stored.p256dh, stored.auth) == (renewed["keys"]["p256dh"], renewed["keys"]["auth"])


def test_an_endpoint_signed_into_by_someone_else_becomes_theirs_without_the_old_owners_alerts(
        client, make_client, officer, navigator, agency, db):
    client.sign_in_as(officer).post("/push/subscriptions", browser_subscription())
    [first] = subscriptions(db)
    referral = make_referral(officer, make_person(officer), agency)
    alert = PendingAlert(kind="referral.created", referral_id=referral.id, referral_version=1)
    db.session.add(alert)
    db.session.flush()
    db.session.add(PushDelivery(alert_id=alert.id, subscription_id=first.id, state="queued"))
    db.session.commit()

    second_user = make_client().sign_in_as(navigator)
    assert second_user.post("/push/subscriptions", browser_subscription()).status_code == 201
    [stored] = subscriptions(db)
    assert stored.user_id == navigator.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushDelivery)) == 0


def test_an_endpoint_changing_hands_is_deleted_and_subscribed_anew_and_the_move_is_audited(
        client, make_client, officer, navigator, db):
    client.sign_in_as(officer).post("/push/subscriptions", browser_subscription())
    client.post("/push/subscriptions", browser_subscription(MOZILLA + "-desk"))  # SQLite reuses the highest id
    [first, _desk] = subscriptions(db)
    first_id = first.id
    assert make_client().sign_in_as(navigator).post("/push/subscriptions", browser_subscription()).status_code == 201
    [_desk, stored] = subscriptions(db)
    assert stored.id != first_id and stored.user_id == navigator.id  # a new row, not the old one re-pointed
    [moved] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "push.subscription_moved")).all()
    assert (moved.actor_id, moved.target_type, moved.target_id) == (navigator.id, "user", str(officer.id))
    assert moved.detail == {"deleted_subscription": first_id, "new_subscription": stored.id}
    assert MOZILLA not in str(moved.detail)  # ids only: the endpoint is the browser's secret


def test_a_user_keeps_at_most_ten_subscriptions_and_the_oldest_goes_first(as_officer, officer, navigator, db):
    theirs = browser_subscription(MOZILLA + "-theirs")
    services.subscribe(navigator, theirs["endpoint"], theirs["keys"]["p256dh"], theirs["keys"]["auth"])
    for n in range(12):
        assert as_officer.post("/push/subscriptions", browser_subscription(f"{MOZILLA}-{n}")).status_code == 201
    mine = [s.endpoint for s in subscriptions(db) if s.user_id == officer.id]
    assert mine == [f"{MOZILLA}-{n}" for n in range(2, 12)]
    assert [s.endpoint for s in subscriptions(db) if s.user_id == navigator.id] == [theirs["endpoint"]]


def test_unsubscribing_removes_only_the_callers_own_subscription(client, make_client, officer, navigator, db):
    client.sign_in_as(officer).post("/push/subscriptions", browser_subscription())
    other = make_client().sign_in_as(navigator)
    assert other.delete("/push/subscriptions", {"endpoint": MOZILLA}).status_code == 204
    assert len(subscriptions(db)) == 1
    assert client.delete("/push/subscriptions", {"endpoint": MOZILLA}).status_code == 204
    assert subscriptions(db) == []
    assert client.delete("/push/subscriptions", {"endpoint": MOZILLA}).status_code == 204


def test_subscribing_needs_sign_in_and_the_csrf_token(client, officer, db):
    assert client.post("/push/subscriptions", browser_subscription()).status_code == 401
    assert client.delete("/push/subscriptions", {"endpoint": MOZILLA}).status_code == 401
    client.sign_in_as(officer)
    response = client.post("/push/subscriptions", browser_subscription(), headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "csrf_failed"
    assert subscriptions(db) == []


@pytest.mark.parametrize("endpoint, says", [
    ("http://updates.push.services.mozilla.com/wpush/v2/x", "https"),
    ("https://push.example.net/send/abc", "push.example.net is not an accepted push service"),
    ("https://fcm.googleapis.com.attacker.example/fcm/send/x", "not an accepted push service"),
    ("https://10.0.0.5/push/x", "private or local address (10.0.0.5)"),
    ("https://127.0.0.1:8443/push/x", "private or local address"),
    ("https://169.254.169.254/latest/meta-data", "private or local address"),
    ("https://[::1]/push/x", "private or local address"),
    ("https://[::ffff:192.168.1.4]/push/x", "private or local address"),
    ("https://8.8.8.8/push/x", "bare IP address"),
    ("https://user:secret@fcm.googleapis.com/fcm/send/x", "no user name or password"),
    ("ftp://fcm.googleapis.com/fcm/send/x", "https"),
    ("not a url", "https"),
    ("https://fcm.googleapis.com:8443/fcm/send/x", "port 8443"),
    ("https://fcm.googleapis.com/fcm/send/x\r\nX-Injected: 1", "control characters (CR, LF)"),
    ("https://fcm.googleapis.com/fcm/send/x\ny", "control characters (CR, LF)"),
    ("https://fcm.googleapis.com/fcm/send/a b", "spaces"),
])
def test_endpoints_that_are_not_allowlisted_push_services_are_refused_with_a_reason(as_officer, db, endpoint, says):
    response = as_officer.post("/push/subscriptions", browser_subscription(endpoint))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert says in error["message"] and error["fields"]["endpoint"] == [error["message"]]
    assert subscriptions(db) == []


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/abc",
    "https://web.push.apple.com/QGuQyavXuttc",
    "https://wns2-par02p.notify.windows.com/w/?token=abc",
    "https://fcm.googleapis.com:443/fcm/send/abc",
])
def test_the_browser_vendors_push_services_are_accepted_by_default(as_officer, db, endpoint):
    assert as_officer.post("/push/subscriptions", browser_subscription(endpoint)).status_code == 201


def test_a_local_address_is_accepted_only_when_listed_exactly_and_http_only_when_allowed(
        as_officer, app, db, monkeypatch):
    local = "http://127.0.0.1:9999/push/abc"
    monkeypatch.setitem(app.config, "PUSH_ENDPOINT_ALLOWLIST", ["127.0.0.1"])
    assert as_officer.post("/push/subscriptions", browser_subscription(local)).status_code == 400
    monkeypatch.setitem(app.config, "PUSH_ALLOW_HTTP", True)
    assert as_officer.post("/push/subscriptions", browser_subscription(local)).status_code == 201


def test_wildcards_match_names_under_the_domain_only():
    allow = ["*.push.services.mozilla.com"]
    assert check("https://a.push.services.mozilla.com/x", allow)
    for endpoint in ("https://push.services.mozilla.com/x", "https://evilpush.services.mozilla.com/x"):
        with pytest.raises(EndpointRefused):
            check(endpoint, allow)


@pytest.mark.parametrize("keys, field", [
    ({"p256dh": "bm90LWEta2V5", "auth": base64.urlsafe_b64encode(bytes(16)).decode()}, "keys.p256dh"),
    ({"p256dh": browser_subscription()["keys"]["p256dh"], "auth": "c2hvcnQ"}, "keys.auth"),
    ({"p256dh": browser_subscription()["keys"]["p256dh"]}, "keys.auth"),
])
def test_keys_that_are_not_a_browsers_are_400(as_officer, db, keys, field):
    response = as_officer.post("/push/subscriptions", {"endpoint": MOZILLA, "keys": keys})
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_openapi_documents_the_push_endpoints(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths["/api/v1/push/vapid-public-key"])
    assert {"post", "delete"} <= set(paths["/api/v1/push/subscriptions"])

