"""GET /stats/summary (+ .csv): the unit's published figures for any period, overall, by team and by group."""

import csv
import io
from datetime import date

import pytest

from testkit import factories
from tests.test_stats_factories import (
    make_case,
    make_encounter,
    make_person,
    make_referral,
)

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
FIGURES = ("interactions", "primary_responses", "calls_for_service", "consultations", "on_scene_assists",
           "shelter_check_ins", "referrals_made", "referrals_accepted", "referrals_completed", "case_intakes",
           "people_engaged")


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


def overall(report: dict) -> dict:
    return {name: report[name] for name in FIGURES}


def test_summary_reports_the_published_figures_overall_by_team_and_by_group(as_supervisor, officer, team, north,
                                                                            agency):
    team.group, north.group = "core", "branch"
    colleague = factories.make_user("officer", team=north)
    alex, blair = make_person(officer, "Alex R."), make_person(colleague, "Blair T.")
    make_encounter(officer, "2026-11-03T10:00:00-07:00", "interaction", person=alex)
    make_encounter(officer, "2026-11-04T10:00:00-07:00", "primary_response", person=alex, call_number="26-1")
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
    downtown = figures(interactions=2, primary_responses=1, calls_for_service=1, referrals_made=1,
                       referrals_accepted=1, case_intakes=1, people_engaged=1)
    branch = figures(consultations=1, on_scene_assists=1, shelter_check_ins=1, referrals_made=1, people_engaged=1)
    assert overall(report) == figures(interactions=2, primary_responses=1, calls_for_service=1, consultations=1,
                                      on_scene_assists=1, shelter_check_ins=1, referrals_made=2,
                                      referrals_accepted=1, case_intakes=1, people_engaged=2)
    assert report["by_team"] == [
        {"team_id": team.id, "name": "Downtown HELP", "group": "core", **downtown},
        {"team_id": north.id, "name": "North HELP", "group": "branch", **branch},
    ]
    assert report["by_group"] == [{"group": "branch", **branch}, {"group": "core", **downtown}]
    assert overall(summary(as_supervisor, **PERIOD, group="core")) == downtown
    only_north = summary(as_supervisor, **PERIOD, team_id=north.id)
    assert overall(only_north) == branch
    assert [row["team_id"] for row in only_north["by_team"]] == [north.id]


def test_two_officers_on_one_call_count_one_call_for_service(as_supervisor, officer, team, north):
    team.group, north.group = "core", "core"
    partner, colleague = factories.make_user("officer", team=team), factories.make_user("officer", team=north)
    make_encounter(officer, "2026-11-10T10:00:00-07:00", "primary_response", call_number="26-000777")
    make_encounter(partner, "2026-11-10T10:05:00-07:00", "primary_response", call_number="26-000777")
    make_encounter(colleague, "2026-11-10T10:20:00-07:00", "primary_response", call_number="26-000777")
    make_encounter(officer, "2026-11-12T10:00:00-07:00", "primary_response", call_number="26-000778")
    make_encounter(officer, "2026-11-12T11:00:00-07:00", "on_scene_assist", call_number="26-000779")  # not primary
    report = summary(as_supervisor)
    assert (report["primary_responses"], report["calls_for_service"]) == (4, 2)
    assert [(t["primary_responses"], t["calls_for_service"]) for t in report["by_team"]] == [(3, 2), (1, 1)]
    assert [(g["group"], g["calls_for_service"]) for g in report["by_group"]] == [("core", 2)]


def test_teams_with_nothing_are_listed_with_zeros(as_supervisor, team, north):
    report = summary(as_supervisor)
    assert [(t["name"], t | {"team_id": 0}) for t in report["by_team"]] == [
        ("Downtown HELP", {"team_id": 0, "name": "Downtown HELP", "group": None, **figures()}),
        ("North HELP", {"team_id": 0, "name": "North HELP", "group": None, **figures()}),
    ]
    assert report["by_group"] == [{"group": None, **figures()}]
    assert overall(report) == figures()


def test_case_intakes_count_people_not_cases(as_supervisor, officer):
    person = make_person(officer)
    make_case(officer, person, "2026-11-02T10:00:00-07:00", status="closed")
    make_case(officer, person, "2026-11-20T10:00:00-07:00")
    make_case(officer, make_person(officer, "Sam K."), "2026-11-21T10:00:00-07:00")
    assert summary(as_supervisor)["case_intakes"] == 2


