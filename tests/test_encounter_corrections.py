"""Encounters can be corrected (encounter_amend, PATCH /encounters/<id>) and voided (encounter_void,
POST /encounters/<id>/void): who may, stale versions, replays, and every figure moving with them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.encounters import services as encounters
from app.extensions import db
from app.records import local_day, utcnow
from testkit import entries as e
from testkit import factories
from tests.test_stats_rollup import local_time, raw_counts, rollup_counts


@pytest.fixture
def as_supervisor(make_client, supervisor):
    return make_client().sign_in_as(supervisor)


def logged(client, *entries) -> list[dict]:
    response = client.post("/sync", e.batch(*entries))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def one(client, entry) -> dict:
    [result] = logged(client, entry)
    return result


def read(client, encounter_id: str) -> dict:
    response = client.get(f"/encounters/{encounter_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def interaction(as_officer):
    entry = e.encounter("interaction", needs=["housing"])
    assert one(as_officer, entry)["status"] == "created"
    return entry["id"]


# --- amending -------------------------------------------------------------------------------------

def test_a_new_encounter_is_version_1_not_voided_without_amendments(as_officer, interaction):
    body = read(as_officer, interaction)
    assert (body["version"], body["voided"], body["void_reason"], body["amendments"]) == (1, False, None, [])


def test_an_amendment_sets_the_fields_given_and_keeps_their_names_with_the_reason(as_officer, officer, interaction):
    amend = e.encounter_amend(interaction, kind="primary_response", call_number="EPS26-000777", notes="Corrected.")
    assert one(as_officer, amend)["status"] == "created"
    body = read(as_officer, interaction)
    assert (body["kind"], body["call_number"], body["notes"], body["version"]) == (
        "primary_response", "EPS26-000777", "Corrected.", 2)
    [amendment] = body["amendments"]
    assert amendment["version"] == 2 and amendment["by"] == officer.id
    assert amendment["reason"] == "Wrong kind chosen in the rush."
    assert amendment["fields"] == ["call_number", "kind", "notes"]
    assert set(amendment) == {"version", "at", "by", "reason", "fields"}


def test_the_amended_encounter_must_pass_every_rule_of_its_kind(as_officer, interaction):
    without_call = one(as_officer, e.encounter_amend(interaction, kind="primary_response"))
    assert without_call["status"] == "rejected"
    assert without_call["error"]["code"] == "validation_error" and "call_number" in without_call["error"]["fields"]
    primary = e.encounter("primary_response")
    one(as_officer, primary)
    cleared = one(as_officer, e.encounter_amend(primary["id"], call_number=None))
    assert cleared["error"]["code"] == "validation_error" and "call_number" in cleared["error"]["fields"]
    shelter = one(as_officer, e.encounter_amend(interaction, kind="shelter_check_in"))
    assert shelter["error"]["fields"].keys() == {"site_id"}
    assert read(as_officer, interaction)["version"] == 1


@pytest.mark.parametrize("data, field", [
    ({"reason": ""}, "reason"), ({"reason": "x" * 401}, "reason"), ({"base_version": 0}, "base_version"),
    ({"triage_level": 9}, "triage_level"), ({"occurred_at": "1899-12-31T23:00:00Z"}, "occurred_at"),
])
def test_the_entry_shape_is_checked_like_an_encounter(as_officer, interaction, data, field):
    result = one(as_officer, e.encounter_amend(interaction, kind="consultation", **data))
    assert result["error"]["code"] == "validation_error" and field in result["error"]["fields"]


def test_an_amendment_must_set_some_field_and_names_a_visible_person(as_officer, make_client, interaction):
    assert one(as_officer, e.encounter_amend(interaction))["error"]["code"] == "validation_error"
    stranger = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    hidden = e.person()
    one(stranger, hidden)
    result = one(as_officer, e.encounter_amend(interaction, person_id=hidden["id"]))
    assert result["error"]["code"] == "not_found" and "person_id" in result["error"]["fields"]


def test_changing_needs_recomputes_the_triage_the_rules_gave(as_officer, interaction):
    before = read(as_officer, interaction)
    one(as_officer, e.encounter_amend(interaction, risk_flags=["overdose"]))
    after = read(as_officer, interaction)
    assert after["triage_computed"] <= before["triage_computed"]
    assert after["triage_level"] == after["triage_computed"]


def test_a_stale_base_version_applies_when_its_fields_did_not_change_since(as_officer, interaction):
    assert one(as_officer, e.encounter_amend(interaction, notes="First."))["status"] == "created"
    assert one(as_officer, e.encounter_amend(interaction, base_version=1, duration_minutes=20))["status"] == "created"
    body = read(as_officer, interaction)
    assert (body["notes"], body["duration_minutes"], body["version"]) == ("First.", 20, 3)


def test_a_stale_base_version_whose_field_changed_since_is_a_conflict_with_the_current_encounter(
        as_officer, interaction):
    one(as_officer, e.encounter_amend(interaction, notes="First."))
    result = one(as_officer, e.encounter_amend(interaction, base_version=1, notes="Second."))
    assert result["status"] == "conflict"
    assert result["current"]["notes"] == "First." and result["current"]["version"] == 2
    ahead = one(as_officer, e.encounter_amend(interaction, base_version=5, notes="From the future."))
    assert ahead["status"] == "conflict"


# --- replays --------------------------------------------------------------------------------------

def test_a_replayed_amendment_is_a_duplicate_and_other_content_under_its_id_a_conflict(as_officer, interaction):
    amend = e.encounter_amend(interaction, notes="Once.")
    assert one(as_officer, amend)["status"] == "created"
    assert [r["status"] for r in logged(as_officer, amend, amend)] == ["duplicate", "duplicate"]
    other = {**amend, "data": {**amend["data"], "notes": "Twice."}}
    result = one(as_officer, other)
    assert result["status"] == "conflict" and result["current"]["notes"] == "Once."
    assert read(as_officer, interaction)["version"] == 2


def test_a_replayed_id_reveals_nothing_to_someone_who_cannot_see_the_encounter(as_officer, make_client, interaction):
    amend = e.encounter_amend(interaction, notes="Private.")
    one(as_officer, amend)
    stranger = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    for guess in (amend, {**amend, "data": {**amend["data"], "notes": "Guess."}}):
        result = one(stranger, guess)
        assert result["status"] == "rejected" and result["error"]["code"] == "conflict"
        assert "current" not in result


# --- voiding --------------------------------------------------------------------------------------

def test_a_void_marks_the_encounter_and_a_replay_is_a_duplicate(as_officer, interaction):
    void = e.encounter_void(interaction)
    assert one(as_officer, void)["status"] == "created"
    assert one(as_officer, void)["status"] == "duplicate"
    body = read(as_officer, interaction)
    assert (body["voided"], body["void_reason"], body["version"], body["amendments"]) == (
        True, "Logged twice.", 2, [])


def test_a_voided_encounter_takes_no_more_changes(as_officer, interaction):
    one(as_officer, e.encounter_void(interaction))
    again = one(as_officer, e.encounter_void(interaction, reason="Another reason."))
    amended = one(as_officer, e.encounter_amend(interaction, base_version=2, notes="Too late."))
    for result in (again, amended):
        assert result["status"] == "rejected" and result["error"]["code"] == "invalid_transition"
        assert result["current"]["voided"] is True
    assert read(as_officer, interaction)["void_reason"] == "Logged twice."


# --- who ------------------------------------------------------------------------------------------

def test_the_author_or_a_supervisor_corrects_a_teammate_is_forbidden_a_stranger_not_found(
        as_officer, team, as_supervisor, make_client, interaction):
    teammate = make_client().sign_in_as(factories.make_user("officer", team=team))
    stranger = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    assert one(teammate, e.encounter_amend(interaction, notes="Mine?"))["error"]["code"] == "forbidden"
    assert one(stranger, e.encounter_amend(interaction, notes="Mine?"))["error"]["code"] == "not_found"
    assert one(stranger, e.encounter_void(interaction))["error"]["code"] == "not_found"
    assert one(as_supervisor, e.encounter_amend(interaction, notes="Checked."))["status"] == "created"
    assert one(teammate, e.encounter_void(interaction))["error"]["code"] == "forbidden"
    assert one(as_supervisor, e.encounter_void(interaction))["status"] == "created"


# --- REST -----------------------------------------------------------------------------------------

def test_patch_returns_the_amended_encounter_and_a_stale_one_409_with_current(as_officer, interaction):
    response = as_officer.patch(f"/encounters/{interaction}",
                                {"base_version": 1, "reason": "Typo.", "duration_minutes": 15})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["duration_minutes"] == 15 and response.get_json()["version"] == 2
    stale = as_officer.patch(f"/encounters/{interaction}",
                             {"base_version": 1, "reason": "Typo.", "duration_minutes": 30})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict" and stale.get_json()["current"]["duration_minutes"] == 15


def test_patch_with_an_id_is_idempotent(as_officer, interaction):
    body = {"id": factories.new_id(), "base_version": 1, "reason": "Typo.", "notes": "Once."}
    assert as_officer.patch(f"/encounters/{interaction}", body).status_code == 200
    again = as_officer.patch(f"/encounters/{interaction}", body)
    assert again.status_code == 200 and again.get_json()["version"] == 2


def test_patch_and_void_answer_by_role(as_officer, team, as_supervisor, make_client, admin, interaction):
    teammate = make_client().sign_in_as(factories.make_user("officer", team=team))
    stranger = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    as_admin = make_client().sign_in_as(admin)
    path, body = f"/encounters/{interaction}", {"base_version": 1, "reason": "Typo.", "notes": "x"}
    assert [c.patch(path, body).status_code for c in (teammate, stranger, as_admin)] == [403, 404, 403]
    assert [c.post(path + "/void", {"reason": "x"}).status_code for c in (teammate, stranger, as_admin)] == [
        403, 404, 403]
    assert as_officer.patch(path, {"base_version": 1, "notes": "x"}).status_code == 400  # no reason
    assert as_officer.patch(path, {"base_version": 1, "reason": "x", "kind": "primary_response"}).status_code == 400
    voided = as_supervisor.post(path + "/void", {"reason": "Duplicate of another."})
    assert voided.status_code == 200 and voided.get_json()["voided"] is True
    twice = as_officer.post(path + "/void", {"reason": "Other."})
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "invalid_transition"
    assert as_officer.patch(path, {"base_version": 2, "reason": "x", "notes": "y"}).status_code == 409


def test_corrections_are_audited_without_their_reasons(as_officer, officer, interaction):
    as_officer.patch(f"/encounters/{interaction}", {"base_version": 1, "reason": "Secret reason.", "notes": "n"})
    one(as_officer, e.encounter_void(interaction, reason="Another secret."))
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target_id == interaction,
                                                          AuditEvent.action.like("encounter.%"))).all()
    assert {(r.action, r.outcome, r.detail["via"]) for r in rows} >= {
        ("encounter.amend", "ok", "rest"), ("encounter.void", "ok", "sync")}
    assert all("secret" not in str(r.detail).lower() for r in rows)


def test_the_list_leaves_voided_encounters_out_unless_a_supervisor_asks(as_officer, as_supervisor, interaction):
    kept = e.encounter("consultation")
    one(as_officer, kept)
    one(as_officer, e.encounter_void(interaction))
    listed = {i["id"] for i in as_officer.get("/encounters").get_json()["items"]}
    assert listed == {kept["id"]}
    everything = as_supervisor.get("/encounters", query_string={"include_voided": "true"}).get_json()
    assert {i["id"] for i in everything["items"]} == {kept["id"], interaction}
    assert as_officer.get("/encounters", query_string={"include_voided": "true"}).status_code == 403


# --- the figures ----------------------------------------------------------------------------------

def test_daily_counts_follow_an_amended_kind_a_day_moved_across_midnight_and_a_void(as_officer, as_supervisor):
    day = local_day(utcnow()) - timedelta(days=5)
    late = e.encounter("interaction", occurred_at=local_time(day, 23, 50))
    other = e.encounter("consultation", occurred_at=local_time(day, 12))
    logged(as_officer, late, other)
    assert rollup_counts() == raw_counts()

    one(as_officer, e.encounter_amend(late["id"], kind="primary_response", call_number="EPS26-1"))
    assert rollup_counts() == raw_counts()
    # Ten minutes later in local time is the next day (America/Edmonton), though the same UTC day.
    one(as_officer, e.encounter_amend(late["id"], base_version=2, occurred_at=local_time(day + timedelta(days=1), 0)))
    assert rollup_counts() == raw_counts()
    measures = ("interaction", "primary_response", "consultation")
    report = as_supervisor.get("/stats/daily", query_string={"from": day.isoformat(),
                                                             "to": (day + timedelta(days=1)).isoformat()})
    shown = {d["date"]: tuple(d[m] for m in measures) for d in report.get_json()["days"]}
    assert shown == {day.isoformat(): (0, 0, 1), (day + timedelta(days=1)).isoformat(): (0, 1, 0)}

    one(as_officer, e.encounter_void(late["id"]))
    one(as_officer, e.encounter_void(other["id"]))
    assert rollup_counts() == raw_counts() == {}


def test_summaries_heavy_users_and_case_measures_leave_voided_encounters_out(as_officer, as_supervisor, officer):
    person = e.person()
    visits = [e.encounter("interaction", person_id=person["id"], occurred_at=local_time(
        local_day(utcnow()) - timedelta(days=n), 12)) for n in range(1, 7)]
    logged(as_officer, person, *visits)
    today = local_day(utcnow())

    def figures() -> tuple[int, int, int, int]:
        summary = as_supervisor.get("/stats/summary", query_string={
            "from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat()}).get_json()
        heavy = as_supervisor.get("/stats/heavy-users", query_string={"min_encounters": 6}).get_json()["people"]
        per_day = encounters.daily_counts_for_person(person["id"], date(2000, 1, 1), today)
        return summary["interactions"], summary["people_engaged"], len(heavy), sum(per_day.values())

    assert figures() == (6, 1, 1, 6)
    one(as_officer, e.encounter_void(visits[0]["id"]))
    assert figures() == (5, 1, 0, 5)
    for visit in visits[1:]:
        one(as_officer, e.encounter_void(visit["id"]))
    assert figures() == (0, 0, 0, 0)
