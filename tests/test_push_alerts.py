"""Alerts through real Redis and a real rq worker to a real Web Push receiver: who gets what, and
that what they get is encrypted, signed, and says nothing about the person."""

import pytest
import sqlalchemy as sa

from app import jobs
from app.directory.models import Team
from app.extensions import db as _db
from app.push import alerts, vapid
from app.push import jobs as push_jobs
from app.push.jobs import deliver, deliver_alerts
from app.push.models import PushDelivery, PushSubscription
from app.referrals.models import Referral
from testkit.push_records import (
    IDENTITY,
    make_person,
    make_referral,
    move_referral,
    new_referral,
    subscribe,
)

PAYLOAD_KEYS = {"type", "referral_id", "version", "urgency", "title", "body"}


def test_a_new_referral_reaches_every_navigator_subscription_of_the_agency_once(push_world, rq_worker):
    mine = [subscribe(push_world.navigator, push_world.receiver), subscribe(push_world.navigator, push_world.receiver),
            subscribe(push_world.colleague, push_world.receiver)]
    others = [subscribe(u, push_world.receiver) for u in (push_world.officer, push_world.on_leave, push_world.other_agency)]
    referral = new_referral(push_world, urgency="urgent", service="housing")
    rq_worker.drain()

    for device in mine:
        [message] = push_world.receiver.delivered(device)
        assert message.payload == {"type": "referral.created", "referral_id": referral.id, "version": 1,
                                   "urgency": "urgent",
                                   "title": "Urgent referral: housing",
                                   "body": "A new referral is waiting in your agency's inbox."}
    assert all(push_world.receiver.requests(device) == [] for device in others)
    assert rq_worker.failed_jobs() == []