def test_a_person_met_by_two_teams_is_engaged_once_overall_and_once_in_their_group(as_supervisor, officer, team,
                                                                                   north):
    team.group = north.group = "branch"
    colleague = factories.make_user("officer", team=north)
    person = make_person(officer)
    make_encounter(officer, "2026-11-10T10:00:00-07:00", person=person)
    make_encounter(officer, "2026-11-11T10:00:00-07:00", person=person)
    make_encounter(colleague, "2026-11-12T10:00:00-07:00", person=person)
    report = summary(as_supervisor)
    assert report["people_engaged"] == 1
    assert [t["people_engaged"] for t in report["by_team"]] == [1, 1]
    assert [(g["group"], g["people_engaged"], g["interactions"]) for g in report["by_group"]] == [("branch", 1, 3)]
    assert report["interactions"] == 3


def test_the_period_is_counted_in_local_days_at_both_ends(as_supervisor, officer):
    inside = [make_person(officer, "First"), make_person(officer, "Last")]
    outside = [make_person(officer, "Before"), make_person(officer, "After")]
    make_encounter(officer, "2026-11-01T00:10:00-06:00", person=inside[0])  # just after local midnight
    make_encounter(officer, "2026-11-30T23:50:00-07:00", person=inside[1])  # already December in UTC
    make_encounter(officer, "2026-10-31T23:50:00-06:00", person=outside[0])
    make_encounter(officer, "2026-12-01T00:10:00-07:00", person=outside[1])
    report = summary(as_supervisor)
    assert (report["interactions"], report["people_engaged"]) == (2, 2)


def test_entries_by_staff_without_a_team_get_their_own_row(as_supervisor, supervisor, team):
    make_encounter(supervisor, "2026-11-10T10:00:00-07:00", "consultation")
    report = summary(as_supervisor)
    assert report["by_team"][-1] == {"team_id": None, "name": None, "group": None, **figures(consultations=1)}
    assert report["consultations"] == 1


def test_any_period_without_a_cap_and_by_default_since_the_first_record(as_supervisor, officer):
    person = make_person(officer)
    make_encounter(officer, "2021-03-15T10:00:00-06:00", person=person)
    make_encounter(officer, "2026-11-20T10:00:00-07:00", person=person)
    report = summary(as_supervisor, **{"from": "2021-01-01", "to": "2026-11-30"})
    assert (report["interactions"], report["people_engaged"]) == (2, 1)
    everything = as_supervisor.get("/stats/summary").get_json()
    assert everything["from"] == "2021-03-15"
    assert (everything["interactions"], everything["people_engaged"]) == (2, 1)


def test_a_person_met_in_the_partial_months_and_the_whole_months_between_counts_once(as_supervisor, officer):
    """The whole months come from the monthly table, the partial ones from the records: joined exactly."""
    both, left, right, middle = (make_person(officer, name) for name in ("Both", "Left", "Right", "Middle"))
    make_encounter(officer, "2025-01-20T10:00:00-07:00", person=both)
    make_encounter(officer, "2025-06-10T10:00:00-06:00", person=both)
    make_encounter(officer, "2025-09-05T10:00:00-06:00", person=both)
    make_encounter(officer, "2025-01-25T10:00:00-07:00", person=left)
    make_encounter(officer, "2025-01-05T10:00:00-07:00", person=left)  # same month, before the period
    make_encounter(officer, "2025-09-02T10:00:00-06:00", person=right)
    make_encounter(officer, "2025-09-20T10:00:00-06:00", person=right)  # same month, after the period
    make_encounter(officer, "2025-04-01T00:00:00-06:00", person=middle)
    report = summary(as_supervisor, **{"from": "2025-01-15", "to": "2025-09-10"})
    assert (report["interactions"], report["people_engaged"]) == (6, 4)
    assert summary(as_supervisor, **{"from": "2025-01-21", "to": "2025-09-01"})["people_engaged"] == 3
    assert summary(as_supervisor, **{"from": "2025-01-20", "to": "2025-05-31"})["people_engaged"] == 3
    assert summary(as_supervisor, **{"from": "2025-06-10", "to": "2025-09-05"})["people_engaged"] == 2
    assert summary(as_supervisor, **{"from": "2025-02-01", "to": "2025-08-31"})["people_engaged"] == 2
    assert summary(as_supervisor, **{"from": "2025-01-21", "to": "2025-02-10"})["people_engaged"] == 1


