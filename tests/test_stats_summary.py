"""GET /stats/summary: the unit's published figures for a period, overall and by team."""

import pytest

from testkit import factories
from tests.test_stats_factories import (
    make_case,
    make_encounter,
    make_person,
    make_referral,
)

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
FIGURES = ("interactions", "primary_responses", "consultations", "on_scene_assists", "shelter_check_ins",
           "referrals", "case_intakes", "distinct_people_engaged")


@pytest.fixture
def as_supervisor(client, supervisor):
    return client.sign_in_as(supervisor)


@pytest.fixture
def north(db):
    return factories.make_team("North HELP")


def summary(client, **period) -> dict:
    response = client.get("/stats/summary", query_string=period or PERIOD)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def figures(**values) -> dict:
    return {**dict.fromkeys(FIGURES, 0), **values}


def test_summary_reports_the_published_figures_overall_and_by_team(as_supervisor, officer, team, north, agency):
    colleague = factories.make_user("officer", team=north)
    alex, blair = make_person(officer, "Alex R."), make_person(colleague, "Blair T.")
    make_encounter(officer, "2026-11-03T10:00:00-07:00", "interaction", person=alex)
    make_encounter(officer, "2026-11-04T10:00:00-07:00", "primary_response", person=alex)
    make_encounter(officer, "2026-11-05T10:00:00-07:00", "interaction")  # anonymous
    make_encounter(colleague, "2026-11-06T10:00:00-07:00", "consultation", person=blair)
    make_encounter(colleague, "2026-11-07T10:00:00-07:00", "on_scene_assist", person=blair)
    make_encounter(colleague, "2026-11-08T10:00:00-07:00", "shelter_check_in", person=blair)
    make_referral(officer, alex, agency, "2026-11-03T10:10:00-07:00", "2026-11-04T09:00:00-07:00")
    make_referral(colleague, blair, agency, "2026-11-06T10:10:00-07:00")
    make_case(officer, alex, "2026-11-04T12:00:00-07:00")
    make_encounter(officer, "2026-12-01T10:00:00-07:00", "interaction", person=alex)  # after the period

    report = summary(as_supervisor)
    assert (report["timezone"], report["from"], report["to"]) == ("America/Edmonton", "2026-11-01", "2026-11-30")
    assert report["overall"] == figures(interactions=2, primary_responses=1, consultations=1, on_scene_assists=1,
                                        shelter_check_ins=1, referrals=2, case_intakes=1, distinct_people_engaged=2)
    assert report["by_team"] == [
        {"team_id": team.id, "team_name": "Downtown HELP",
         **figures(interactions=2, primary_responses=1, referrals=1, case_intakes=1, distinct_people_engaged=1)},
        {"team_id": north.id, "team_name": "North HELP",
         **figures(consultations=1, on_scene_assists=1, shelter_check_ins=1, referrals=1, distinct_people_engaged=1)},
    ]


def test_teams_with_nothing_are_listed_with_zeros(as_supervisor, team, north):
    report = summary(as_supervisor)
    assert [(t["team_name"], t | {"team_id": 0, "team_name": ""}) for t in report["by_team"]] == [
        ("Downtown HELP", {"team_id": 0, "team_name": "", **figures()}),
        ("North HELP", {"team_id": 0, "team_name": "", **figures()}),
    ]
    assert report["overall"] == figures()


def test_case_intakes_count_people_not_cases(as_supervisor, officer):
    person = make_person(officer)
    make_case(officer, person, "2026-11-02T10:00:00-07:00", status="closed")
    make_case(officer, person, "2026-11-20T10:00:00-07:00")
    make_case(officer, make_person(officer, "Sam K."), "2026-11-21T10:00:00-07:00")
    assert summary(as_supervisor)["overall"]["case_intakes"] == 2


