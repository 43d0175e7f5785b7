"""`flask seed-demo --encounters N`: plausible history that the stats count exactly as the ingest would."""

from collections import Counter

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.cases.models import Case
from app.demo.history import HistoryGenerator, HistoryPlan
from app.demo.seed import seed_reference_data
from app.directory.models import Agency, Site, Team
from app.encounters.models import Encounter
from app.extensions import db
from app.people.models import Person
from app.records import local_day, service_zone, utcnow
from app.referrals.models import Referral, ReferralEvent
from app.stats import distinct
from tests.conftest import count
from tests.test_stats_rollup import raw_counts, rollup_counts

ENCOUNTERS = 3000


@pytest.fixture
def history(db):
    seed_reference_data()
    generator = HistoryGenerator(HistoryPlan(encounters=ENCOUNTERS, days=120, seed=11))
    for _ in generator.chunks():
        pass
    return generator.totals


def test_history_has_the_asked_encounters_and_the_rollup_counts_them_exactly(history):
    assert history["encounters"] == count(Encounter) == ENCOUNTERS
    assert rollup_counts() == raw_counts()
    assert history["distinct_rows"] > 0
    assert distinct.stored() == distinct.recount()


def test_kinds_follow_the_published_proportions(history):
    kinds = Counter(dict(db.session.execute(sa.select(Encounter.kind, sa.func.count()).group_by(Encounter.kind)).all()))
    assert kinds["interaction"] > kinds["primary_response"] > kinds["on_scene_assist"]
    assert kinds["consultation"] > kinds["on_scene_assist"] and kinds["shelter_check_in"] > 0
    assert 0.40 < kinds["interaction"] / ENCOUNTERS < 0.56  # 2837 of 5910 expected


def test_every_encounter_is_counted_on_its_local_day_within_the_span_and_never_in_the_future(history):
    rows = db.session.execute(sa.select(Encounter.occurred_at, Encounter.occurred_on, Encounter.received_at)).all()
    today = local_day(utcnow())
    assert all(on == local_day(at) for at, on, _ in rows)
    assert all((today - on).days < 120 for _at, on, _ in rows)
    assert all(at <= received <= utcnow() for at, _on, received in rows)


def test_evenings_are_busier_than_mornings(history):
    hours = Counter(at.astimezone(service_zone()).hour
                    for at in db.session.scalars(sa.select(Encounter.occurred_at)))
    assert sum(hours[h] for h in range(17, 23)) > 2 * sum(hours[h] for h in range(6, 12))


def test_referrals_and_case_intakes_follow_from_identified_encounters(history):
    referrals = db.session.scalars(sa.select(Referral)).all()
    assert history["referrals"] == len(referrals) > ENCOUNTERS // 5
    accepted = [r for r in referrals if r.accepted_on is not None]
    assert 0.4 < len(accepted) / len(referrals) < 0.8
    assert all(r.accepted_on >= r.made_on and r.status in ("accepted", "completed", "no_show", "withdrawn")
               for r in accepted)
    assert all(r.version == 1 + count_events(r.id) for r in referrals[:200])
    cases = db.session.scalars(sa.select(Case)).all()
    assert history["cases"] == len(cases) > 0
    assert len({c.person_id for c in cases}) == len(cases)  # one intake per person
    assert {"open"} <= {c.status for c in cases}


def count_events(referral_id: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(ReferralEvent.referral_id == referral_id))


def test_some_people_are_heavy_users(history, client, supervisor):
    people = client.sign_in_as(supervisor).get("/stats/heavy-users").get_json()["people"]
    assert len(people) >= 3
    assert people[0]["encounters"] >= 10 and people[0]["display_name"]


def test_generated_authors_cannot_sign_in(history, client):
    author = db.session.scalar(sa.select(User).where(User.username.like("demo-%")))
    assert author is not None
    assert client.post("/auth/login", {"username": author.username, "password": ""}).status_code in (400, 401)
    assert client.post("/auth/login", {"username": author.username,
                                       "password": "!generated-demo-author"}).status_code == 401


def test_seed_demo_adds_history_each_run_and_reference_data_once(app, db):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["seed-demo", "--encounters", "400", "--days", "30"])
        assert result.exit_code == 0, result.output
        assert "History: 400 encounters" in result.output
    assert count(Encounter) == 800 and rollup_counts() == raw_counts()
    assert (count(Agency), count(Team), count(Site)) == (7, 6, 6)
    assert count(User) == 4 + 6 * 5  # demo sign-ins, then three officers and two navigators per team


def test_history_records_take_change_numbers_so_a_phone_with_a_cursor_receives_them(history, client, supervisor):
    for model in (Person, Referral, Case):
        assert db.session.scalar(sa.select(sa.func.count()).where(model.change_seq <= 0)) == 0
    phone = client.sign_in_as(supervisor)
    seen, cursor = set(), "0"  # a phone that synced before the history was loaded
    while True:
        body = phone.get(f"/sync/changes?since={cursor}&limit=500").get_json()
        seen |= {p["id"] for p in body["persons"]}
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert len(seen) == count(Person) == history["persons"]