def test_referrals_completed_count_on_the_day_of_that_move_for_the_referring_team(as_supervisor, officer, agency):
    from app.extensions import db
    from app.referrals.models import ReferralEvent
    from testkit.factories import at

    referral = make_referral(officer, make_person(officer), agency, "2026-10-20T10:00:00-06:00",
                             "2026-10-21T10:00:00-06:00")
    referral.status, referral.completed_on = "completed", date(2026, 11, 1)  # as the move sets them
    db.session.add(ReferralEvent(referral_id=referral.id, from_status="accepted", to_status="completed", version=3,
                                 actor_id=officer.id, at=at("2026-11-01T00:30:00-06:00")))
    db.session.flush()
    report = summary(as_supervisor)
    assert (report["referrals_made"], report["referrals_accepted"], report["referrals_completed"]) == (0, 0, 1)
    october = summary(as_supervisor, **{"from": "2026-10-01", "to": "2026-10-31"})
    assert (october["referrals_made"], october["referrals_accepted"], october["referrals_completed"]) == (1, 1, 0)


def test_the_csv_has_the_figure_names_a_row_overall_and_one_per_team(as_supervisor, officer, team, north):
    make_encounter(officer, "2026-11-10T10:00:00-07:00", "primary_response", call_number="26-9")
    response = as_supervisor.get("/stats/summary.csv", query_string=PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["row"], r["name"]) for r in rows] == [("all", ""), ("team", "Downtown HELP"), ("team", "North HELP")]
    assert [(r["primary_responses"], r["calls_for_service"]) for r in rows] == [("1", "1"), ("1", "1"), ("0", "0")]
    assert list(rows[0])[4:] == list(FIGURES)


def test_an_unknown_team_or_group_is_a_validation_error(as_supervisor):
    for query in ({"team_id": 999_999}, {"group": "elsewhere"}):
        response = as_supervisor.get("/stats/summary", query_string=query)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "validation_error"


def test_people_are_counted_once_per_team_and_once_overall_at_the_local_period_edges(
        as_supervisor, officer, supervisor, team, north):
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
    people = {row["name"]: (row["people_engaged"], row["case_intakes"]) for row in report["by_team"]}
    assert people == {"Downtown HELP": (1, 1), "North HELP": (2, 1), None: (1, 0)}
    assert (report["people_engaged"], report["case_intakes"]) == (2, 1)
    assert report["interactions"] == 8


def test_partial_end_months_holding_nothing_else_count_as_the_whole_months(as_supervisor, officer):
    """From a month's first record to its last: the distinct figures are those of the whole months."""
    first, again, last = (make_person(officer, name) for name in ("First", "Again", "Last"))
    make_encounter(officer, "2025-03-20T10:00:00-06:00", person=first)  # nothing earlier in March
    make_encounter(officer, "2025-04-02T10:00:00-06:00", "primary_response", person=again, call_number="25-1")
    make_encounter(officer, "2025-05-28T10:00:00-06:00", "primary_response", person=again, call_number="25-1")
    make_encounter(officer, "2025-05-28T11:00:00-06:00", person=last)  # nothing later in May
    make_case(officer, last, "2025-05-28T12:00:00-06:00")
    for period in ({"from": "2025-03-20", "to": "2025-05-28"}, {"from": "2025-03-01", "to": "2025-05-31"},
                   {"to": "2025-05-28"}):
        report = summary(as_supervisor, **period)
        assert (report["interactions"], report["people_engaged"], report["calls_for_service"],
                report["case_intakes"]) == (2, 3, 1, 1), period
    inside = summary(as_supervisor, **{"from": "2025-03-10", "to": "2025-03-25"})  # inside one month
    assert (inside["interactions"], inside["people_engaged"]) == (1, 1)


