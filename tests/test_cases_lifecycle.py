"""Case management over REST: intake, goals, notes, transitions, closure, and the moves that are refused."""

from datetime import date

import pytest

from app.cases.window import add_months
from testkit import factories
from testkit.cases import (
    accepted_referral,
    add_goal,
    error_code,
    new_person,
    open_case,
)

UNKNOWN = "0b8f2f3e-4a7b-4c59-9d2e-2f1c0f3b9a11"


@pytest.fixture
def case(as_officer):
    return open_case(as_officer, opened_at="2026-09-01T10:00:00-06:00", program="Housing First")


@pytest.fixture
def closed_case(as_officer, case):
    response = as_officer.post(f"/cases/{case['id']}/close", {"reason": "Moved away."})
    assert response.status_code == 200
    return response.get_json()


# --- intake ------------------------------------------------------------------------------------

def test_intake_opens_a_case_led_by_the_writer_tracked_24_months_with_a_first_review(as_officer, officer, case):
    assert (case["status"], case["lead_user_id"], case["officer_id"]) == ("open", officer.id, officer.id)
    assert (case["tracking_until"], case["review_due_on"]) == ("2028-09-01", "2026-11-30")
    assert as_officer.get(f"/cases/{case['id']}").get_json()["program"] == "Housing First"


def test_the_tracking_window_and_first_review_follow_the_configuration(app, as_officer, monkeypatch):
    monkeypatch.setitem(app.config, "CASE_TRACKING_MONTHS", 12)
    monkeypatch.setitem(app.config, "CASE_REVIEW_DAYS", 30)
    body = open_case(as_officer, opened_at="2026-01-31T10:00:00-07:00")
    assert (body["tracking_until"], body["review_due_on"]) == ("2027-01-31", "2026-03-02")


def test_intake_may_set_the_window_the_review_and_the_lead_officer(as_officer, team):
    other_officer = factories.make_user("officer", team=team)
    body = open_case(as_officer, opened_at="2026-09-01T10:00:00-06:00", tracking_until="2027-09-01",
                     review_due_on=None, officer_id=other_officer.id)
    assert (body["tracking_until"], body["review_due_on"], body["officer_id"]) == (
        "2027-09-01", None, other_officer.id)


def test_a_window_ending_before_intake_is_a_validation_error(as_officer):
    response = as_officer.post("/cases", {"person_id": new_person(as_officer), "tracking_until": "2020-01-01"})
    assert error_code(response) == (400, "validation_error")
    assert "tracking_until" in response.get_json()["error"]["fields"]


def test_a_navigator_opens_a_case_from_an_accepted_referral_for_the_agency(as_officer, make_client, agency):
    navigator = factories.make_user("navigator", agency=agency)
    as_navigator = make_client().sign_in_as(navigator)
    person_id, referral_id = accepted_referral(as_officer, as_navigator, agency.id)
    body = open_case(as_navigator, person_id, referral_id=referral_id)
    assert (body["referral_id"], body["agency_id"], body["lead_user_id"], body["officer_id"]) == (
        referral_id, agency.id, navigator.id, None)


def test_intake_with_an_id_is_idempotent_and_a_changed_body_is_a_conflict(as_officer):
    person_id = new_person(as_officer)
    body = {"id": UNKNOWN, "person_id": person_id, "program": "Housing First"}
    assert as_officer.post("/cases", body).status_code == 201
    again = as_officer.post("/cases", body)
    assert again.status_code == 200 and again.get_json()["id"] == UNKNOWN
    changed = as_officer.post("/cases", {**body, "program": "Addictions Recovery"})
    assert error_code(changed) == (409, "conflict")
    assert changed.get_json()["current"]["program"] == "Housing First"


def test_a_second_open_case_for_the_person_is_a_conflict_showing_the_open_one(as_officer, case):
    response = as_officer.post("/cases", {"person_id": case["person_id"]})
    assert error_code(response) == (409, "conflict")
    assert response.get_json()["current"]["id"] == case["id"]


def test_after_closure_the_person_may_be_taken_in_again(as_officer, closed_case):
    assert open_case(as_officer, closed_case["person_id"])["status"] == "open"


def test_intake_for_an_unknown_person_is_404(as_officer):
    assert error_code(as_officer.post("/cases", {"person_id": UNKNOWN})) == (404, "not_found")


def test_admins_do_not_take_people_into_case_management(make_client, admin):
    as_admin = make_client().sign_in_as(admin)
    assert error_code(as_admin.post("/cases", {"person_id": UNKNOWN})) == (403, "forbidden")


# --- goals -------------------------------------------------------------------------------------

