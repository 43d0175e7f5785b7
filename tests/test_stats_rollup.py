"""The daily rollup stays equal to counting the records themselves, however entries arrive."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.encounters.models import Encounter
from app.extensions import db
from app.records import local_day, utcnow
from app.stats import rollup
from app.stats.models import DailyAuthorCount, DailyTeamCount
from testkit import entries as e
from testkit import factories

EDMONTON = ZoneInfo("America/Edmonton")
RAW_COUNTS = """
SELECT occurred_on, kind, COALESCE(team_id, 0), author_id, count(*) FROM encounters WHERE NOT voided
 GROUP BY 1, 2, 3, 4
UNION ALL
SELECT made_on, 'referrals_made', COALESCE(team_id, 0), author_id, count(*) FROM referrals GROUP BY 1, 2, 3, 4
UNION ALL
SELECT accepted_on, 'referrals_accepted', COALESCE(team_id, 0), author_id, count(*) FROM referrals
 WHERE accepted_on IS NOT NULL GROUP BY 1, 2, 3, 4
UNION ALL
SELECT opened_on, 'case_intakes', COALESCE(team_id, 0), author_id, count(*) FROM cases GROUP BY 1, 2, 3, 4
"""


def raw_counts() -> dict:
    """Hand-written GROUP BYs over the records, which the rollup must always equal."""
    return {(day if isinstance(day, date) else date.fromisoformat(day), measure, team, author): n
            for day, measure, team, author, n in db.session.execute(sa.text(RAW_COUNTS))}


def author_grain() -> dict:
    rows = db.session.execute(sa.select(DailyAuthorCount.day, DailyAuthorCount.measure, DailyAuthorCount.team_key,
                                        DailyAuthorCount.author_id, DailyAuthorCount.total))
    return {(day, measure, team, author): n for day, measure, team, author, n in rows}


def team_grain() -> dict:
    rows = db.session.execute(sa.select(DailyTeamCount.day, DailyTeamCount.measure, DailyTeamCount.team_key,
                                        DailyTeamCount.total))
    return {(day, measure, team): n for day, measure, team, n in rows}


def summed_to_teams(counts: dict) -> dict:
    teams: Counter = Counter()
    for (day, measure, team, _author), n in counts.items():
        teams[(day, measure, team)] += n
    return dict(teams)


def rollup_counts() -> dict:
    """The rollup at the author grain, once the team grain is checked to add up to the same counts."""
    by_author = author_grain()
    assert team_grain() == summed_to_teams(by_author)
    return by_author


def local_time(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=EDMONTON).isoformat()


# --- through the API: the acceptance tests of the ingest's record_* calls -----------------------

@pytest.fixture
def as_agency_navigator(make_client, agency):
    return make_client().sign_in_as(factories.make_user("navigator", agency=agency))


def daily(client, start: date, end: date, *measures: str) -> dict:
    report = client.get("/stats/daily", query_string={"from": start.isoformat(), "to": end.isoformat()}).get_json()
    return {d["date"]: tuple(d[m] for m in measures) for d in report["days"]}


def test_counts_match_the_records_after_late_replayed_and_repeated_syncs(as_officer, as_agency_navigator,
                                                                          make_client, supervisor, agency):
    day = local_day(utcnow()) - timedelta(days=10)
    offline_day = day - timedelta(days=3)
    p = e.person()
    referral = e.referral(p["id"], agency.id, made_at=local_time(day, 19, 45))
    evening = [p, e.encounter("interaction", person_id=p["id"], occurred_at=local_time(day, 19, 30)),
               e.encounter("interaction", occurred_at=local_time(day, 23, 30)),  # the next day in UTC
               e.encounter("primary_response", occurred_at=local_time(day, 21)), referral]
    assert e.statuses(as_officer.post("/sync", e.batch(*evening))) == ["created"] * 5
    follow_up = e.batch(e.referral_update(referral["id"], "accepted", base_version=1,
                                          occurred_at=local_time(day + timedelta(days=1), 9)),
                        e.case_intake(p["id"], referral_id=referral["id"],
                                      opened_at=local_time(day + timedelta(days=1), 10)))
    assert e.statuses(as_agency_navigator.post("/sync", follow_up)) == ["created", "created"]

    # The phone never got the answer: it sends the batch again, with entries made offline three
    # days before that only now found signal, one of them twice.
    offline = [e.encounter("interaction", occurred_at=local_time(offline_day, 22)),
               e.encounter("consultation", occurred_at=local_time(offline_day, 23, 59))]
    replay = e.batch(*evening, *offline, offline[0])
    assert e.statuses(as_officer.post("/sync", replay)) == ["duplicate"] * 5 + ["created"] * 2 + ["duplicate"]
    assert e.statuses(as_officer.post("/sync", replay)) == ["duplicate"] * 8
    assert e.statuses(as_agency_navigator.post("/sync", follow_up)) == ["duplicate", "duplicate"]

    assert rollup_counts() == raw_counts()
    measures = ("interaction", "primary_response", "consultation", "referrals_made", "referrals_accepted",
                "case_intakes")
    shown = daily(make_client().sign_in_as(supervisor), offline_day - timedelta(days=1),
                  day + timedelta(days=1), *measures)
    expected = {(offline_day + timedelta(days=n)).isoformat(): (0,) * 6 for n in range(-1, 5)}
    expected[offline_day.isoformat()] = (1, 0, 1, 0, 0, 0)
    expected[day.isoformat()] = (2, 1, 0, 1, 0, 0)
    expected[(day + timedelta(days=1)).isoformat()] = (0, 0, 0, 0, 1, 1)
    assert shown == expected


def test_a_referral_accepted_through_patch_counts_on_the_day_it_was_accepted(as_officer, as_agency_navigator,
                                                                               make_client, supervisor, agency):
    p = e.person()
    referral = e.referral(p["id"], agency.id, made_at=local_time(local_day(utcnow()) - timedelta(days=2), 12))
    assert e.statuses(as_officer.post("/sync", e.batch(p, referral))) == ["created", "created"]
    assert as_agency_navigator.patch(f"/referrals/{referral['id']}",
                                     {"status": "accepted", "base_version": 1}).status_code == 200
    assert as_agency_navigator.patch(f"/referrals/{referral['id']}",
                                     {"status": "completed", "base_version": 2}).status_code == 200

    assert rollup_counts() == raw_counts()
    today = local_day(utcnow())
    shown = daily(make_client().sign_in_as(supervisor), today - timedelta(days=2), today,
                  "referrals_made", "referrals_accepted")
    assert list(shown.values()) == [(1, 0), (0, 0), (0, 1)]


# --- the functions themselves ---------------------------------------------------------------------

def encounter_row(author, occurred_at: datetime, kind: str = "interaction") -> dict:
    return {"id": factories.new_id(), "kind": kind, "occurred_at": occurred_at, "occurred_on": local_day(occurred_at),
            "call_number": "26-000001" if kind in ("primary_response", "on_scene_assist") else None,
            "needs": [], "risk_flags": [], "outcome": [], "triage_level": 4, "triage_computed": 4,
            "author_id": author.id, "team_id": author.team_id, "received_at": utcnow()}


def test_an_encounter_that_fails_to_insert_counts_nothing(db, officer):
    row = encounter_row(officer, utcnow())
    with db.session.begin_nested():
        stored = Encounter(**row)
        db.session.add(stored)
        rollup.record_encounters([stored])
    db.session.expunge(stored)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        again = Encounter(**row)
        db.session.add(again)
        rollup.record_encounters([again])  # flushes first: the duplicate id fails before counting
    db.session.commit()  # counts are written with the outermost commit
    assert rollup_counts() == raw_counts()
    assert sum(rollup_counts().values()) == 1


def test_counts_noted_in_a_savepoint_that_rolls_back_are_forgotten(db, officer):
    kept = Encounter(**encounter_row(officer, utcnow()))
    db.session.add(kept)
    db.session.flush()
    rollup.record_encounters([kept])
    with pytest.raises(RuntimeError), db.session.begin_nested():
        lost = Encounter(**encounter_row(officer, utcnow()))
        db.session.add(lost)
        db.session.flush()
        rollup.record_encounters([lost])
        raise RuntimeError("a fault after counting")
    db.session.commit()
    assert rollup_counts() == raw_counts()
    assert sum(rollup_counts().values()) == 1


def test_counts_are_written_with_the_commit_and_forgotten_on_rollback(db, officer):
    at = utcnow() - timedelta(days=1)
    db.session.commit()
    rows = [encounter_row(officer, at)]
    db.session.execute(sa.insert(Encounter.__table__), rows)
    rollup.record_encounters(rows)
    db.session.rollback()
    assert rollup_counts() == raw_counts() == {}
    db.session.execute(sa.insert(Encounter.__table__), rows)
    rollup.record_encounters(rows)
    assert rollup_counts() == {}
    db.session.commit()
    assert rollup_counts() == raw_counts() == {(local_day(at), "interaction", officer.team_id, officer.id): 1}


def test_bulk_rows_and_model_objects_count_the_same(db, officer, supervisor):
    at = utcnow() - timedelta(days=1)
    rows = [encounter_row(officer, at), encounter_row(officer, at), encounter_row(supervisor, at, "consultation")]
    db.session.execute(sa.insert(Encounter.__table__), rows)
    rollup.record_encounters(rows)
    objects = [Encounter(**encounter_row(officer, at)), Encounter(**encounter_row(supervisor, at, "consultation"))]
    db.session.add_all(objects)
    rollup.record_encounters(objects)
    db.session.commit()  # the counts are written with the commit
    assert rollup_counts() == raw_counts() == {
        (local_day(at), "interaction", officer.team_id, officer.id): 3,
        (local_day(at), "consultation", 0, supervisor.id): 2}


def test_rebuilding_recounts_the_rollup_from_the_records(db, officer, supervisor):
    now = utcnow()
    rows = [encounter_row(officer, now - timedelta(days=d), kind) for d in range(6)
            for kind in ("interaction", "consultation")] + [encounter_row(supervisor, now - timedelta(days=1))]
    db.session.execute(sa.insert(Encounter.__table__), rows)
    rollup.record_encounters(rows)
    db.session.commit()
    days = sorted({key[0] for key in raw_counts()})
    for table in (DailyAuthorCount, DailyTeamCount):
        db.session.execute(sa.delete(table).where(table.day == days[1]))
        db.session.execute(sa.update(table).where(table.day.in_([days[0], days[2]])).values(total=table.total + 7))
    assert author_grain() != raw_counts()

    rollup.rebuild(days[1], days[-1])
    untouched = {k: v for k, v in author_grain().items() if k[0] == days[0]}
    assert untouched and all(v == raw_counts()[k] + 7 for k, v in untouched.items())  # outside the range
    assert {k: v for k, v in author_grain().items() if k[0] != days[0]} == {
        k: v for k, v in raw_counts().items() if k[0] != days[0]}
    rollup.rebuild()
    assert rollup_counts() == raw_counts() == rollup.recount()


def test_counting_a_record_needs_its_local_day(db, officer):
    row = encounter_row(officer, utcnow()) | {"occurred_on": None}
    with pytest.raises(ValueError, match="occurred_on"):
        rollup.record_encounters([row])
