"""The case entry types through /sync: exactly once per UUID, conflicts, refusals, and the changes feed."""

import pytest

from app.cases.models import CaseGoal, CaseGoalEvent, CaseNote, CaseTransition
from testkit import entries as e
from testkit.cases import new_person, open_case, result
from tests.conftest import count

UNKNOWN = "0b8f2f3e-4a7b-4c59-9d2e-2f1c0f3b9a11"


@pytest.fixture
def case_id(as_officer):
    return open_case(as_officer, opened_at="2026-09-01T10:00:00-06:00")["id"]


@pytest.fixture
def goal_id(as_officer, case_id):
    goal = e.case_goal(case_id)
    assert e.statuses(as_officer.post("/sync", e.batch(goal))) == ["created"]
    return goal["id"]


def test_a_whole_case_can_be_worked_offline_and_synced_in_one_batch(as_officer, agency):
    person = e.person()
    intake = e.case_intake(person["id"], opened_at="2026-11-01T09:00:00-06:00")
    goal = e.case_goal(intake["id"], "Find housing", target_date="2027-03-01")
    batch = e.batch(person, intake, goal, e.case_note(intake["id"]), e.case_goal_update(goal["id"], "in_progress"),
                    e.case_goal_update(goal["id"], "met", note="Keys on Friday"),
                    e.case_transition(intake["id"], agency.id, "Housing First"),
                    e.case_closure(intake["id"], "Housed; handed on to Housing First."))
    assert e.statuses(as_officer.post("/sync", batch)) == ["created"] * 8
    shown = as_officer.get(f"/cases/{intake['id']}").get_json()
    assert (shown["status"], shown["close_reason"]) == ("closed", "Housed; handed on to Housing First.")
    assert [(g["status"], len(g["history"])) for g in shown["goals"]] == [("met", 2)]
    assert (len(shown["case_notes"]), len(shown["transitions"])) == (1, 1)


@pytest.mark.parametrize("build, model", [
    (lambda case_id, goal_id, agency_id: e.case_goal(case_id), CaseGoal),
    (lambda case_id, goal_id, agency_id: e.case_goal_update(goal_id, "in_progress"), CaseGoalEvent),
    (lambda case_id, goal_id, agency_id: e.case_note(case_id), CaseNote),
    (lambda case_id, goal_id, agency_id: e.case_transition(case_id, agency_id), CaseTransition),
])
def test_a_replayed_entry_is_a_duplicate_and_stores_nothing_new(as_officer, case_id, goal_id, agency, build, model):
    entry = build(case_id, goal_id, agency.id)
    before = count(model)
    assert e.statuses(as_officer.post("/sync", e.batch(entry))) == ["created"]
    assert e.statuses(as_officer.post("/sync", e.batch(entry))) == ["duplicate"]
    assert e.statuses(as_officer.post("/sync", e.batch(entry, entry))) == ["duplicate", "duplicate"]
    assert count(model) == before + 1


def test_a_replayed_closure_is_a_duplicate_not_an_illegal_move(as_officer, case_id):
    closure = e.case_closure(case_id, "Moved away.")
    assert e.statuses(as_officer.post("/sync", e.batch(closure))) == ["created"]
    assert e.statuses(as_officer.post("/sync", e.batch(closure))) == ["duplicate"]
    assert as_officer.get(f"/cases/{case_id}").get_json()["close_reason"] == "Moved away."


def test_a_replayed_intake_is_a_duplicate(as_officer):
    intake = e.case_intake(new_person(as_officer))
    assert e.statuses(as_officer.post("/sync", e.batch(intake))) == ["created"]
    assert e.statuses(as_officer.post("/sync", e.batch(intake))) == ["duplicate"]


def test_replays_stay_duplicates_after_the_case_closed(as_officer, case_id, goal_id, agency):
    update = e.case_goal_update(goal_id, "in_progress")
    transition = e.case_transition(case_id, agency.id)
    assert e.statuses(as_officer.post("/sync", e.batch(update, transition))) == ["created", "created"]
    as_officer.post("/sync", e.batch(e.case_closure(case_id)))
    assert e.statuses(as_officer.post("/sync", e.batch(update, transition))) == ["duplicate", "duplicate"]


