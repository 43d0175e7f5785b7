"""GET /stats/daily: every local day of the period, counted by when things happened, with totals."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.stats.schemas import DailyCountsSchema
from app.vocabulary import ENCOUNTER_KINDS
from testkit import entries as e
from testkit import factories
from testkit.cases import today_in_edmonton
from tests.test_stats_factories import (
    make_case,
    make_encounter,
    make_person,
    make_referral,
)

COUNT_KEYS = (*ENCOUNTER_KINDS, "referrals_made", "referrals_accepted", "case_intakes")
EDMONTON = ZoneInfo("America/Edmonton")


@pytest.fixture
def as_supervisor(client, supervisor):
    return client.sign_in_as(supervisor)


def daily(client, start: str, end: str, **filters) -> dict:
    response = client.get("/stats/daily", query_string={"from": start, "to": end, **filters})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def on(report: dict, day: str) -> dict:
    return next(entry for entry in report["days"] if entry["date"] == day)


def interactions_by_day(report: dict) -> dict[str, int]:
    return {entry["date"]: entry["interaction"] for entry in report["days"]}


def test_every_day_of_the_period_is_listed_with_zeros(as_supervisor):
    report = daily(as_supervisor, "2026-02-26", "2026-03-02")
    assert report["timezone"] == "America/Edmonton"
    assert [d["date"] for d in report["days"]] == ["2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01",
                                                   "2026-03-02"]
    assert all(d == {"date": d["date"], **dict.fromkeys(COUNT_KEYS, 0)} for d in report["days"])
    assert report["totals"] == dict.fromkeys(COUNT_KEYS, 0)


def test_a_single_day_period_lists_that_day(as_supervisor, officer):
    make_encounter(officer, "2026-11-20T12:00:00-07:00")
    report = daily(as_supervisor, "2026-11-20", "2026-11-20")
    assert [d["date"] for d in report["days"]] == ["2026-11-20"]
    assert report["totals"]["interaction"] == 1


def test_an_evening_encounter_counts_on_its_local_day_not_the_utc_day(as_supervisor, officer):
    make_encounter(officer, "2026-11-20T23:30:00-07:00")  # 2026-11-21T06:30Z
    report = daily(as_supervisor, "2026-11-19", "2026-11-21")
    assert interactions_by_day(report) == {"2026-11-19": 0, "2026-11-20": 1, "2026-11-21": 0}


def test_the_23_hour_spring_forward_day_counts_from_local_midnight_to_midnight(as_supervisor, officer):
    make_encounter(officer, "2026-03-07T23:59:00-07:00")
    make_encounter(officer, "2026-03-08T00:15:00-07:00")  # MST, before clocks go forward
    make_encounter(officer, "2026-03-08T03:05:00-06:00")  # MDT, minutes after the jump from 02:00
    make_encounter(officer, "2026-03-08T23:45:00-06:00")  # MDT, already 2026-03-09 in UTC
    make_encounter(officer, "2026-03-09T00:05:00-06:00")
    report = daily(as_supervisor, "2026-03-07", "2026-03-09")
    assert interactions_by_day(report) == {"2026-03-07": 1, "2026-03-08": 3, "2026-03-09": 1}


def test_the_25_hour_fall_back_day_counts_both_passes_of_1_30(as_supervisor, officer):
    make_encounter(officer, "2026-10-31T23:30:00-06:00")
    make_encounter(officer, "2026-11-01T01:30:00-06:00")  # first 01:30 (MDT)
    make_encounter(officer, "2026-11-01T01:30:00-07:00")  # second 01:30 (MST), an hour later
    make_encounter(officer, "2026-11-01T23:30:00-07:00")  # 2026-11-02T06:30Z
    make_encounter(officer, "2026-11-02T00:30:00-07:00")
    report = daily(as_supervisor, "2026-10-31", "2026-11-02")
    assert interactions_by_day(report) == {"2026-10-31": 1, "2026-11-01": 3, "2026-11-02": 1}


def test_an_entry_synced_three_days_late_counts_on_the_day_it_happened(as_supervisor, officer):
    make_encounter(officer, "2026-11-20T21:00:00-07:00", received_at="2026-11-23T10:00:00-07:00")
    report = daily(as_supervisor, "2026-11-20", "2026-11-23")
    assert interactions_by_day(report) == {"2026-11-20": 1, "2026-11-21": 0, "2026-11-22": 0, "2026-11-23": 0}


def test_each_kind_and_each_follow_up_counts_on_its_own_day(as_supervisor, officer, agency):
    person = make_person(officer)
    for kind in ENCOUNTER_KINDS:
        make_encounter(officer, "2026-11-10T15:00:00-07:00", kind, person=person)
    make_referral(officer, person, agency, made_at="2026-11-10T15:20:00-07:00",
                  accepted_at="2026-11-12T09:00:00-07:00")
    make_referral(officer, person, agency, made_at="2026-11-11T10:00:00-07:00")
    make_case(officer, person, opened_at="2026-11-12T23:10:00-07:00")
    report = daily(as_supervisor, "2026-11-10", "2026-11-12")
    assert on(report, "2026-11-10") == {"date": "2026-11-10", **dict.fromkeys(ENCOUNTER_KINDS, 1),
                                        "referrals_made": 1, "referrals_accepted": 0, "case_intakes": 0}
    assert on(report, "2026-11-11") == {"date": "2026-11-11", **dict.fromkeys(ENCOUNTER_KINDS, 0),
                                        "referrals_made": 1, "referrals_accepted": 0, "case_intakes": 0}
    assert on(report, "2026-11-12") == {"date": "2026-11-12", **dict.fromkeys(ENCOUNTER_KINDS, 0),
                                        "referrals_made": 0, "referrals_accepted": 1, "case_intakes": 1}


def test_a_dense_month_matches_an_independent_count_and_totals_are_the_sum_of_the_days(as_supervisor, officer):
    rng = random.Random(20261101)
    start = datetime(2026, 10, 31, 12, tzinfo=UTC)
    expected: Counter = Counter()
    for _ in range(240):
        at = start + timedelta(minutes=rng.randrange(31 * 24 * 60))
        kind = rng.choice(ENCOUNTER_KINDS)
        make_encounter(officer, at, kind)
        expected[(at.astimezone(EDMONTON).date().isoformat(), kind)] += 1
    report = daily(as_supervisor, "2026-10-31", "2026-12-01")
    assert len(report["days"]) == 32
    for entry in report["days"]:
        assert {k: entry[k] for k in ENCOUNTER_KINDS} == {k: expected[(entry["date"], k)] for k in ENCOUNTER_KINDS}
    assert report["totals"] == {key: sum(entry[key] for entry in report["days"]) for key in COUNT_KEYS}
    assert sum(report["totals"][k] for k in ENCOUNTER_KINDS) == 240


def test_the_team_filter_counts_only_that_teams_records(as_supervisor, team, agency):
    other_team = factories.make_team("West HELP")
    ours, theirs = factories.make_user("officer", team=team), factories.make_user("officer", team=other_team)
    for author, count in ((ours, 2), (theirs, 3)):
        person = make_person(author)
        for _ in range(count):
            make_encounter(author, "2026-11-05T10:00:00-07:00", "consultation", person=person)
            make_referral(author, person, agency, "2026-11-05T10:30:00-07:00", "2026-11-05T16:00:00-07:00")
        make_case(author, person, "2026-11-05T17:00:00-07:00")
    report = daily(as_supervisor, "2026-11-05", "2026-11-05", team_id=other_team.id)
    assert report["totals"] == {**dict.fromkeys(COUNT_KEYS, 0), "consultation": 3, "referrals_made": 3,
                                "referrals_accepted": 3, "case_intakes": 1}
    assert daily(as_supervisor, "2026-11-05", "2026-11-05")["totals"]["consultation"] == 5


def test_the_user_filter_counts_only_what_that_user_wrote(as_supervisor, team, agency):
    first, second = factories.make_user("officer", team=team), factories.make_user("officer", team=team)
    person = make_person(first)
    make_encounter(first, "2026-11-06T10:00:00-07:00", "primary_response", person=person)
    make_encounter(second, "2026-11-06T11:00:00-07:00", "primary_response", person=person)
    make_encounter(second, "2026-11-06T12:00:00-07:00", "on_scene_assist", person=person)
    make_referral(second, person, agency, "2026-11-06T12:10:00-07:00")
    make_case(first, person, "2026-11-06T13:00:00-07:00")
    totals = daily(as_supervisor, "2026-11-06", "2026-11-06", user_id=second.id)["totals"]
    assert totals == {**dict.fromkeys(COUNT_KEYS, 0), "primary_response": 1, "on_scene_assist": 1,
                      "referrals_made": 1}
    both = daily(as_supervisor, "2026-11-06", "2026-11-06", user_id=first.id, team_id=team.id)["totals"]
    assert both == {**dict.fromkeys(COUNT_KEYS, 0), "primary_response": 1, "case_intakes": 1}


def test_entries_by_staff_without_a_team_count_in_the_unit_total_only(as_supervisor, supervisor, officer, team):
    make_encounter(supervisor, "2026-11-07T10:00:00-07:00")
    make_encounter(officer, "2026-11-07T11:00:00-07:00")
    assert daily(as_supervisor, "2026-11-07", "2026-11-07")["totals"]["interaction"] == 2
    assert daily(as_supervisor, "2026-11-07", "2026-11-07", team_id=team.id)["totals"]["interaction"] == 1


@pytest.mark.parametrize("start, end", [("2024-01-01", "2024-12-31"), ("2025-11-21", "2026-11-21")])
def test_a_period_of_366_days_is_answered_in_full(as_supervisor, start, end):
    report = daily(as_supervisor, start, end)
    assert len(report["days"]) == 366
    assert (report["days"][0]["date"], report["days"][-1]["date"]) == (start, end)


def test_a_period_longer_than_366_days_is_refused_with_a_clear_message(as_supervisor):
    response = as_supervisor.get("/stats/daily", query_string={"from": "2025-11-20", "to": "2026-11-21"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "Ask for at most 366 days at a time; this period has 367 days."
    assert "to" in error["fields"]


def test_a_start_after_the_end_is_refused(as_supervisor):
    response = as_supervisor.get("/stats/daily", query_string={"from": "2026-11-21", "to": "2026-11-20"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and "on or before" in error["message"]


def test_without_a_period_the_server_answers_the_30_days_ending_today_in_the_service_zone(as_supervisor,
                                                                                         officer):
    """The phone asks for "the last 30 days" without naming them: its own clock and zone data may disagree
    with the server's about which day it is. Today is included and live."""
    today = today_in_edmonton()
    yesterday = today - timedelta(days=1)
    late_evening = datetime(yesterday.year, yesterday.month, yesterday.day, 23, 30, tzinfo=ZoneInfo("America/Edmonton"))
    make_encounter(officer, kind="interaction", occurred_at=late_evening)
    report = as_supervisor.get("/stats/daily").get_json()
    assert (report["from"], report["to"]) == ((today - timedelta(days=29)).isoformat(), today.isoformat())
    assert [d["date"] for d in report["days"]][-1] == today.isoformat() and len(report["days"]) == 30
    assert report["days"][-2]["interaction"] == 1 and report["days"][-1]["interaction"] == 0
    only_end = as_supervisor.get("/stats/daily", query_string={"to": "2026-11-10"}).get_json()
    assert (only_end["from"], only_end["to"]) == ("2026-10-12", "2026-11-10")
    csv = as_supervisor.get("/stats/daily.csv")
    assert csv.status_code == 200 and f"{yesterday.isoformat()},1," in csv.get_data(as_text=True)


