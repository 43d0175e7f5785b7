"""A Hypothesis state machine: phones make, sync, lose answers, replay and crash; nothing is lost or doubled.

Invariant after every step: each entry a phone made is either stored on the server (exactly once)
or still in that phone's outbox; nothing unknown is stored; the daily counts equal a recount of the
records, however encounters are amended (another kind, another day) or voided. At the end every entry arrives. Some
entries are hostile (a time in year 1 or 9999, a lone surrogate, a NUL): each is rejected alone,
never stored, and never stops its batch.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import has_request_context
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.encounters.models import Encounter
from app.people.models import Person
from app.records import local_day, utcnow
from app.stats import distinct
from testkit import entries as e
from testkit import factories
from testkit.client import ApiClient
from tests.test_stats_rollup import local_time, raw_counts, rollup_counts

_crashes = {"pending": 0}
HOSTILE_DATA = st.sampled_from([
    {"occurred_at": "0001-01-01T00:00:00+00:00"}, {"occurred_at": "9999-12-31T23:59:59-12:00"},
    {"notes": "\ud800"}, {"notes": "a\x00b"}, {"call_number": "EPS\udfff"}, {"description": "\x00"},
])


@event.listens_for(Session, "before_commit")
def _crash_before_commit(session):
    """Stands in for the server dying between the inserts and the commit."""
    if _crashes["pending"] and has_request_context() and not session.in_nested_transaction():
        _crashes["pending"] -= 1
        raise RuntimeError("simulated crash before commit")


def test_random_sequences_of_make_sync_lose_replay_and_crash(app, committed_db):
    class Phones(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.user = factories.make_user("officer", team=factories.make_team())
            committed_db.session.commit()
            self.client = ApiClient(app.test_client()).sign_in_as(self.user)
            self.outbox: list[dict] = []
            self.made: set[str] = set()
            self.acked: list[dict] = []
            self.hostile: set[str] = set()
            self.needs_attention: set[str] = set()
            self.versions: dict[str, int] = {}  # encounter id -> version, once stored and acknowledged
            self.voided: set[str] = set()

        def _stored(self) -> list[str]:
            rows = committed_db.session.scalars(sa.select(Encounter.id).where(Encounter.author_id == self.user.id))
            persons = committed_db.session.scalars(sa.select(Person.id).where(Person.author_id == self.user.id))
            return [str(i) for i in rows] + [str(i) for i in persons]

        @rule(kind=st.sampled_from(["interaction", "primary_response", "consultation"]), with_person=st.booleans())
        def make(self, kind, with_person):
            if with_person:
                person = e.person()
                self.outbox.append(person)
                self.made.add(person["id"])
                entry = e.encounter(kind, person_id=person["id"])
            else:
                entry = e.encounter(kind)
            self.outbox.append(entry)
            self.made.add(entry["id"])

        @rule(kind=st.sampled_from(["interaction", "primary_response"]), hostile=HOSTILE_DATA)
        def make_hostile(self, kind, hostile):
            entry = e.encounter(kind, **hostile)
            self.outbox.append(entry)
            self.hostile.add(entry["id"])

        @precondition(lambda self: self.outbox)
        @rule(size=st.integers(min_value=1, max_value=20))
        def sync(self, size):
            batch = self.outbox[:size]
            response = self.client.post("/sync", e.batch(*batch))
            assert response.status_code == 200, response.get_json()
            results = response.get_json()["results"]
            done = {r["id"] for r in results if r["status"] in ("created", "duplicate")}
            rejected = {r["id"] for r in results if r["status"] == "rejected"}
            assert rejected == {x["id"] for x in batch} & self.hostile, results
            assert done | rejected == {x["id"] for x in batch}, results
            self.needs_attention |= rejected  # out of the queue, into "Needs attention"
            self.acked += [x for x in batch if x["id"] in done]
            self.versions.update({x["id"]: 1 for x in batch if x["id"] in done and x["type"] == "encounter"})
            self.outbox = [x for x in self.outbox if x["id"] not in done | rejected]

        @precondition(lambda self: self.outbox)
        @rule()
        def sync_and_lose_the_answer(self):
            self.client.post("/sync", e.batch(*self.outbox[:20]))

        @precondition(lambda self: self.outbox)
        @rule()
        def crash_mid_batch(self):
            _crashes["pending"] = 1
            try:
                response = self.client.post("/sync", e.batch(*self.outbox[:20]))
            finally:
                _crashes["pending"] = 0
            assert response.status_code == 500
            assert response.get_json()["error"]["code"] == "server_error"

        @precondition(lambda self: self.acked)
        @rule(data=st.data())
        def replay_acknowledged(self, data):
            entry = data.draw(st.sampled_from(self.acked))
            assert e.statuses(self.client.post("/sync", e.batch(entry))) == ["duplicate"]

        @precondition(lambda self: set(self.versions) - self.voided)
        @rule(data=st.data(), change=st.sampled_from(["kind", "day", "void"]), lose_the_answer=st.booleans())
        def correct(self, data, change, lose_the_answer):
            target = data.draw(st.sampled_from(sorted(set(self.versions) - self.voided)))
            if change == "void":
                entry = e.encounter_void(target)
            elif change == "kind":
                entry = e.encounter_amend(target, self.versions[target],
                                          kind=data.draw(st.sampled_from(["interaction", "consultation"])))
            else:
                day = local_day(utcnow()) - timedelta(days=data.draw(st.integers(min_value=1, max_value=3)))
                entry = e.encounter_amend(target, self.versions[target], occurred_at=local_time(
                    day, data.draw(st.sampled_from([0, 12, 23])), 30))
            assert e.statuses(self.client.post("/sync", e.batch(entry))) == ["created"]
            if lose_the_answer:
                assert e.statuses(self.client.post("/sync", e.batch(entry))) == ["duplicate"]
            self.versions[target] += 1
            if change == "void":
                self.voided.add(target)

        @invariant()
        def daily_counts_equal_a_recount(self):
            assert rollup_counts() == raw_counts()

        @invariant()
        def distinct_counts_equal_a_recount(self):
            assert distinct.stored() == distinct.recount()

        @invariant()
        def stored_plus_queued_is_everything_made_once(self):
            stored = self._stored()
            assert len(stored) == len(set(stored))
            assert set(stored) <= self.made
            assert not set(stored) & self.hostile
            assert self.made - set(stored) <= {x["id"] for x in self.outbox}

        def teardown(self):
            while self.outbox:
                self.sync(20)
            assert sorted(self._stored()) == sorted(self.made)
            assert self.needs_attention == self.hostile

    run_state_machine_as_test(Phones, settings=settings(
        max_examples=25, stateful_step_count=15, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))


@pytest.fixture(autouse=True)
def _no_crash_leaks():
    yield
    _crashes["pending"] = 0
