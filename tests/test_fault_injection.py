"""Fault injection with real processes: phones keep syncing while the server is killed (kill -9)
again and again and the database is held locked; afterwards every entry is stored exactly once."""

from __future__ import annotations

import random
import sqlite3
import threading
import time

import pytest
import requests
import sqlalchemy as sa

from app.encounters.models import Encounter
from tests.support import entries as e
from tests.support import factories
from tests.support.live_server import LiveServer, Phone

pytestmark = pytest.mark.slow
PHONES = 6
KILLS = 4


class FieldPhone:
    """A phone with an outbox: entries leave it only when the server said created or duplicate."""

    def __init__(self, server: LiveServer, username: str, seed: int):
        self.phone = Phone(server, username, factories.PASSWORD)
        self.rng = random.Random(seed)
        self.outbox: list[dict] = []
        self.made: set[str] = set()
        self.syncs = 0
        self.failures = 0

    def make(self, count: int) -> None:
        for _ in range(count):
            entry = e.encounter(self.rng.choice(["interaction", "consultation", "primary_response"]))
            self.outbox.append(entry)
            self.made.add(entry["id"])

    def try_sync(self) -> None:
        if not self.outbox:
            return
        batch = self.outbox[: self.rng.choice([1, 5, 20, 60])]
        try:
            if self.phone.csrf is None:
                self.phone.sign_in()
            response = self.phone.sync(e.batch(*batch), timeout=30)
        except requests.RequestException:
            self.failures += 1
            return
        if response.status_code != 200:
            self.failures += 1
            if response.status_code == 401:
                self.phone.csrf = None
            return
        self.syncs += 1
        done = {r["id"] for r in response.json()["results"] if r["status"] in ("created", "duplicate")}
        self.outbox = [x for x in self.outbox if x["id"] not in done]


def _hold_database_lock(database_url: str, seconds: float) -> None:
    """Another program holding the write lock (SQLite) or the table (PostgreSQL) for a while."""
    if database_url.startswith("sqlite:///"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()
        return
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        conn.exec_driver_sql("LOCK TABLE encounters IN ACCESS EXCLUSIVE MODE")
        time.sleep(seconds)
        conn.rollback()
    engine.dispose()


def test_kills_and_locks_lose_nothing_and_double_nothing(committed_db, database_url, tmp_path):
    usernames = [factories.make_user("officer", team=factories.make_team()).username for _ in range(3)]
    committed_db.session.commit()
    server = LiveServer(database_url, tmp_path, workers=2).start()
    phones = [FieldPhone(server, usernames[i % 3], seed=i) for i in range(PHONES)]
    stop = threading.Event()

    def work(phone: FieldPhone) -> None:
        while not stop.is_set():
            phone.make(phone.rng.randrange(1, 15))
            phone.try_sync()
            time.sleep(phone.rng.uniform(0.0, 0.1))

    threads = [threading.Thread(target=work, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    try:
        for round_ in range(KILLS):
            time.sleep(0.8)
            if round_ == 1:
                _hold_database_lock(database_url, 1.5)
            server.kill()
            time.sleep(0.3)
            server.start()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    try:
        for phone in phones:
            for _ in range(50):
                if not phone.outbox:
                    break
                phone.try_sync()
    finally:
        server.stop()

    made = set().union(*(p.made for p in phones))
    committed_db.session.rollback()
    stored = [str(i) for i in committed_db.session.scalars(sa.select(Encounter.id))]
    committed_db.session.rollback()
    assert all(not p.outbox for p in phones)
    assert len(stored) == len(set(stored)) == len(made)
    assert set(stored) == made
    assert sum(p.failures for p in phones) > 0  # the faults really hit the phones
    print(f"\nfault injection: {KILLS} kills, {len(made)} entries, {sum(p.syncs for p in phones)} syncs answered, "
          f"{sum(p.failures for p in phones)} failed attempts, stored once each: {len(stored)}")
