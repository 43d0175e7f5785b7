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
from app.extensions import db
from app.people.models import Person
from app.records import local_day, utcnow
from app.stats import distinct
from app.tables.models import Situation, SituationTable, TableMember
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
            # A situation table the officer's team sits at: situations are prepared offline too.
            self.table = SituationTable(name=f"Hub {factories.new_id()}", active=True)
            committed_db.session.add(self.table)
            committed_db.session.flush()
            committed_db.session.add(TableMember(table_id=self.table.id, team_id=self.user.team_id))
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
            situations = committed_db.session.scalars(sa.select(Situation.id).where(Situation.author_id == self.user.id))
            return [str(i) for i in rows] + [str(i) for i in persons] + [str(i) for i in situations]

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

        @rule(with_person=st.booleans(), factors=st.sampled_from([["housing"], ["drugs", "poverty"]]))
        def present_situation(self, with_person, factors):
            """A situation prepared offline for the table, linked to a person made on the phone or not."""
            data = {"risk_factors": factors}
            if with_person:
                person = e.person()
                self.outbox.append(person)
                self.made.add(person["id"])
                data["person_id"] = person["id"]
            entry = e.situation(self.table.id, **data)
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


def _merged_away_named() -> list[str]:
    """Encounters, referrals and cases that still name a person merged into another (must be none)."""
    from app.cases.models import Case
    from app.referrals.models import Referral

    merged = sa.select(Person.id).where(Person.merged_into.is_not(None))
    named = []
    for model in (Encounter, Referral, Case):
        named += [str(i) for i in db.session.scalars(sa.select(model.id).where(model.person_id.in_(merged)))]
    return named


def _persons_and_links() -> tuple:
    """Everything a refused merge must leave as it was: persons and what names them."""
    from app.cases.models import Case
    from app.referrals.models import Referral

    persons = sorted(tuple(map(str, row)) for row in db.session.execute(sa.select(
        Person.id, Person.version, Person.merged_into, Person.display_name, Person.aliases, Person.change_seq)))
    links = sorted((str(i), str(p)) for model in (Encounter, Referral, Case)
                   for i, p in db.session.execute(sa.select(model.id, model.person_id)))
    return persons, links


