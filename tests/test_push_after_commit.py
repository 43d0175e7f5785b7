"""Work decided in a transaction runs only after it commits; without Redis, alerts go out inline."""

import sqlalchemy as sa
from flask import Response

from app import jobs
from app.push import alerts
from app.push.models import PendingAlert, PushDelivery
from testkit import entries as e
from testkit import factories
from testkit.push_records import make_person, make_referral, subscribe


class Recorder:
    def __init__(self):
        self.calls: list[list] = []

    def __call__(self, items: list) -> None:
        self.calls.append(list(items))


def test_work_runs_once_after_commit_with_every_item_registered_for_it(db):
    record = Recorder()
    db.session.execute(sa.text("SELECT 1"))
    for item in (1, 2, 3):
        jobs.after_commit(record, item)
    jobs.run_after_commit()
    assert record.calls == []
    db.session.commit()
    jobs.run_after_commit()
    jobs.run_after_commit()
    assert record.calls == [[1, 2, 3]]


def test_a_rolled_back_savepoint_forgets_only_its_own_work(db):
    record = Recorder()
    db.session.execute(sa.text("SELECT 1"))
    jobs.after_commit(record, "before")
    with db.session.begin_nested():
        jobs.after_commit(record, "released savepoint")
    savepoint = db.session.begin_nested()
    jobs.after_commit(record, "rolled back savepoint")
    savepoint.rollback()
    jobs.commit()
    assert record.calls == [["before", "released savepoint"]]


def test_a_rolled_back_transaction_forgets_everything(db):
    record = Recorder()
    db.session.execute(sa.text("SELECT 1"))
    jobs.after_commit(record, "never")
    db.session.rollback()
    jobs.commit()
    assert record.calls == []


def test_the_request_hands_work_over_right_after_its_commit(app, db):
    record = Recorder()
    with app.test_request_context("/api/v1/anything", method="POST"):
        db.session.execute(sa.text("SELECT 1"))
        jobs.after_commit(record, "decided in the request")
        app.process_response(Response())
    assert record.calls == [["decided in the request"]]


def test_inline_mode_sends_the_alert_right_after_commit_and_not_before(db, push_settings, agency):
    receiver = push_settings
    officer = factories.make_user("officer")
    device = subscribe(factories.make_user("navigator", agency=agency), receiver)
    referral = make_referral(officer, make_person(officer), agency, urgency="emergent")
    alerts.announce("referral.created", referral.id, 1)
    db.session.flush()
    assert receiver.requests() == []
    jobs.commit()
    [message] = receiver.delivered(device)
    assert message.payload["referral_id"] == referral.id and message.payload["type"] == "referral.created"
    assert db.session.scalar(sa.select(PendingAlert.enqueued_at)) is not None
    assert db.session.scalar(sa.select(PushDelivery.state)) == "sent"


def test_an_alert_whose_transaction_rolled_back_is_never_sent(db, push_settings, agency):
    receiver = push_settings
    officer = factories.make_user("officer")
    subscribe(factories.make_user("navigator", agency=agency), receiver)
    db.session.commit()
    referral = make_referral(officer, make_person(officer), agency)
    alerts.announce("referral.created", referral.id, 1)
    db.session.rollback()
    jobs.commit()
    assert receiver.requests() == []


def test_a_referral_synced_from_the_phone_alerts_the_agencys_navigator(client, officer, agency, db, push_settings):
    receiver = push_settings
    device = subscribe(factories.make_user("navigator", agency=agency), receiver)
    db.session.commit()
    person = e.person()
    referral = e.referral(person["id"], agency.id, urgency="emergent", service="mental_health")
    assert e.statuses(client.sign_in_as(officer).post("/sync", e.batch(person, referral))) == ["created", "created"]
    [message] = receiver.delivered(device)
    assert message.payload == {"type": "referral.created", "referral_id": referral["id"], "version": 1,
                               "urgency": "emergent",
                               "title": "Emergent referral: mental health",
                               "body": "A new referral is waiting in your agency's inbox."}


def test_without_redis_a_busy_push_service_is_retried_by_the_flush(app, db, push_settings, agency):
    receiver = push_settings
    officer = factories.make_user("officer")
    device = subscribe(factories.make_user("navigator", agency=agency), receiver)
    receiver.answer(device, 503)
    referral = make_referral(officer, make_person(officer), agency)
    alerts.announce("referral.created", referral.id, 1)
    jobs.commit()
    assert [r.status for r in receiver.requests(device)] == [503]
    assert db.session.scalar(sa.select(PushDelivery.state)) == "waiting"

    result = app.test_cli_runner().invoke(args=["push", "flush", "--lost-after", "0"])
    assert result.exit_code == 0 and "1 unfinished delivery(ies) sent again" in result.output
    assert [r.status for r in receiver.requests(device)] == [503, 201]
    assert db.session.scalar(sa.select(PushDelivery.state)) == "sent"
