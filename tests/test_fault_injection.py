"""Fault injection with real processes: phones keep syncing encounters, people and referrals while the
web server is killed (kill -9) again and again, the push worker is killed and restarted, Redis is
stopped and comes back empty, and the database is held locked. Afterwards every entry is stored
exactly once, and every referral's alert reached each of the agency's subscribed browsers exactly once.

Processes: gunicorn (2 workers), `python -m workers`, redis-server and a Web Push receiver that
decrypts what it gets (testkit/push_processes.py); the test and its phone threads are the rest.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from app.encounters.models import Encounter
from app.people.models import Person
from app.push.jobs import ALERT_QUEUE
from app.push.models import UNFINISHED_STATES, PendingAlert, PushDelivery
from app.referrals.models import Referral
from testkit import entries as e
from testkit import factories
from testkit.live_server import ROOT, LiveServer, Phone
from testkit.push_processes import ReceiverProcess, WorkerProcess
from testkit.services import RedisServer

pytestmark = pytest.mark.slow
PHONES = 6
GAP = 0.8  # seconds of normal syncing between two faults
NAME = "Quillon Marrowfeather"  # on every person the phones make: must never reach a push message


class FieldPhone:
    """A phone with an outbox: entries leave it only when the server said created or duplicate."""

    def __init__(self, server: LiveServer, username: str, agency_id: int, seed: int):
        self.phone = Phone(server, username, factories.PASSWORD)
        self.agency_id = agency_id
        self.rng = random.Random(seed)
        self.outbox: list[dict] = []
        self.made: set[str] = set()
        self.referrals: set[str] = set()
        self.rejected: list[dict] = []
        self.syncs = 0
        self.failures = 0

    def make(self, count: int) -> None:
        for _ in range(count):
            entry = e.encounter(self.rng.choice(["interaction", "consultation", "primary_response"]))
            self._keep(entry)
        if self.rng.random() < 0.3:  # someone is referred: the person, then the referral to the agency
            person = e.person(display_name=NAME)
            referral = e.referral(person["id"], self.agency_id)
            self._keep(person, referral)
            self.referrals.add(referral["id"])

    def _keep(self, *entries: dict) -> None:
        self.outbox.extend(entries)
        self.made.update(x["id"] for x in entries)

    def try_sync(self) -> None:
        if not self.outbox:
            return
        batch = self.outbox[: self.rng.choice([1, 5, 20, 60])]
        try:
            if self.phone.csrf is None:
                self.phone.sign_in()
            response = self.phone.sync(e.batch(*batch), timeout=30)
        except requests.RequestException:
            self._failed()
            return
        if response.status_code != 200:
            if response.status_code == 401:
                self.phone.csrf = None
            self._failed()
            return
        self.syncs += 1
        results = response.json()["results"]
        self.rejected += [r for r in results if r["status"] not in ("created", "duplicate")]
        done = {r["id"] for r in results}
        self.outbox = [x for x in self.outbox if x["id"] not in done]

    def _failed(self) -> None:
        self.failures += 1
        time.sleep(self.rng.uniform(0.1, 0.3))  # the app backs off too (for longer)


def _hold_database_lock(database_url: str, seconds: float) -> None:
    """Another program holding the write lock (SQLite) or the busiest tables (PostgreSQL) for a while."""
    if database_url.startswith("sqlite:///"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()
        return
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        # Phones' syncs write encounters; the worker's claims write push_deliveries. No transaction
        # holds a push_deliveries lock while waiting for encounters, so this order cannot deadlock.
        conn.exec_driver_sql("LOCK TABLE encounters, push_deliveries IN ACCESS EXCLUSIVE MODE")
        time.sleep(seconds)
        conn.rollback()
    engine.dispose()


class Watch:
    """Counts read while the processes run, without taking SQLite's write lock: the app begins every
    SQLite transaction with BEGIN IMMEDIATE, and a paused worker may be holding that lock."""

    def __init__(self, database_url: str, engine: sa.Engine):
        self.engine = engine
        self.sqlite = None
        if database_url.startswith("sqlite:///"):
            self.sqlite = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None,
                                          check_same_thread=False)

    def count(self, statement: sa.Select) -> int:
        if self.sqlite is not None:
            sql = statement.compile(dialect=sqlite_dialect(), compile_kwargs={"literal_binds": True})
            return self.sqlite.execute(str(sql)).fetchone()[0]
        with self.engine.connect() as conn:
            return conn.scalar(statement)

    def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()


def _vapid_key() -> str:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def _push_flush(env: dict[str, str], workdir: Path) -> tuple[int, int]:
    """`flask push flush --lost-after 0`, as an operator would run it: (alerts handed over, deliveries re-sent).

    The worker's own periodic flush hands over alerts saved while Redis was down, but re-sends work
    that Redis lost only after alerts.LOST_AFTER (15 minutes), which this test cannot wait for.
    """
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "push", "flush", "--lost-after", "0"],
                            cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    with (workdir / "flush.log").open("a") as log:
        log.write(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(r"Handed over (\d+) alert\(s\).*; (\d+) unfinished delivery\(ies\) sent again", result.stdout)
    assert found, result.stdout
    return int(found.group(1)), int(found.group(2))


def _pause_until_jobs_wait(worker: WorkerProcess, queue: Queue, timeout: float = 10) -> None:
    """Pause the worker until jobs wait in the queue. It may have been paused inside a transaction
    that keeps the phones' syncs waiting (SQLite's write lock): then let it go on and try again."""
    deadline = time.monotonic() + timeout
    while True:
        worker.pause()
        waited = time.monotonic() + 2
        while queue.count == 0 and time.monotonic() < waited:
            time.sleep(0.1)
        if queue.count or time.monotonic() > deadline:
            return
        worker.resume()
        time.sleep(0.2)


def test_kills_outages_and_locks_lose_nothing_and_double_nothing(committed_db, database_url, tmp_path):
    started = time.monotonic()
    agency = factories.make_agency("Hope Mission")
    elsewhere = factories.make_agency("George Spady Society")
    team = factories.make_team()
    officers = [factories.make_user("officer", team=team).username for _ in range(3)]
    navigators = [factories.make_user("navigator", agency=agency).username for _ in range(2)]
    outsider = factories.make_user("navigator", agency=elsewhere).username
    committed_db.session.commit()

    redis = RedisServer(tmp_path / "redis").start()
    env = {"REDIS_URL": redis.url, "VAPID_PRIVATE_KEY": _vapid_key(), "PUSH_ENDPOINT_ALLOWLIST": "127.0.0.1",
           "PUSH_ALLOW_HTTP": "1", "APP_ENV": "test", "SECRET_KEY": "test-secret-key", "DATABASE_URL": database_url}
    receiver = ReceiverProcess(tmp_path / "receiver").start()
    server = LiveServer(database_url, tmp_path / "web", workers=2, extra_env=env)
    worker = WorkerProcess(tmp_path / "worker", env, flush_interval=1.0)
    queue_redis = Redis.from_url(redis.url, socket_connect_timeout=1, socket_timeout=5)
    watch = Watch(database_url, committed_db.engine)
    count = watch.count
    phones: list[FieldPhone] = []
    figures = Counter()
    try:
        server.start()
        worker.start()
        # The agency's navigators subscribe three browsers (one has two phones); a navigator of
        # another agency subscribes one, which must get nothing.
        devices: dict[str, dict] = {}
        for username, how_many in ((navigators[0], 2), (navigators[1], 1), (outsider, 1)):
            navigator = Phone(server, username, factories.PASSWORD).sign_in()
            for device in receiver.new_devices(how_many):
                response = navigator.http.post(f"{server.url}/api/v1/push/subscriptions", json=device,
                                               headers={"X-CSRF-Token": navigator.csrf}, timeout=30)
                assert response.status_code == 201, response.text
                devices[device["endpoint"].rsplit("/", 1)[-1]] = {"username": username}
        agency_devices = {d for d, v in devices.items() if v["username"] != outsider}

        phones = [FieldPhone(server, officers[i % 3], agency.id, seed=i) for i in range(PHONES)]
        stop = threading.Event()

        def work(phone: FieldPhone) -> None:
            while not stop.is_set():
                phone.make(phone.rng.randrange(1, 15))
                phone.try_sync()
                time.sleep(phone.rng.uniform(0.0, 0.1))

        def restart_server() -> None:
            server.kill()
            figures["server kills"] += 1
            time.sleep(0.3)
            server.start()

        holds_a_claim = sa.select(sa.func.count()).select_from(PushDelivery).where(PushDelivery.state == "sending")
        waiting_alerts = sa.select(sa.func.count()).select_from(PendingAlert).where(PendingAlert.enqueued_at.is_(None))
        alert_queue = Queue(ALERT_QUEUE, connection=queue_redis)

        threads = [threading.Thread(target=work, args=(p,)) for p in phones]
        for t in threads:
            t.start()
        try:
            time.sleep(GAP)
            restart_server()

            # The worker dies with alerts flowing (between two sends: see kill_between_sends) and comes back.
            time.sleep(GAP)
            figures["worker kill tries"] = worker.kill_between_sends(lambda: count(holds_a_claim) > 0,
                                                                     lambda: alert_queue.count > 0)
            figures["worker kills"] += 1
            figures["jobs queued at the worker kill"] = alert_queue.count
            assert count(holds_a_claim) == 0, "the worker was killed holding a claim (see kill_between_sends)"
            time.sleep(0.3)
            worker.start()

            time.sleep(GAP)
            _hold_database_lock(database_url, 1.5)
            figures["database locks"] += 1
            restart_server()

            # Redis goes down with jobs in it (the worker is paused so that some are) and comes back
            # empty; meanwhile the server is killed too, and referrals synced now wait in the outbox.
            time.sleep(GAP)
            _pause_until_jobs_wait(worker, alert_queue)
            figures["jobs queued when Redis stopped"] = alert_queue.count
            redis.stop()
            worker.resume()
            time.sleep(0.5)
            restart_server()
            deadline = time.monotonic() + 6
            while count(waiting_alerts) == 0 and time.monotonic() < deadline:
                time.sleep(0.1)
            figures["alerts waiting for Redis"] = count(waiting_alerts)
            redis.start()
            figures["Redis restarts"] += 1

            time.sleep(GAP)
            restart_server()
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        for phone in phones:
            for _ in range(50):
                if not phone.outbox:
                    break
                phone.try_sync()
        assert all(not p.outbox for p in phones)
        assert [r for p in phones for r in p.rejected] == []
        figures["seconds of faults and syncing"] = round(time.monotonic() - started)

        # Everything healthy again: an operator's `flask push flush --lost-after 0` re-sends what Redis
        # lost; then wait until every delivery is final and the queue is idle.
        deadline = time.monotonic() + 45
        unfinished = sa.select(sa.func.count()).select_from(PushDelivery).where(
            PushDelivery.state.in_(UNFINISHED_STATES))
        while True:
            handed_over, resent = _push_flush(env, tmp_path)
            figures["alerts handed over by the final flush"] += handed_over
            figures["deliveries re-sent by the final flush"] += resent
            figures["flushes"] += 1
            settle = time.monotonic() + 10
            while time.monotonic() < min(settle, deadline) and (
                    count(unfinished) or count(waiting_alerts) or alert_queue.count
                    or StartedJobRegistry(queue=alert_queue).count):
                time.sleep(0.2)
            if not (count(unfinished) or count(waiting_alerts) or alert_queue.count
                    or StartedJobRegistry(queue=alert_queue).count):
                break
            assert time.monotonic() < deadline, (
                f"{count(unfinished)} deliveries unfinished, {count(waiting_alerts)} alerts not handed over, "
                f"{alert_queue.count} jobs queued after {figures['flushes']} flushes")
        received = receiver.received()
    finally:
        worker.stop()
        server.stop()
        receiver.stop()
        queue_redis.close()
        redis.stop()
        watch.close()

    made = set().union(*(p.made for p in phones))
    stored = [str(i) for model in (Encounter, Person, Referral) for i in committed_db.session.scalars(sa.select(model.id))]
    referrals = set().union(*(p.referrals for p in phones))
    alerts = [str(r) for r in committed_db.session.scalars(sa.select(PendingAlert.referral_id))]
    committed_db.session.rollback()
    expected = Counter((referral, device) for referral in referrals for device in agency_devices)
    got = Counter((r["payload"]["referral_id"], r["device_id"]) for r in received if r["payload"])
    figures.update({
        "phones": PHONES, "syncs answered": sum(p.syncs for p in phones),
        "failed attempts": sum(p.failures for p in phones), "entries made": len(made), "stored": len(stored),
        "referrals (alerts)": len(referrals), "subscriptions alerted": len(agency_devices),
        "deliveries expected": sum(expected.values()), "delivered": sum(got.values()),
        "seconds in all": round(time.monotonic() - started)})
    print(f"\nfault injection ({committed_db.engine.dialect.name}): " + ", ".join(f"{k}: {v}" for k, v in figures.items()))

    # Every entry any phone made is stored, once.
    assert len(stored) == len(set(stored)) == len(made)
    assert set(stored) == made
    assert figures["failed attempts"] > 0  # the faults really hit the phones

    # One alert per referral, delivered once to each of the agency's subscribed browsers: none lost,
    # none doubled, none elsewhere, and no person's details in any of them.
    assert Counter(alerts) == Counter(referrals)
    assert [r for r in received if r["status"] != 201] == []
    assert got - expected == Counter(), "doubled or misdirected alerts"
    assert expected - got == Counter(), "lost alerts"
    assert all(r["payload"]["type"] == "referral.created" and NAME not in str(r["payload"]) for r in received)
    # The faults hit alerts: jobs were waiting when the worker died and when Redis stopped, and
    # referrals were saved while Redis was down.
    assert figures["jobs queued at the worker kill"] > 0 and figures["jobs queued when Redis stopped"] > 0
    assert figures["alerts waiting for Redis"] > 0
