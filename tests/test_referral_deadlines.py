"""Referral deadlines: REFERRAL_RESPONSE_HOURS by urgency, GET /referrals?overdue=true, and the re-alerts
of an overdue referral (the agency again, then the referring team's supervisors) through real Redis, a
real rq worker and a real Web Push receiver: each step exactly once, across sweeps and worker restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import jobs
from app.config import _response_hours
from app.directory.models import Team
from app.extensions import db as _db
from app.push import overdue, vapid
from app.push.models import PendingAlert
from app.referrals import deadlines
from app.referrals.models import Referral
from testkit import entries as e
from testkit import factories
from testkit.push_records import IDENTITY, make_person, make_referral, subscribe

REPO = Path(__file__).resolve().parent.parent


def test_response_hours_default_to_1_24_72_and_are_configurable():
    assert _response_hours(None) == {"emergent": 1.0, "urgent": 24.0, "routine": 72.0}
    assert _response_hours("urgent=12, routine=48") == {"emergent": 1.0, "urgent": 12.0, "routine": 48.0}
    for bad in ("soon=3", "urgent=0", "urgent=x"):
        with pytest.raises(ValueError):
            _response_hours(bad)


def _referral(officer, agency, *, urgency: str, hours_ago: float) -> Referral:
    referral = make_referral(officer, make_person(officer), agency, urgency=urgency)
    referral.made_at = datetime.now(UTC) - timedelta(hours=hours_ago)
    _db.session.flush()
    return referral


def test_the_inbox_filters_overdue_referrals_and_says_when_each_is_due(db, client, officer, navigator, agency):
    late_emergent = _referral(officer, agency, urgency="emergent", hours_ago=1.5)
    fresh_emergent = _referral(officer, agency, urgency="emergent", hours_ago=0.5)
    late_urgent = _referral(officer, agency, urgency="urgent", hours_ago=25)
    fresh_routine = _referral(officer, agency, urgency="routine", hours_ago=70)
    answered = _referral(officer, agency, urgency="emergent", hours_ago=5)
    answered.status = "declined"
    _db.session.flush()
    inbox = client.sign_in_as(navigator)

    listed = inbox.get("/referrals", query_string={"agency_id": agency.id, "overdue": "true"})
    assert listed.status_code == 200
    assert {r["id"] for r in listed.get_json()} == {late_emergent.id, late_urgent.id}
    assert all(r["overdue"] is True for r in listed.get_json())
    on_time = inbox.get("/referrals", query_string={"agency_id": agency.id, "overdue": "false"}).get_json()
    assert {r["id"] for r in on_time} == {fresh_emergent.id, fresh_routine.id, answered.id}
    assert not any(r["overdue"] for r in on_time)

    one = inbox.get(f"/referrals/{fresh_routine.id}").get_json()
    made = datetime.fromisoformat(one["made_at"])
    assert datetime.fromisoformat(one["due_at"]) - made == timedelta(hours=72)
    assert inbox.get("/referrals", query_string={"overdue": "maybe"}).status_code == 400


def test_deadlines_follow_referral_response_hours(db, app, client, officer, navigator, agency, monkeypatch):
    referral = _referral(officer, agency, urgency="urgent", hours_ago=13)
    inbox = client.sign_in_as(navigator)
    assert inbox.get(f"/referrals/{referral.id}").get_json()["overdue"] is False
    monkeypatch.setitem(app.config, "REFERRAL_RESPONSE_HOURS", _response_hours("urgent=12"))
    assert inbox.get(f"/referrals/{referral.id}").get_json()["overdue"] is True
    assert [r["id"] for r in inbox.get("/referrals?overdue=true").get_json()] == [referral.id]


def test_a_phone_sees_due_at_and_overdue_in_the_changes_feed(db, client, officer, agency):
    phone = client.sign_in_as(officer)
    person = e.person()
    referral = e.referral(person["id"], agency.id, urgency="emergent",
                          made_at=(datetime.now(UTC) - timedelta(hours=2)).isoformat())
    assert e.statuses(phone.post("/sync", e.batch(person, referral))) == ["created", "created"]
    feed = phone.get("/sync/changes").get_json()
    [record] = [r for r in feed["referrals"] if r["id"] == referral["id"]]
    assert record["overdue"] is True
    assert datetime.fromisoformat(record["due_at"]) == datetime.fromisoformat(record["made_at"]) + timedelta(hours=1)


# --- re-alerts through the worker -----------------------------------------------------------------

@pytest.fixture
def overdue_world(push_world):
    """push_world plus the referring team's supervisors, a supervisor of another team, subscriptions."""
    team = _db.session.get(Team, push_world.officer.team_id)
    other_team = factories.make_team("Whyte Ave HELP")
    push_world.supervisor = factories.make_user("supervisor", team=team)
    push_world.second_supervisor = factories.make_user("supervisor", team=team)
    push_world.elsewhere_supervisor = factories.make_user("supervisor", team=other_team)
    receiver = push_world.receiver
    push_world.devices = {name: subscribe(getattr(push_world, name), receiver) for name in (
        "navigator", "colleague", "other_agency", "officer", "supervisor", "second_supervisor",
        "elsewhere_supervisor")}
    _db.session.commit()
    return push_world


def _overdue_referral(world, *, urgency: str = "emergent", hours_ago: float = 1.5) -> Referral:
    person = make_person(world.officer, **IDENTITY)
    referral = make_referral(world.officer, person, world.agency, urgency=urgency)
    referral.made_at = datetime.now(UTC) - timedelta(hours=hours_ago)
    jobs.commit()
    return referral


