"""GET /stats/cohort: the heavy-users measure over every case opened in a window, against a recount.

The history goes in through POST /sync: people met before and after their intake (times on DST days
and at local midnights in America/Edmonton), one person taken in twice, two programs, a voided
encounter, cases old enough for 12 and 24 whole months and one opened last month.
"""

from __future__ import annotations

import calendar
import random
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db as _db
from testkit import entries as e
from testkit import factories
from testkit.cases import today_in_edmonton

EDMONTON = ZoneInfo("America/Edmonton")


def shift_months(day: date, months: int) -> date:
    """The test's own calendar: the same day `months` later or earlier, clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def at_local(day: date, hour: int = 12, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=EDMONTON).isoformat()


@pytest.fixture
def cohort_history(db, make_client, team):
    rng = random.Random(24)
    officer = factories.make_user("officer", team=team)
    phone = make_client().sign_in_as(officer)
    today = today_in_edmonton()
    intakes = [  # (person index, intake day, program)
        (0, date(2024, 3, 10), "Heavy Users"),   # DST day in Edmonton
        (1, date(2024, 11, 3), "Heavy Users"),   # the day the clocks fall back
        (2, date(2025, 1, 31), "Heavy Users"),   # month ends: the 31st becomes the 28th/29th/30th
        (3, date(2025, 6, 15), "Housing First"),
        (4, shift_months(today, -1), "Heavy Users"),  # after-months still running
        (0, date(2025, 8, 1), "Heavy Users"),    # person 0 taken in a second time
    ]
    people = [e.person(display_name=f"P{n}") for n in range(5)]
    assert e.statuses(phone.post("/sync", e.batch(*people))) == ["created"] * 5
    encounters: list[tuple[int, date, bool]] = []  # (person, local day, voided)
    entries = []
    for index, intake, _program in intakes:
        for offset in [0, -1, 1, *[rng.randrange(-800, 800) for _ in range(25)]]:
            day = intake + timedelta(days=offset)
            if day > today - timedelta(days=1):
                continue
            # Late evening locally: already the next day in UTC, which must not decide the day.
            moment = at_local(day, 23, 30) if rng.random() < 0.3 else at_local(day, 0, 0) if rng.random() < 0.2 \
                else at_local(day, rng.randrange(1, 23))
            entry = e.encounter("interaction", person_id=people[index]["id"], occurred_at=moment)
            entries.append(entry)
            encounters.append((index, day, False))
    for chunk in range(0, len(entries), 400):
        batch = entries[chunk:chunk + 400]
        assert e.statuses(phone.post("/sync", e.batch(*batch))) == ["created"] * len(batch)
    # Void one encounter inside person 1's window: it counts nowhere.
    inside = next(k for k, (p, day, _v) in enumerate(encounters)
                  if p == 1 and date(2024, 11, 4) <= day <= date(2025, 11, 3))
    assert e.statuses(phone.post("/sync", e.batch(e.encounter_void(entries[inside]["id"])))) == ["created"]
    encounters[inside] = (1, encounters[inside][1], True)
    # Cases, in order of intake; person 0's first case closes before the second opens.
    for index, intake, program in sorted(intakes, key=lambda x: x[1]):
        case = e.case_intake(people[index]["id"], program=program, opened_at=at_local(intake, 10))
        assert e.statuses(phone.post("/sync", e.batch(case))) == ["created"]
        if index == 0 and intake.year == 2024:
            closure = e.case_closure(case["id"], closed_at=at_local(date(2025, 7, 1), 9))
            assert e.statuses(phone.post("/sync", e.batch(closure))) == ["created"], closure
    return {"intakes": intakes, "encounters": encounters, "people": people, "today": today}


def recount(history, *, months: int, start: date, end: date, program: str | None = None) -> dict:
    today = history["today"]
    chosen = [(p, day) for p, day, prog in history["intakes"]
              if start <= day <= end and (program is None or prog == program)]
    before, after = [], []
    for person, intake in chosen:
        days = [day for p, day, voided in history["encounters"] if p == person and not voided]
        before.append(sum(1 for d in days if shift_months(intake, -months) <= d < intake))
        after.append(sum(1 for d in days if intake < d <= shift_months(intake, months)))
    return {
        "intake_from": start.isoformat(), "intake_to": end.isoformat(), "program": program,
        "cases": len(chosen), "people": len({p for p, _d in chosen}), "months": months,
        "before_median": float(median(before)) if before else None,
        "after_median": float(median(after)) if after else None,
        "before_total": sum(before), "after_total": sum(after),
        "change_pct": round((sum(after) - sum(before)) / sum(before) * 100, 1) if sum(before) else None,
        "complete_12_months": sum(1 for _p, d in chosen if shift_months(d, 12) < today),
        "complete_24_months": sum(1 for _p, d in chosen if shift_months(d, 24) < today),
    }


@pytest.mark.parametrize("months", [12, 24, 3])
def test_the_cohort_matches_a_recount_of_the_per_case_months(cohort_history, client, supervisor, months):
    as_supervisor = client.sign_in_as(supervisor)
    today = cohort_history["today"]
    whole = as_supervisor.get("/stats/cohort", query_string={"months": months})
    assert whole.status_code == 200, whole.get_json()
    assert whole.get_json() == recount(cohort_history, months=months, start=date(2024, 3, 10), end=today)
    assert whole.get_json()["cases"] == 6 and whole.get_json()["people"] == 5  # person 0 taken in twice


@pytest.mark.parametrize("window", [("2024-03-10", "2024-03-10"), ("2024-03-11", "2024-11-03"),
                                    ("2024-11-04", "2025-12-31"), ("2024-01-01", "2025-01-31")])
def test_the_intake_window_and_program_choose_the_cases(cohort_history, client, supervisor, window):
    as_supervisor = client.sign_in_as(supervisor)
    start, end = (date.fromisoformat(d) for d in window)
    for program in (None, "Heavy Users", "Housing First"):
        query = {"intake_from": window[0], "intake_to": window[1], **({"program": program} if program else {})}
        answer = as_supervisor.get("/stats/cohort", query_string=query).get_json()
        assert answer == recount(cohort_history, months=12, start=start, end=end, program=program), (window, program)


def test_a_case_without_encounters_before_gives_no_change_pct(db, client, supervisor, make_client, team):
    officer = factories.make_user("officer", team=team)
    phone = make_client().sign_in_as(officer)
    person = e.person()
    intake = e.case_intake(person["id"], opened_at=(datetime.now(UTC) - timedelta(days=3)).isoformat())
    assert e.statuses(phone.post("/sync", e.batch(person, intake))) == ["created", "created"]
    answer = client.sign_in_as(supervisor).get("/stats/cohort").get_json()
    assert answer["cases"] == 1 and answer["before_total"] == 0 and answer["change_pct"] is None
    empty = client.get("/stats/cohort", query_string={"intake_from": "2001-01-01", "intake_to": "2001-12-31"})
    assert empty.get_json()["cases"] == 0 and empty.get_json()["before_median"] is None
    event = _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "stats.cohort")).first()
    assert event is not None and event.actor_id == supervisor.id


@pytest.mark.parametrize("query, bad_field", [({"intake_from": "2026-02-01", "intake_to": "2026-01-01"}, "intake_from"),
                                              ({"months": 0}, "months"), ({"months": 37}, "months"),
                                              ({"intake_to": "3000-01-01"}, "intake_to")])
def test_bad_cohort_queries_are_validation_errors(db, client, supervisor, query, bad_field):
    response = client.sign_in_as(supervisor).get("/stats/cohort", query_string=query)
    assert response.status_code == 400 and bad_field in response.get_json()["error"]["fields"]


def test_the_history_has_encounters_on_both_sides_of_intake(cohort_history, client, supervisor):
    """The recount above has teeth: the figures it checks are not all zeros."""
    answer = client.sign_in_as(supervisor).get("/stats/cohort", query_string={"months": 12}).get_json()
    assert answer["before_total"] > 10 and answer["after_total"] > 10
    assert answer["complete_12_months"] >= 4 and 1 <= answer["complete_24_months"] < answer["cases"]