def test_an_entry_synced_a_second_ago_counts_in_today(as_supervisor, make_client, officer):
    """Today is live: the rollup moves in the transaction that stores the entry, no nightly job."""
    before = as_supervisor.get("/stats/daily").get_json()["days"][-1]
    as_officer = make_client().sign_in_as(officer)
    just_now = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    assert e.statuses(as_officer.post("/sync", e.batch(e.encounter("interaction", occurred_at=just_now)))) == [
        "created"]
    today = as_supervisor.get("/stats/daily").get_json()["days"][-1]
    assert today["date"] == today_in_edmonton().isoformat()
    assert today["interaction"] == before["interaction"] + 1


@pytest.mark.parametrize("now_utc, today", [
    ("2026-11-21T06:59:59+00:00", "2026-11-20"),  # 23:59:59 in Edmonton (MST, UTC-7): still the 20th
    ("2026-11-21T07:00:00+00:00", "2026-11-21"),  # local midnight: the 21st begins
    ("2026-03-08T06:59:59+00:00", "2026-03-07"),  # the night the clocks spring forward (still MST)
    ("2026-03-09T06:00:00+00:00", "2026-03-09"),  # the first midnight in MDT (UTC-6)
    ("2026-11-01T05:59:59+00:00", "2026-10-31"),  # the last evening in MDT
    ("2026-11-01T06:00:00+00:00", "2026-11-01"),  # the day the clocks fall back begins at MDT midnight
])
def test_the_default_today_turns_at_local_midnight_in_the_service_zone(as_supervisor, officer, monkeypatch,
                                                                         now_utc, today):
    from app.stats import services as stats_services
    monkeypatch.setattr(stats_services, "utcnow", lambda: datetime.fromisoformat(now_utc))
    a_second_before = datetime.fromisoformat(now_utc) - timedelta(seconds=1)
    make_encounter(officer, kind="consultation", occurred_at=a_second_before)
    report = as_supervisor.get("/stats/daily").get_json()
    assert report["to"] == today and report["days"][-1]["date"] == today
    counted_today = report["days"][-1]["consultation"]
    # An instant a second before a local midnight belongs to the day before it.
    assert counted_today == (0 if now_utc.endswith(("07:00:00+00:00", "06:00:00+00:00")) else 1)


