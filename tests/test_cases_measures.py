"""The case view's measures: encounters per month before and after intake, the timeline, and the
supervisor's list of cases due for review or past their tracking window."""

from datetime import timedelta

import pytest

from testkit import entries as e
from testkit import factories
from testkit.cases import (
    add_goal,
    months_ago,
    new_person,
    open_case,
    today_in_edmonton,
)

# Intake on 15 June 2025 (Edmonton, UTC-6 in summer). Month -1 is 15 May - 14 June, month 1 is
# 16 June - 15 July; the intake day itself is counted apart.
INTAKE = "2025-06-15T14:00:00-06:00"
HISTORY = [
    "2025-03-10T10:00:00-06:00",  # month -4
    "2025-03-20T10:00:00-06:00",  # month -3
    "2025-04-15T00:30:00-06:00",  # month -2 (its first day)
    "2025-05-01T10:00:00-06:00",  # month -2
    "2025-05-15T10:00:00-06:00",  # month -1 (its first day)
    "2025-06-01T10:00:00-06:00",  # month -1
    "2025-06-14T23:30:00-06:00",  # month -1: the 15th in UTC, the 14th in Edmonton
    "2025-06-15T09:00:00-06:00",  # the intake day
    "2025-07-15T23:00:00-06:00",  # month 1 (its last day)
]


@pytest.fixture
def heavy_user_case(as_officer):
    """A person with a known history: 6 encounters in the 3 months before intake, 1 after."""
    person_id = new_person(as_officer)
    encounters = [e.encounter(person_id=person_id, occurred_at=at) for at in HISTORY]
    assert e.statuses(as_officer.post("/sync", e.batch(*encounters))) == ["created"] * len(HISTORY)
    return open_case(as_officer, person_id, opened_at=INTAKE)


def test_encounters_are_counted_per_month_each_side_of_intake(as_officer, heavy_user_case):
    counts = as_officer.get(f"/cases/{heavy_user_case['id']}?months=3").get_json()["encounters_per_month"]
    assert [(m["month"], m["first_day"], m["last_day"], m["count"]) for m in counts["before"]] == [
        (-3, "2025-03-15", "2025-04-14", 1), (-2, "2025-04-15", "2025-05-14", 2), (-1, "2025-05-15", "2025-06-14", 3)]
    assert [(m["month"], m["first_day"], m["last_day"], m["count"]) for m in counts["after"]] == [
        (1, "2025-06-16", "2025-07-15", 1), (2, "2025-07-16", "2025-08-15", 0), (3, "2025-08-16", "2025-09-15", 0)]
    assert (counts["before_total"], counts["intake_day"], counts["after_total"]) == (6, 1, 1)
    assert (counts["intake_on"], counts["months"], counts["complete_months_after"]) == ("2025-06-15", 3, 3)


def test_twelve_months_each_side_by_default(as_officer, heavy_user_case):
    counts = as_officer.get(f"/cases/{heavy_user_case['id']}").get_json()["encounters_per_month"]
    assert (len(counts["before"]), len(counts["after"])) == (12, 12)
    assert (counts["before"][0]["first_day"], counts["after"][-1]["last_day"]) == ("2024-06-15", "2026-06-15")
    assert (counts["before_total"], counts["after_total"]) == (7, 1)


def test_every_teams_encounters_count_but_the_timeline_shows_only_what_the_reader_may_see(
        as_officer, make_client, heavy_user_case):
    elsewhere = make_client().sign_in_as(factories.make_user("supervisor", team=factories.make_team()))
    visit = e.encounter(person_id=heavy_user_case["person_id"], occurred_at="2025-06-20T10:00:00-06:00")
    assert e.statuses(elsewhere.post("/sync", e.batch(visit))) == ["created"]
    shown = as_officer.get(f"/cases/{heavy_user_case['id']}?months=3").get_json()
    assert shown["encounters_per_month"]["after"][0]["count"] == 2
    assert visit["id"] not in [item["id"] for item in shown["timeline"]]
    supervisor_view = elsewhere.get(f"/cases/{heavy_user_case['id']}").get_json()
    assert visit["id"] in [item["id"] for item in supervisor_view["timeline"]]


def test_months_after_intake_still_running_are_not_complete(as_officer):
    intake_day = today_in_edmonton() - timedelta(days=45)
    case = open_case(as_officer, opened_at=f"{intake_day.isoformat()}T12:00:00-07:00")
    counts = as_officer.get(f"/cases/{case['id']}?months=3").get_json()["encounters_per_month"]
    assert [m["complete"] for m in counts["after"]] == [True, False, False]
    assert all(m["complete"] for m in counts["before"]) and counts["complete_months_after"] == 1


def test_months_is_bounded(as_officer, heavy_user_case):
    assert as_officer.get(f"/cases/{heavy_user_case['id']}?months=0").status_code == 400
    assert as_officer.get(f"/cases/{heavy_user_case['id']}?months=37").status_code == 400