@pytest.mark.parametrize("build, changed", [
    (lambda case_id, goal_id, agency_id: e.case_goal(case_id, "Find housing"), {"description": "Find a job"}),
    (lambda case_id, goal_id, agency_id: e.case_note(case_id, "Met at the drop-in."), {"body": "Met at home."}),
    (lambda case_id, goal_id, agency_id: e.case_transition(case_id, agency_id, "Detox"), {"program": "Recovery"}),
    (lambda case_id, goal_id, agency_id: e.case_closure(case_id, "Goals met."), {"reason": "Moved away."}),
    (lambda case_id, goal_id, agency_id: e.case_goal_update(goal_id, "in_progress"), {"note": "changed"}),
])
def test_the_same_id_with_other_content_is_a_conflict_with_the_stored_record(as_officer, case_id, goal_id, agency,
                                                                             build, changed):
    entry = build(case_id, goal_id, agency.id)
    assert e.statuses(as_officer.post("/sync", e.batch(entry))) == ["created"]
    altered = {**entry, "data": {**entry["data"], **changed}}
    answer = result(as_officer.post("/sync", e.batch(altered)))
    assert answer["status"] == "conflict"
    assert answer["current"]["id"] in (entry["id"], case_id, goal_id)


@pytest.mark.parametrize("build, field", [
    (lambda agency_id: e.case_goal(UNKNOWN), "case_id"),
    (lambda agency_id: e.case_goal_update(UNKNOWN, "met"), "goal_id"),
    (lambda agency_id: e.case_note(UNKNOWN), "case_id"),
    (lambda agency_id: e.case_transition(UNKNOWN, agency_id), "case_id"),
    (lambda agency_id: e.case_closure(UNKNOWN), "case_id"),
])
def test_an_unknown_case_or_goal_is_rejected_not_found(as_officer, agency, build, field):
    answer = result(as_officer.post("/sync", e.batch(build(agency.id))))
    assert (answer["status"], answer["error"]["code"]) == ("rejected", "not_found")
    assert field in answer["error"]["fields"]


def test_illegal_moves_are_rejected_invalid_transition_and_the_rest_of_the_batch_flows(as_officer, case_id, goal_id,
                                                                                       agency):
    batch = e.batch(e.case_goal_update(goal_id, "met"), e.case_goal_update(goal_id, "in_progress"),
                    e.case_closure(case_id), e.case_closure(case_id), e.case_transition(case_id, agency.id),
                    e.case_goal(case_id), e.case_note(case_id, "After closure"))
    answers = as_officer.post("/sync", batch).get_json()["results"]
    assert [(a["status"], a.get("error", {}).get("code")) for a in answers] == [
        ("created", None), ("rejected", "invalid_transition"), ("created", None),
        ("rejected", "invalid_transition"), ("rejected", "invalid_transition"),
        ("rejected", "invalid_transition"), ("created", None)]


def test_entries_are_checked_for_shape_and_for_times_in_the_future(as_officer, case_id):
    answers = as_officer.post("/sync", e.batch(
        e.case_goal(case_id, ""), e.case_closure(case_id, closed_at=e.in_future(60)),
        e.case_note(case_id, at=e.in_future(60)), e.case_goal(case_id, status="met"))).get_json()["results"]
    assert [a["error"]["code"] for a in answers] == ["validation_error", "clock_skew", "clock_skew",
                                                     "validation_error"]
    assert as_officer.get(f"/cases/{case_id}").get_json()["status"] == "open"


def test_transitions_and_closures_reach_the_changes_feed(as_officer, case_id, agency):
    cursor = as_officer.get("/sync/changes").get_json()["cursor"]
    as_officer.post("/sync", e.batch(e.case_transition(case_id, agency.id)))
    changed = as_officer.get(f"/sync/changes?since={cursor}").get_json()
    assert [(c["id"], c["status"]) for c in changed["cases"]] == [(case_id, "transitioned")]
    as_officer.post("/sync", e.batch(e.case_closure(case_id, "Goals met.")))
    changed = as_officer.get(f"/sync/changes?since={changed['cursor']}").get_json()
    assert [(c["id"], c["status"], c["close_reason"]) for c in changed["cases"]] == [
        (case_id, "closed", "Goals met.")]


def test_a_rest_call_with_the_id_of_a_synced_entry_is_the_same_entry(as_officer, case_id):
    note = e.case_note(case_id, "Met at the drop-in.")
    assert e.statuses(as_officer.post("/sync", e.batch(note))) == ["created"]
    again = as_officer.post(f"/cases/{case_id}/notes", {"id": note["id"], "body": "Met at the drop-in."})
    assert again.status_code == 200 and again.get_json()["id"] == note["id"]
    assert count(CaseNote) == 1