def test_records_before_the_start_or_after_the_end_in_its_month_stay_outside(as_supervisor, officer, team, north):
    """Whatever is recorded between an end of the period and its month's boundary is left out, whether it is
    an encounter, a call for service or only a case intake (each alone keeps the edge read from the records)."""
    colleague = factories.make_user("officer", team=north)
    kept, taken_in, after = (make_person(officer, name) for name in ("Kept", "Taken in", "After"))
    make_case(officer, taken_in, "2025-03-05T10:00:00-07:00")  # before the start: only an intake
    make_encounter(officer, "2025-03-20T10:00:00-06:00", person=kept)
    make_encounter(officer, "2025-04-20T10:00:00-06:00", person=taken_in)
    make_encounter(colleague, "2025-05-28T10:00:00-06:00", person=kept)
    make_encounter(colleague, "2025-05-30T10:00:00-06:00", person=after)  # after the end: not counted
    report = summary(as_supervisor, **{"from": "2025-03-20", "to": "2025-05-28"})
    assert (report["interactions"], report["people_engaged"], report["case_intakes"]) == (3, 2, 0)
    assert summary(as_supervisor, **{"from": "2025-03-06", "to": "2025-05-29"})["people_engaged"] == 2
    assert summary(as_supervisor, **{"from": "2025-03-05", "to": "2025-05-30"})["case_intakes"] == 1
    make_encounter(colleague, "2025-03-02T10:00:00-07:00", "primary_response", call_number="25-9")  # before
    report = summary(as_supervisor, **{"from": "2025-03-03", "to": "2025-05-31"})
    assert (report["primary_responses"], report["calls_for_service"], report["people_engaged"]) == (0, 0, 3)


def test_people_met_on_the_few_days_at_each_end_are_looked_up_in_every_scope(as_supervisor, officer, team, north):
    """Edges of a few days (looked up person by person) and whole months between: each person once per
    team, group and overall."""
    team.group = north.group = "core"
    colleague = factories.make_user("officer", team=north)
    both, right_only, throughout, early, late = (make_person(officer, name) for name in
                                                 ("Both", "Right", "Throughout", "Early", "Late"))
    make_encounter(officer, "2025-03-02T10:00:00-07:00", person=early)  # keeps March partial
    make_encounter(officer, "2025-06-20T10:00:00-06:00", person=late)  # keeps June partial
    make_encounter(officer, "2025-03-30T10:00:00-06:00", person=both)
    make_encounter(colleague, "2025-05-10T10:00:00-06:00", person=both)
    make_encounter(colleague, "2025-06-01T10:00:00-06:00", person=right_only)
    for at in ("2025-03-29T10:00:00-06:00", "2025-04-15T10:00:00-06:00", "2025-06-02T10:00:00-06:00"):
        make_encounter(officer, at, person=throughout)
    report = summary(as_supervisor, **{"from": "2025-03-28", "to": "2025-06-02"})
    assert report["people_engaged"] == 3
    assert {row["name"]: row["people_engaged"] for row in report["by_team"]} == {"Downtown HELP": 2, "North HELP": 2}
    assert [(row["group"], row["people_engaged"]) for row in report["by_group"]] == [("core", 3)]
    assert summary(as_supervisor, **{"from": "2025-03-31", "to": "2025-06-01"})["people_engaged"] == 3
    assert summary(as_supervisor, **{"from": "2025-04-01", "to": "2025-05-31"})["people_engaged"] == 2


def test_migration_0011_sets_the_completed_day_of_referrals_already_stored(as_supervisor, officer, agency):
    """The backfill gives a referral completed before the migration the local day of that move (here
    late on October 31 in Edmonton, already November 1 in UTC), as a move made now would get."""
    import importlib.util
    from pathlib import Path

    from app.extensions import db
    from app.referrals.models import ReferralEvent
    from testkit.factories import at

    path = Path(__file__).resolve().parents[1] / "migrations" / "versions" / "0011_referral_completed_on.py"
    spec = importlib.util.spec_from_file_location("m0011", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    referral = make_referral(officer, make_person(officer), agency, "2026-10-20T10:00:00-06:00",
                             "2026-10-21T10:00:00-06:00")
    referral.status = "completed"
    db.session.add(ReferralEvent(referral_id=referral.id, from_status="accepted", to_status="completed", version=3,
                                 actor_id=officer.id, at=at("2026-10-31T23:30:00-06:00")))
    db.session.flush()
    assert summary(as_supervisor, **{"from": "2026-10-31", "to": "2026-10-31"})["referrals_completed"] == 0
    assert migration.backfill_completed_on(db.session.connection()) == 1
    db.session.expire_all()
    assert summary(as_supervisor, **{"from": "2026-10-31", "to": "2026-10-31"})["referrals_completed"] == 1
    assert summary(as_supervisor, **{"from": "2026-11-01", "to": "2026-11-01"})["referrals_completed"] == 0