def test_a_forking_worker_delivers_from_its_child_process_too(push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    new_referral(push_world)
    rq_worker.drain(fork=True)
    assert len(push_world.receiver.delivered(device)) == 1
    assert _db.session.scalar(sa.select(PushDelivery.state)) == "sent"


def test_every_message_is_encrypted_and_signed_with_the_servers_vapid_key(push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    new_referral(push_world)
    rq_worker.drain()
    [message] = push_world.receiver.delivered(device)
    assert message.problem is None and message.headers["content-encoding"] == "aes128gcm"
    assert message.vapid_key == vapid.public_key_b64url()
    assert message.vapid_claims["aud"] == push_world.receiver.origin
    assert message.vapid_claims["sub"].startswith("mailto:")
    assert message.plaintext not in message.body


def test_no_identifying_detail_of_the_person_appears_anywhere_in_the_message(push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    referral = new_referral(push_world, notes="Sleeps behind the Shell station on 107 Ave")
    rq_worker.drain()
    [message] = push_world.receiver.delivered(device)
    assert set(message.payload) == PAYLOAD_KEYS
    # Everything the phone and the push service see, minus the referral's own random id (hex may hold digits).
    seen = " ".join([message.plaintext.decode(), *message.headers.values(), repr(message.body)])
    seen = seen.replace(referral.id, "").replace(referral.id.replace("-", ""), "")
    for detail in [*IDENTITY.values(), "Shell station"]:
        assert str(detail).lower() not in seen.lower(), detail


def test_push_headers_carry_urgency_a_ttl_and_a_per_referral_topic(push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    referrals = {u: new_referral(push_world, urgency=u) for u in ("emergent", "urgent", "routine")}
    rq_worker.drain()
    by_referral = {m.payload["referral_id"]: m.headers for m in push_world.receiver.delivered(device)}
    expected = {"emergent": "high", "urgent": "high", "routine": "normal"}
    for urgency, referral in referrals.items():
        headers = by_referral[referral.id]
        assert headers["urgency"] == expected[urgency]
        assert headers["ttl"] == str(12 * 3600)
        assert headers["topic"] == referral.id.replace("-", "") and len(headers["topic"]) <= 32


def test_a_status_change_reaches_the_referrer_and_not_the_navigator_who_made_it(push_world, rq_worker):
    referrer = subscribe(push_world.officer, push_world.receiver)
    navigator = subscribe(push_world.navigator, push_world.receiver)
    referral = new_referral(push_world)
    rq_worker.drain()
    move_referral(referral, push_world.navigator, "accepted")
    alerts.announce("referral.updated", referral.id, referral.version)
    jobs.commit()
    rq_worker.drain()

    [message] = push_world.receiver.delivered(referrer)
    assert message.payload == {"type": "referral.updated", "referral_id": referral.id, "version": 2,
                               "urgency": "urgent",
                               "title": "Referral accepted: housing",
                               "body": "Your urgent referral for housing was accepted."}
    assert [m.payload["type"] for m in push_world.receiver.delivered(navigator)] == ["referral.created"]


@pytest.mark.parametrize("gone", [404, 410])
def test_a_subscription_the_push_service_no_longer_knows_is_deleted(push_world, rq_worker, gone):
    device = subscribe(push_world.navigator, push_world.receiver)
    kept = subscribe(push_world.colleague, push_world.receiver)
    push_world.receiver.answer(device, gone)
    new_referral(push_world)
    rq_worker.drain()
    remaining = set(_db.session.scalars(sa.select(PushSubscription.endpoint)))
    assert remaining == {kept.endpoint}
    assert len(push_world.receiver.delivered(kept)) == 1 and rq_worker.failed_jobs() == []


@pytest.mark.parametrize("busy", [503, 500, 429])
def test_a_busy_push_service_is_retried_and_the_alert_delivered_exactly_once(push_world, rq_worker, busy):
    device = subscribe(push_world.navigator, push_world.receiver)
    push_world.receiver.answer(device, busy)
    new_referral(push_world)
    rq_worker.drain()
    assert [r.status for r in push_world.receiver.requests(device)] == [busy, 201]
    delivery = _db.session.scalar(sa.select(PushDelivery))
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert rq_worker.failed_jobs() == []


def test_one_busy_phone_is_retried_alone_while_the_others_get_the_alert_once(push_world, rq_worker):
    busy = subscribe(push_world.navigator, push_world.receiver)
    fine = subscribe(push_world.colleague, push_world.receiver)
    push_world.receiver.answer(busy, 503)
    new_referral(push_world)
    rq_worker.drain()
    assert [r.status for r in push_world.receiver.requests(busy)] == [503, 201]
    assert [r.status for r in push_world.receiver.requests(fine)] == [201]
    attempts = _db.session.execute(sa.select(PushDelivery.state, PushDelivery.attempts)
                                   .order_by(PushDelivery.subscription_id)).all()
    assert [tuple(a) for a in attempts] == [("sent", 2), ("sent", 1)]


def test_an_alert_job_out_of_time_hands_the_rest_to_jobs_of_their_own(push_world, rq_worker, monkeypatch):
    devices = [subscribe(push_world.navigator, push_world.receiver),
               subscribe(push_world.colleague, push_world.receiver)]
    monkeypatch.setattr(push_jobs, "SEND_BUDGET_SECONDS", -1)  # spent once the first phone has its alert
    new_referral(push_world)
    rq_worker.drain()
    assert [len(push_world.receiver.requests(d)) for d in devices] == [1, 1]
    rows = _db.session.execute(sa.select(PushDelivery.state, PushDelivery.attempts)).all()
    assert [tuple(r) for r in rows] == [("sent", 1), ("sent", 1)]  # the deferred try was given back


def test_retries_end_in_the_failed_registry_with_the_reason(push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    push_world.receiver.answer(device, 503, 503, 503, 503)
    new_referral(push_world)
    rq_worker.drain()
    assert [r.status for r in push_world.receiver.requests(device)] == [503] * 4
    [job] = rq_worker.failed_jobs()
    assert "push service answered 503" in job.latest_result().exc_string
    assert "gave up after 4 attempts" in job.latest_result().exc_string
    assert _db.session.scalar(sa.select(PushDelivery.state)) == "failed"


def test_a_refused_alert_is_not_retried_and_fails_with_the_reason(push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    push_world.receiver.answer(device, 400)
    new_referral(push_world)
    rq_worker.drain()
    assert [r.status for r in push_world.receiver.requests(device)] == [400]
    [job] = rq_worker.failed_jobs()
    assert "push service answered 400" in job.latest_result().exc_string
    delivery = _db.session.scalar(sa.select(PushDelivery))
    assert (delivery.state, delivery.last_status) == ("failed", 400)


def test_running_the_same_job_twice_delivers_once(push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    new_referral(push_world)
    alert_id, subscription_id = _db.session.execute(
        sa.select(PushDelivery.alert_id, PushDelivery.subscription_id)).one()
    rq_worker.queue.enqueue(deliver, alert_id, subscription_id)  # a second copy, as a race would make
    rq_worker.drain()
    rq_worker.queue.enqueue(deliver, alert_id, subscription_id)  # and a third, after the fact
    rq_worker.drain()
    assert len(push_world.receiver.requests(device)) == 1


def test_jobs_are_enqueued_only_after_commit_one_per_alert(push_world, rq_worker):
    first = subscribe(push_world.navigator, push_world.receiver)
    second = subscribe(push_world.colleague, push_world.receiver)
    referral = make_referral(push_world.officer, make_person(push_world.officer), push_world.agency)
    alerts.announce("referral.created", referral.id, 1)
    _db.session.flush()
    jobs.run_after_commit()
    assert rq_worker.queue.count == 0
    jobs.commit()
    assert rq_worker.queue.count == 1  # one job sends the alert to both navigators' phones
    rq_worker.drain()
    assert len(push_world.receiver.delivered(first)) == len(push_world.receiver.delivered(second)) == 1


def test_alerts_of_one_commit_share_jobs_of_whole_alerts_and_each_phone_gets_each_once(push_world, rq_worker,
                                                                                         monkeypatch):
    monkeypatch.setattr(push_jobs, "DELIVERIES_PER_JOB", 4)
    devices = [subscribe(push_world.navigator, push_world.receiver),
               subscribe(push_world.colleague, push_world.receiver)]
    for _ in range(3):
        referral = make_referral(push_world.officer, make_person(push_world.officer), push_world.agency)
        alerts.announce("referral.created", referral.id, 1)
    jobs.commit()
    assert rq_worker.queue.count == 2  # 2 alerts x 2 phones, then the third alert
    rq_worker.drain()
    for device in devices:
        assert sorted(m.payload["referral_id"] for m in push_world.receiver.delivered(device)) == sorted(
            str(r) for r in _db.session.scalars(sa.select(Referral.id)))


def test_an_alert_to_more_phones_than_a_job_holds_goes_alone_and_whole():
    specs = push_jobs.jobs_for_alerts({7: 3, 8: 80, 9: 20, 10: 40})
    assert [spec.args[0] for spec in specs] == [[7], [8], [9], [10]]
    assert push_jobs.jobs_for_alerts({1: 10, 2: 10, 3: 10})[0].args[0] == [1, 2, 3]


def test_running_the_alert_job_again_or_beside_a_retry_job_delivers_once(push_world, rq_worker):
    first = subscribe(push_world.navigator, push_world.receiver)
    second = subscribe(push_world.colleague, push_world.receiver)
    new_referral(push_world)
    pairs = _db.session.execute(sa.select(PushDelivery.alert_id, PushDelivery.subscription_id)).all()
    alert_id = pairs[0][0]
    rq_worker.queue.enqueue(deliver_alerts, [alert_id])  # a second copy of the alert's job, as a race would make
    rq_worker.queue.enqueue(deliver, *pairs[0])  # and a recovery job for one of its deliveries
    rq_worker.drain()
    rq_worker.queue.enqueue(deliver_alerts, [alert_id])  # and once more, after the fact
    rq_worker.drain()
    assert len(push_world.receiver.requests(first)) == len(push_world.receiver.requests(second)) == 1
    states = _db.session.scalars(sa.select(PushDelivery.state).execution_options(populate_existing=True)).all()
    assert states == ["sent", "sent"]


def test_no_database_lock_is_held_while_waiting_for_the_push_service(push_world, rq_worker):
    """On SQLite any open transaction holds the write lock; a slow push service must not stall requests."""
    engine, outcomes = _db.engine, []

    def write_from_another_connection():
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # wait 0.2 s for the lock, not the app's 15 s (set on the driver, before BEGIN)
                conn.connection.driver_connection.execute("PRAGMA busy_timeout=200")
            try:
                with conn.begin():
                    conn.execute(sa.update(Team).values(division="Written during a push"))
                outcomes.append("written")
            except Exception as exc:  # noqa: BLE001  (recorded for the assertion below)
                outcomes.append(repr(exc))
            finally:
                if sqlite:
                    conn.connection.driver_connection.execute("PRAGMA busy_timeout=15000")

    device = subscribe(push_world.navigator, push_world.receiver)
    push_world.receiver.while_sending = write_from_another_connection
    new_referral(push_world)
    rq_worker.drain()
    assert len(push_world.receiver.delivered(device)) == 1
    assert outcomes == ["written"]