@pytest.mark.parametrize("query, bad_field", [
    ({"from": "2026-11-01", "to": ""}, "to"),
    ({"from": "2026-13-01", "to": "2026-11-02"}, "from"),
    ({"from": "yesterday", "to": "2026-11-02"}, "from"),
    ({"from": "2026-11-01", "to": "2026-11-02", "team_id": "0"}, "team_id"),
    ({"from": "2026-11-01", "to": "2026-11-02", "user_id": "abc"}, "user_id"),
])
def test_missing_or_malformed_parameters_are_validation_errors(as_supervisor, query, bad_field):
    response = as_supervisor.get("/stats/daily", query_string=query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and bad_field in error["fields"]


@pytest.mark.parametrize("field", ["team_id", "user_id"])
def test_an_unknown_team_or_user_is_a_validation_error(as_supervisor, field):
    response = as_supervisor.get("/stats/daily",
                                 query_string={"from": "2026-11-01", "to": "2026-11-02", field: 999999})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["fields"] == {field: [f"Unknown {field[:-3]}."]}


def test_days_follow_the_configured_service_time_zone(as_supervisor, officer, app, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEZONE", "America/Regina")  # UTC-6 all year
    make_encounter(officer, "2026-11-20T23:30:00-07:00")  # 00:30 on the 21st in Regina
    report = daily(as_supervisor, "2026-11-20", "2026-11-21")
    assert report["timezone"] == "America/Regina"
    assert interactions_by_day(report) == {"2026-11-20": 0, "2026-11-21": 1}


def test_the_body_matches_the_documented_schema(as_supervisor, officer):
    make_encounter(officer, "2026-11-20T12:00:00-07:00")
    body = daily(as_supervisor, "2026-11-19", "2026-11-21")
    assert DailyCountsSchema().validate(body) == {}
    spec = as_supervisor.get("/openapi.json").get_json()
    days = spec["components"]["schemas"]["DailyCounts"]["properties"]["days"]
    assert days["items"] == {"$ref": "#/components/schemas/DayCounts"}