def test_a_goal_moves_set_in_progress_met_and_keeps_its_history(as_officer, officer, case):
    goal = add_goal(as_officer, case["id"], target_date="2026-12-31", set_at="2026-09-02T09:00:00-06:00")
    assert (goal["status"], goal["set_on"], goal["target_date"], goal["history"]) == (
        "set", "2026-09-02", "2026-12-31", [])
    path = f"/cases/{case['id']}/goals/{goal['id']}"
    assert as_officer.patch(path, {"status": "in_progress"}).get_json()["status"] == "in_progress"
    met = as_officer.patch(path, {"status": "met", "note": "Card arrived",
                                  "occurred_at": "2026-10-01T12:00:00-06:00"}).get_json()
    assert (met["status"], met["status_changed_at"]) == ("met", "2026-10-01T18:00:00+00:00")
    assert [(h["from_status"], h["to_status"], h["note"], h["actor_id"]) for h in met["history"]] == [
        ("set", "in_progress", None, officer.id), ("in_progress", "met", "Card arrived", officer.id)]
    shown = as_officer.get(f"/cases/{case['id']}").get_json()["goals"]
    assert [(g["id"], g["status"], len(g["history"])) for g in shown] == [(goal["id"], "met", 2)]


@pytest.mark.parametrize("path_to, refused", [
    (["met"], "in_progress"), (["met"], "dropped"), (["dropped"], "met"), (["dropped"], "set"),
    (["in_progress"], "set"), (["in_progress"], "in_progress"), ([], "set"),
])
def test_goal_moves_outside_the_rules_are_invalid_transitions(as_officer, case, path_to, refused):
    goal = add_goal(as_officer, case["id"])
    path = f"/cases/{case['id']}/goals/{goal['id']}"
    for status in path_to:
        assert as_officer.patch(path, {"status": status}).status_code == 200
    response = as_officer.patch(path, {"status": refused})
    assert error_code(response) == (409, "invalid_transition")
    assert as_officer.get(f"/cases/{case['id']}").get_json()["goals"][0]["status"] == (path_to or ["set"])[-1]


def test_a_goal_starts_set_or_in_progress_only(as_officer, case):
    assert add_goal(as_officer, case["id"], status="in_progress")["status"] == "in_progress"
    response = as_officer.post(f"/cases/{case['id']}/goals", {"description": "Housed", "status": "met"})
    assert error_code(response) == (400, "validation_error")


def test_a_target_date_before_the_goal_was_set_is_refused(as_officer, case):
    response = as_officer.post(f"/cases/{case['id']}/goals", {"description": "Housed", "target_date": "2020-01-01"})
    assert error_code(response) == (400, "validation_error")
    assert "target_date" in response.get_json()["error"]["fields"]


def test_a_goal_of_another_case_is_not_found_under_this_one(as_officer, case):
    goal = add_goal(as_officer, case["id"])
    other = open_case(as_officer)
    response = as_officer.patch(f"/cases/{other['id']}/goals/{goal['id']}", {"status": "met"})
    assert error_code(response) == (404, "not_found")


# --- notes -------------------------------------------------------------------------------------

def test_case_notes_are_kept_with_their_author_in_order(as_officer, officer, case):
    first = as_officer.post(f"/cases/{case['id']}/notes", {"body": "Second visit", "at": "2026-09-05T10:00:00-06:00"})
    second = as_officer.post(f"/cases/{case['id']}/notes", {"body": "First visit", "at": "2026-09-03T10:00:00-06:00"})
    assert (first.status_code, second.status_code) == (201, 201)
    notes = as_officer.get(f"/cases/{case['id']}").get_json()["case_notes"]
    assert [(n["body"], n["author_id"]) for n in notes] == [("First visit", officer.id), ("Second visit", officer.id)]


def test_a_note_longer_than_4000_characters_is_refused(as_officer, case):
    response = as_officer.post(f"/cases/{case['id']}/notes", {"body": "x" * 4001})
    assert error_code(response) == (400, "validation_error")


# --- transitions and closure -----------------------------------------------------------------

def test_a_transition_hands_the_person_on_and_the_case_becomes_transitioned(as_officer, case, agency):
    response = as_officer.post(f"/cases/{case['id']}/transitions",
                               {"agency_id": agency.id, "program": "Permanent Supportive Housing",
                                "transitioned_at": "2026-10-15T09:00:00-06:00"})
    assert response.status_code == 201
    assert (response.get_json()["agency_id"], response.get_json()["program"]) == (
        agency.id, "Permanent Supportive Housing")
    shown = as_officer.get(f"/cases/{case['id']}").get_json()
    assert shown["status"] == "transitioned"
    assert [(t["agency_id"], t["transitioned_at"]) for t in shown["transitions"]] == [
        (agency.id, "2026-10-15T15:00:00+00:00")]


def test_a_transitioned_case_may_be_handed_on_again_then_closed(as_officer, case, agency):
    for program in ("Detox", "Recovery Housing"):
        assert as_officer.post(f"/cases/{case['id']}/transitions",
                               {"agency_id": agency.id, "program": program}).status_code == 201
    closed = as_officer.post(f"/cases/{case['id']}/close", {"reason": "Settled in the program."})
    assert (closed.status_code, closed.get_json()["status"]) == (200, "closed")
    assert len(as_officer.get(f"/cases/{case['id']}").get_json()["transitions"]) == 2