def test_random_merges_and_person_updates_from_several_phones(app, committed_db):
    """Two officers on three phones log people, encounters, referrals and person updates (some on stale
    versions), deliver them late, out of order or twice; a supervisor merges people, some merges
    invalid. After every step: the daily counts equal a recount, nothing names a merged-away person, a
    refused merge changed nothing, a person's version is one more than its changes, and every entry
    once created answers `duplicate` whenever it comes again."""
    from app.people.models import PersonChange

    class Merges(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            team = factories.make_team()
            self.agency = factories.make_agency()
            first, second = (factories.make_user("officer", team=team) for _ in range(2))
            supervisor = factories.make_user("supervisor")
            committed_db.session.commit()
            first_client = ApiClient(app.test_client()).sign_in_as(first)
            # Two phones of the first officer (one session, two device ids), one of the second.
            self.phones = [(first_client, "phone-a1"), (first_client, "phone-a2"),
                           (ApiClient(app.test_client()).sign_in_as(second), "phone-b1")]
            self.supervisor = ApiClient(app.test_client()).sign_in_as(supervisor)
            self.outboxes: list[list[dict]] = [[], [], []]
            self.persons: list[str] = []
            self.merged: dict[str, str] = {}  # duplicate -> kept, as the server must hold it
            self.open_case: set[str] = set()
            self.created: dict[str, int] = {}  # entry id -> the phone whose answer was created
            self.made: dict[str, dict] = {}  # every entry made, by id (a phone keeps a copy to replay)

        def _kept(self, person_id: str) -> str:
            return self.merged.get(person_id, person_id)

        def _send(self, phone: int, entries: list[dict]) -> dict[str, dict]:
            client, device = self.phones[phone]
            response = client.post("/sync", e.batch(*entries, device_id=device))
            assert response.status_code == 200, response.get_json()
            answers = {r["id"]: r for r in response.get_json()["results"]}
            for entry_id, answer in answers.items():
                if entry_id in self.created:  # once created, always duplicate
                    assert answer["status"] == "duplicate", answer
                elif answer["status"] == "created":
                    self.created[entry_id] = phone
            return answers

        @rule(phone=st.integers(0, 2), birth_year=st.sampled_from([None, 1979, 1980]))
        def new_person(self, phone, birth_year):
            person = e.person(display_name="Bev", birth_year=birth_year)
            assert self._send(phone, [person])[person["id"]]["status"] == "created"
            self.persons.append(person["id"])
            self.made[person["id"]] = person

        @precondition(lambda self: self.persons)
        @rule(phone=st.integers(0, 2), data=st.data(), what=st.sampled_from(["encounter", "referral", "update"]))
        def make(self, phone, data, what):
            person_id = data.draw(st.sampled_from(self.persons))  # merged-away ones too: phones lag
            if what == "encounter":
                entry = e.encounter(data.draw(st.sampled_from(["interaction", "consultation"])), person_id=person_id,
                                    occurred_at=local_time(local_day(utcnow()) - timedelta(days=1), 12))
            elif what == "referral":
                entry = e.referral(person_id, self.agency.id)
            else:
                field = data.draw(st.sampled_from([{"description": "red coat"}, {"aliases": ["Birdie"]},
                                                   {"birth_year": 1981}, {"gender": "woman"}]))
                entry = e.person_update(person_id, data.draw(st.integers(1, 4)), **field)
            self.outboxes[phone].append(entry)
            self.made[entry["id"]] = entry

        @precondition(lambda self: any(self.outboxes))
        @rule(phone=st.integers(0, 2), size=st.integers(1, 6), reverse=st.booleans(), lose=st.booleans())
        def sync(self, phone, size, reverse, lose):
            batch = self.outboxes[phone][:size]
            if not batch:
                return
            answers = self._send(phone, batch[::-1] if reverse else batch)
            for entry in batch:
                answer = answers[entry["id"]]
                if entry["type"] in ("encounter", "referral"):
                    assert answer["status"] in ("created", "duplicate"), answer  # a merged-away person is followed
                elif answer["status"] == "rejected":
                    assert answer["error"]["code"] == "conflict", answer  # a stale version, fields changed
                    assert entry["data"]["person_id"] not in self.merged
            if not lose:  # the answer reached the phone: the entries leave its outbox
                self.outboxes[phone] = self.outboxes[phone][len(batch):]

        @precondition(lambda self: self.created)
        @rule(data=st.data())
        def replay(self, data):
            entry_id = data.draw(st.sampled_from(sorted(self.created)))
            assert self._send(self.created[entry_id], [self.made[entry_id]])[entry_id]["status"] == "duplicate"

        @precondition(lambda self: self.persons)
        @rule(data=st.data())
        def open_a_case(self, data):
            person_id = data.draw(st.sampled_from(self.persons))
            response = self.phones[0][0].post("/cases", {"person_id": person_id})
            if response.status_code == 201:
                self.open_case.add(self._kept(person_id))

        @precondition(lambda self: len(self.persons) >= 1)
        @rule(data=st.data())
        def merge(self, data):
            kept = data.draw(st.sampled_from(self.persons))
            duplicate = data.draw(st.sampled_from(self.persons))
            before = _persons_and_links()
            response = self.supervisor.post(f"/persons/{kept}/merge", {"duplicate_id": duplicate, "reason": "Same."})
            if kept == duplicate or kept in self.merged or duplicate in self.merged:
                expected = (400, "validation_error")
            elif kept in self.open_case and duplicate in self.open_case:
                expected = (409, "conflict")
            else:
                expected = (200, None)
            got = (response.status_code, response.get_json().get("error", {}).get("code"))
            assert got == expected, response.get_json()
            if expected[0] != 200:
                assert _persons_and_links() == before
                return
            for dup, into in list(self.merged.items()):
                if into == duplicate:
                    self.merged[dup] = kept
            self.merged[duplicate] = kept
            if duplicate in self.open_case:
                self.open_case.discard(duplicate)
                self.open_case.add(kept)

        @invariant()
        def daily_counts_equal_a_recount(self):
            assert rollup_counts() == raw_counts()

        @invariant()
        def nothing_names_a_merged_away_person(self):
            assert _merged_away_named() == []
            held = {str(i): str(k) for i, k in committed_db.session.execute(
                sa.select(Person.id, Person.merged_into).where(Person.id.in_(self.persons),
                                                                 Person.merged_into.is_not(None)))}
            assert held == self.merged

        @invariant()
        def a_version_is_one_more_than_its_changes(self):
            changes = dict(committed_db.session.execute(
                sa.select(PersonChange.person_id, sa.func.count()).group_by(PersonChange.person_id)).all())
            for person_id, version in committed_db.session.execute(
                    sa.select(Person.id, Person.version).where(Person.id.in_(self.persons))):
                assert version == 1 + changes.get(person_id, 0)

    run_state_machine_as_test(Merges, settings=settings(
        max_examples=10, stateful_step_count=20, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