def _payload_types(world, name: str) -> list[str]:
    return [m.payload["type"] for m in world.receiver.delivered(world.devices[name])]


def test_an_overdue_referral_alerts_the_agency_again_then_the_teams_supervisors_once_each(overdue_world,
                                                                                         rq_worker):
    world = overdue_world
    referral = _overdue_referral(world, hours_ago=1.5)  # emergent: due after 1 h, escalated after 2 h
    assert overdue.sweep() == 1
    rq_worker.drain()
    assert _payload_types(world, "navigator") == ["referral.overdue"]
    assert _payload_types(world, "colleague") == ["referral.overdue"]
    [message] = world.receiver.delivered(world.devices["navigator"])
    assert message.payload == {"type": "referral.overdue", "referral_id": referral.id, "version": 1,
                               "urgency": "emergent", "title": "Overdue emergent referral: housing",
                               "body": "A referral in your agency's inbox is past its response time."}
    assert _payload_types(world, "supervisor") == []

    assert overdue.sweep() == 0 and overdue.sweep() == 0  # the step is taken: sweeping again sends nothing
    rq_worker.drain()
    assert _payload_types(world, "navigator") == ["referral.overdue"]

    later = datetime.now(UTC) + timedelta(hours=1)  # two response periods after it was made
    assert overdue.sweep(later) == 1
    assert overdue.sweep(later + timedelta(days=3)) == 0  # no third step
    rq_worker.drain()
    assert _payload_types(world, "supervisor") == ["referral.escalated"]
    assert _payload_types(world, "second_supervisor") == ["referral.escalated"]
    assert _payload_types(world, "navigator") == ["referral.overdue"]  # the agency is not told twice
    for name in ("elsewhere_supervisor", "other_agency", "officer"):
        assert _payload_types(world, name) == [], name
    for message in world.receiver.requests():
        for detail in IDENTITY.values():
            assert str(detail) not in str(message.payload) and str(detail).encode() not in message.body
    assert rq_worker.failed_jobs() == []


def test_answered_and_on_time_referrals_are_not_re_alerted(overdue_world, rq_worker):
    world = overdue_world
    on_time = _overdue_referral(world, urgency="routine", hours_ago=71)
    answered = _overdue_referral(world, urgency="emergent", hours_ago=5)
    answered.status = "accepted"
    jobs.commit()
    assert overdue.sweep() == 0
    # The routine one falls due an hour later; the accepted one never does.
    assert overdue.sweep(datetime.now(UTC) + timedelta(hours=2)) == 1
    rq_worker.drain()
    assert _payload_types(world, "navigator") == ["referral.overdue"]
    assert world.receiver.delivered(world.devices["navigator"])[0].payload["referral_id"] == on_time.id


def test_a_step_is_taken_once_even_by_two_sweepers(overdue_world):
    referral = _overdue_referral(overdue_world, hours_ago=3)
    assert deadlines.take_escalation_step(referral.id, 1) is True
    assert deadlines.take_escalation_step(referral.id, 1) is False  # the second sweeper finds it taken
    assert deadlines.take_escalation_step(referral.id, 3) is False  # steps go in order
    _db.session.rollback()


@pytest.fixture
def worker_env(app, database_url, redis_server, rq_worker, push_receiver):
    return os.environ | {
        "APP_ENV": "test", "SECRET_KEY": "test-secret-key", "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url, "VAPID_PRIVATE_KEY": vapid.private_key_pem(),
        "PUSH_ENDPOINT_ALLOWLIST": push_receiver.host, "PUSH_ALLOW_HTTP": "1",
    }


def _start_worker(env, log: Path) -> subprocess.Popen:
    with log.open("a") as output:
        return subprocess.Popen([sys.executable, "-m", "workers", "--flush-interval", "1"], cwd=REPO, env=env,
                                stdout=output, stderr=subprocess.STDOUT)


@pytest.mark.slow
def test_the_worker_process_re_alerts_once_across_a_kill_and_a_restart(overdue_world, worker_env, tmp_path):
    """`python -m workers` sweeps every round: killed (-9) after the first step and started again, it
    neither repeats that step nor loses the next."""
    world = overdue_world
    log = tmp_path / "worker.log"
    _overdue_referral(world, hours_ago=1.5)
    _db.session.remove()
    worker = _start_worker(worker_env, log)
    try:
        assert world.receiver.wait_for(2, timeout=60) == 2, log.read_text()[-5000:]  # two navigator phones
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        worker = _start_worker(worker_env, log)
        time.sleep(4)  # several sweep rounds of the new worker
        assert len(world.receiver.delivered()) == 2, log.read_text()[-5000:]
        # The second step falls due (as if an hour had passed): the restarted worker takes it, once.
        with _db.engine.begin() as connection:
            connection.execute(sa.update(Referral).values(made_at=datetime.now(UTC) - timedelta(hours=2.5)))
        assert world.receiver.wait_for(4, timeout=60) == 4, log.read_text()[-5000:]
        time.sleep(3)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert _payload_types(world, "navigator") == ["referral.overdue"]
    assert _payload_types(world, "colleague") == ["referral.overdue"]
    assert _payload_types(world, "supervisor") == ["referral.escalated"]
    assert _payload_types(world, "second_supervisor") == ["referral.escalated"]
    assert len(world.receiver.delivered()) == 4
    kinds = _db.session.scalars(sa.select(PendingAlert.kind).order_by(PendingAlert.id)).all()
    assert kinds == ["referral.overdue", "referral.escalated"]