def test_a_transition_to_an_unknown_or_inactive_agency_is_404(as_officer, case, db):
    inactive = factories.make_agency("Former Partner")
    inactive.active = False
    for agency_id in (999999, inactive.id):
        response = as_officer.post(f"/cases/{case['id']}/transitions", {"agency_id": agency_id, "program": "X"})
        assert error_code(response) == (404, "not_found")
    assert as_officer.get(f"/cases/{case['id']}").get_json()["status"] == "open"


def test_closing_records_when_why_and_who(as_officer, officer, case):
    response = as_officer.post(f"/cases/{case['id']}/close",
                               {"reason": "Goals met.", "closed_at": "2026-11-01T10:00:00-06:00"})
    body = response.get_json()
    assert (body["status"], body["close_reason"], body["closed_at"], body["closed_by_id"]) == (
        "closed", "Goals met.", "2026-11-01T16:00:00+00:00", officer.id)


def test_closing_before_the_intake_is_refused(as_officer, case):
    response = as_officer.post(f"/cases/{case['id']}/close", {"reason": "x", "closed_at": "2026-08-01T10:00:00-06:00"})
    assert error_code(response) == (400, "validation_error")


def test_a_closed_case_cannot_be_closed_again(as_officer, closed_case):
    response = as_officer.post(f"/cases/{closed_case['id']}/close", {"reason": "Again"})
    assert error_code(response) == (409, "invalid_transition")
    assert as_officer.get(f"/cases/{closed_case['id']}").get_json()["close_reason"] == "Moved away."


def test_a_closed_case_cannot_be_transitioned(as_officer, closed_case, agency):
    response = as_officer.post(f"/cases/{closed_case['id']}/transitions", {"agency_id": agency.id, "program": "X"})
    assert error_code(response) == (409, "invalid_transition")
    shown = as_officer.get(f"/cases/{closed_case['id']}").get_json()
    assert (shown["status"], shown["transitions"]) == ("closed", [])


def test_a_closed_case_takes_no_new_goals_nor_goal_moves_nor_changes(as_officer, case):
    goal = add_goal(as_officer, case["id"])
    as_officer.post(f"/cases/{case['id']}/close", {"reason": "Moved away."})
    assert error_code(as_officer.post(f"/cases/{case['id']}/goals", {"description": "More"})) == (
        409, "invalid_transition")
    assert error_code(as_officer.patch(f"/cases/{case['id']}/goals/{goal['id']}", {"status": "met"})) == (
        409, "invalid_transition")
    assert error_code(as_officer.patch(f"/cases/{case['id']}", {"review_due_on": "2027-01-01"})) == (
        409, "invalid_transition")


def test_a_closed_case_still_takes_a_follow_up_note(as_officer, closed_case):
    response = as_officer.post(f"/cases/{closed_case['id']}/notes", {"body": "Called: doing well."})
    assert response.status_code == 201


# --- changes to an active case -----------------------------------------------------------------

def test_patch_sets_the_next_review_the_lead_officer_and_the_window(as_officer, case, team):
    other_officer = factories.make_user("officer", team=team)
    response = as_officer.patch(f"/cases/{case['id']}", {"review_due_on": "2027-02-01",
                                                         "officer_id": other_officer.id,
                                                         "tracking_until": "2027-09-01"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["review_due_on"], body["officer_id"], body["tracking_until"]) == (
        "2027-02-01", other_officer.id, "2027-09-01")


def test_patch_refuses_a_lead_officer_who_is_not_an_officer_or_unknown(as_officer, case, navigator):
    assert error_code(as_officer.patch(f"/cases/{case['id']}", {"officer_id": navigator.id})) == (
        400, "validation_error")
    assert error_code(as_officer.patch(f"/cases/{case['id']}", {"officer_id": 999999})) == (404, "not_found")


def test_patch_refuses_a_window_ending_before_intake_and_an_empty_body(as_officer, case):
    assert error_code(as_officer.patch(f"/cases/{case['id']}", {"tracking_until": "2026-09-01"})) == (
        400, "validation_error")
    assert error_code(as_officer.patch(f"/cases/{case['id']}", {})) == (400, "validation_error")


@pytest.mark.parametrize("method, suffix, body", [
    ("get", "", None), ("patch", "", {"review_due_on": "2027-01-01"}), ("post", "/goals", {"description": "x"}),
    ("post", "/notes", {"body": "x"}), ("post", "/transitions", {"agency_id": 1, "program": "x"}),
    ("post", "/close", {"reason": "x"}),
])
def test_an_unknown_case_is_404_everywhere(as_officer, method, suffix, body):
    call = getattr(as_officer, method)
    response = call(f"/cases/{UNKNOWN}{suffix}") if body is None else call(f"/cases/{UNKNOWN}{suffix}", body)
    assert error_code(response) == (404, "not_found")


def test_month_arithmetic_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 24) == date(2028, 11, 15)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)