def test_a_person_met_by_two_teams_is_engaged_once_overall(as_supervisor, officer, north):
    colleague = factories.make_user("officer", team=north)
    person = make_person(officer)
    make_encounter(officer, "2026-11-10T10:00:00-07:00", person=person)
    make_encounter(officer, "2026-11-11T10:00:00-07:00", person=person)
    make_encounter(colleague, "2026-11-12T10:00:00-07:00", person=person)
    report = summary(as_supervisor)
    assert report["overall"]["distinct_people_engaged"] == 1
    assert [t["distinct_people_engaged"] for t in report["by_team"]] == [1, 1]
    assert report["overall"]["interactions"] == 3


def test_the_period_is_counted_in_local_days_at_both_ends(as_supervisor, officer):
    inside = [make_person(officer, "First"), make_person(officer, "Last")]
    outside = [make_person(officer, "Before"), make_person(officer, "After")]
    make_encounter(officer, "2026-11-01T00:10:00-06:00", person=inside[0])  # just after local midnight
    make_encounter(officer, "2026-11-30T23:50:00-07:00", person=inside[1])  # already December in UTC
    make_encounter(officer, "2026-10-31T23:50:00-06:00", person=outside[0])
    make_encounter(officer, "2026-12-01T00:10:00-07:00", person=outside[1])
    overall = summary(as_supervisor)["overall"]
    assert (overall["interactions"], overall["distinct_people_engaged"]) == (2, 2)


def test_entries_by_staff_without_a_team_get_their_own_row(as_supervisor, supervisor, team):
    make_encounter(supervisor, "2026-11-10T10:00:00-07:00", "consultation")
    report = summary(as_supervisor)
    assert report["by_team"][-1] == {"team_id": None, "team_name": None, **figures(consultations=1)}
    assert report["overall"]["consultations"] == 1


def test_the_summary_period_is_limited_like_the_daily_counts(as_supervisor):
    response = as_supervisor.get("/stats/summary", query_string={"from": "2025-01-01", "to": "2026-01-02"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"


def test_people_are_counted_once_per_team_and_once_overall_at_the_local_period_edges(
        as_supervisor, officer, supervisor, team, north):
    """The database counts the distinct people (one walk along an index each): every edge of that count."""
    colleague = factories.make_user("officer", team=north)
    both, edge, early, late = (make_person(officer, name) for name in ("Both", "Edge", "Early", "Late"))
    # Met by both teams and by a supervisor (no team), several times each: one person everywhere.
    for author, at in ((officer, "2026-11-02T10:00:00-07:00"), (officer, "2026-11-03T10:00:00-07:00"),
                       (colleague, "2026-11-04T10:00:00-07:00"), (supervisor, "2026-11-05T10:00:00-07:00")):
        make_encounter(author, at, person=both)
    make_encounter(colleague, "2026-11-30T23:30:00-07:00", person=edge)  # last local day (Dec 1 06:30 UTC)
    make_encounter(officer, "2026-10-31T23:30:00-06:00", person=early)  # the local day before: outside
    make_encounter(colleague, "2026-12-01T00:00:00-07:00", person=late)  # local midnight after: outside
    for author in (officer, colleague, supervisor):  # nobody identified: no one engaged
        make_encounter(author, "2026-11-15T10:00:00-07:00")
    # Case intakes: a person taken in twice by one team and once by the other, and the edges again.
    make_case(officer, both, "2026-11-01T00:00:00-06:00", status="closed")  # local midnight, first day
    make_case(officer, both, "2026-11-20T10:00:00-07:00", status="closed")
    make_case(colleague, both, "2026-11-30T23:30:00-07:00")
    make_case(colleague, early, "2026-10-31T23:30:00-06:00")
    make_case(officer, late, "2026-12-01T00:00:00-07:00")

    report = summary(as_supervisor)
    people = {row["team_name"]: (row["distinct_people_engaged"], row["case_intakes"]) for row in report["by_team"]}
    assert people == {"Downtown HELP": (1, 1), "North HELP": (2, 1), None: (1, 0)}
    assert (report["overall"]["distinct_people_engaged"], report["overall"]["case_intakes"]) == (2, 1)
    assert report["overall"]["interactions"] == 8