def test_the_timeline_lists_encounters_referrals_goals_and_transitions_by_date(as_officer, agency):
    person = e.person()
    before = e.encounter(person_id=person["id"], occurred_at="2026-08-30T10:00:00-06:00")
    referral = e.referral(person["id"], agency.id, made_at="2026-08-30T11:00:00-06:00")
    as_officer.post("/sync", e.batch(person, before, referral))
    case = open_case(as_officer, person["id"], opened_at="2026-09-01T10:00:00-06:00")
    goal = add_goal(as_officer, case["id"], set_at="2026-09-02T09:00:00-06:00")
    as_officer.patch(f"/cases/{case['id']}/goals/{goal['id']}",
                     {"status": "met", "occurred_at": "2026-10-01T09:00:00-06:00"})
    transition = as_officer.post(f"/cases/{case['id']}/transitions", {
        "agency_id": agency.id, "program": "Housing First", "transitioned_at": "2026-10-05T09:00:00-06:00"}).get_json()
    as_officer.post(f"/cases/{case['id']}/close", {"reason": "Housed.", "closed_at": "2026-10-06T09:00:00-06:00"})
    timeline = as_officer.get(f"/cases/{case['id']}").get_json()["timeline"]
    assert [(i["type"], i["id"], i["on"]) for i in timeline] == [
        ("encounter", before["id"], "2026-08-30"), ("referral", referral["id"], "2026-08-30"),
        ("case_opened", case["id"], "2026-09-01"), ("goal_set", goal["id"], "2026-09-02"),
        ("goal_status", goal["id"], "2026-10-01"), ("transition", transition["id"], "2026-10-05"),
        ("case_closed", case["id"], "2026-10-06")]
    assert (timeline[4]["status"], timeline[5]["program"], timeline[1]["status"]) == ("met", "Housing First", "pending")


def test_a_goal_set_on_the_day_the_case_opened_follows_the_opening(as_officer):
    person = e.person()
    early = e.encounter(person_id=person["id"], occurred_at="2026-09-01T08:00:00-06:00")
    late = e.encounter(person_id=person["id"], occurred_at="2026-09-01T15:00:00-06:00")
    as_officer.post("/sync", e.batch(person, early, late))
    case = open_case(as_officer, person["id"], opened_at="2026-09-01T10:00:00-06:00")
    goal = add_goal(as_officer, case["id"], set_at="2026-09-01T11:00:00-06:00")
    timeline = as_officer.get(f"/cases/{case['id']}").get_json()["timeline"]
    assert [(i["type"], i["id"]) for i in timeline] == [
        ("encounter", early["id"]), ("case_opened", case["id"]), ("goal_set", goal["id"]), ("encounter", late["id"])]


def test_a_goal_set_and_moved_in_the_second_the_case_opened_lists_after_the_opening(as_officer):
    """Times are kept to the second: a case opened, a goal set and moved at once (a phone's queue sent in
    one batch) still read in the order they happened."""
    person = e.person()
    as_officer.post("/sync", e.batch(person))
    at = "2026-09-01T10:00:00-06:00"
    case = open_case(as_officer, person["id"], opened_at=at)
    goal = add_goal(as_officer, case["id"], set_at=at)
    as_officer.patch(f"/cases/{case['id']}/goals/{goal['id']}", {"status": "in_progress", "occurred_at": at})
    timeline = as_officer.get(f"/cases/{case['id']}").get_json()["timeline"]
    assert [(i["type"], i.get("status")) for i in timeline] == [
        ("case_opened", None), ("goal_set", None), ("goal_status", "in_progress")]


# --- the list of cases due ----------------------------------------------------------------------

@pytest.fixture
def caseload(as_officer, make_client):
    """Four cases of the officer's team and one of another team, each due or not for a known reason."""
    today = today_in_edmonton()
    yesterday, next_month = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=30)).isoformat()
    review_due = open_case(as_officer, review_due_on=yesterday)
    window_over = open_case(as_officer, opened_at=months_ago(25), review_due_on=None)
    on_track = open_case(as_officer, review_due_on=next_month)
    closed = open_case(as_officer, review_due_on=yesterday)
    as_officer.post(f"/cases/{closed['id']}/close", {"reason": "Goals met."})
    other_team = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    elsewhere = open_case(other_team, review_due_on=today.isoformat())
    return {"review_due": review_due["id"], "window_over": window_over["id"], "on_track": on_track["id"],
            "closed": closed["id"], "elsewhere": elsewhere["id"]}


def test_the_supervisor_list_shows_every_teams_cases_due_soonest_review_first(make_client, supervisor, caseload):
    page = make_client().sign_in_as(supervisor).get("/cases?due=true").get_json()
    assert [c["id"] for c in page["items"]] == [caseload["review_due"], caseload["elsewhere"], caseload["window_over"]]
    assert [(c["review_due"], c["window_ended"]) for c in page["items"]] == [(True, False), (True, False),
                                                                            (False, True)]
    assert page["total"] == 3


def test_an_officer_sees_the_due_cases_of_their_team_only(as_officer, caseload):
    ids = [c["id"] for c in as_officer.get("/cases?due=true").get_json()["items"]]
    assert ids == [caseload["review_due"], caseload["window_over"]]


def test_the_list_filters_by_status_and_by_not_due(make_client, supervisor, caseload):
    as_supervisor = make_client().sign_in_as(supervisor)
    assert [c["id"] for c in as_supervisor.get("/cases?status=closed").get_json()["items"]] == [caseload["closed"]]
    not_due = {c["id"] for c in as_supervisor.get("/cases?due=false").get_json()["items"]}
    assert not_due == {caseload["on_track"], caseload["closed"]}


def test_the_list_is_paginated(as_officer, caseload):
    page = as_officer.get("/cases?per_page=2&page=2").get_json()
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (4, 2, 2, 2)
