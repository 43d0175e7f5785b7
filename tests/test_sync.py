"""POST /sync: every entry stored exactly once, answered in order, bad entries rejected alone."""

import copy

import pytest
import sqlalchemy as sa

from app.encounters.models import Encounter
from app.people.models import Person
from app.referrals.models import Referral
from testkit import entries as e
from testkit import factories
from tests.conftest import count


def test_batch_answers_one_result_per_entry_in_order(as_officer, agency):
    p = e.person(given_name="Ana")
    body = e.batch(p, e.encounter(person_id=p["id"]), e.referral(p["id"], agency.id))
    response = as_officer.post("/sync", body)
    results = response.get_json()["results"]
    assert [r["id"] for r in results] == [x["id"] for x in body["entries"]]
    assert [r["status"] for r in results] == ["created", "created", "created"]
    assert "server_time" in response.get_json()


def test_an_encounter_may_refer_to_a_person_created_earlier_in_the_batch(as_officer, db):
    p = e.person()
    enc = e.encounter(person_id=p["id"])
    assert e.statuses(as_officer.post("/sync", e.batch(p, enc))) == ["created", "created"]
    assert db.session.get(Encounter, enc["id"]).person_id == p["id"]


@pytest.mark.parametrize("replays", [1, 3])
def test_replayed_batch_creates_nothing_new(as_officer, agency, replays):
    p = e.person()
    body = e.batch(p, e.encounter(person_id=p["id"]), e.encounter("primary_response"), e.referral(p["id"], agency.id))
    assert set(e.statuses(as_officer.post("/sync", body))) == {"created"}
    for _ in range(replays):
        assert e.statuses(as_officer.post("/sync", body)) == ["duplicate"] * 4
    assert (count(Person), count(Encounter), count(Referral)) == (1, 2, 1)


def test_same_id_with_different_content_is_a_conflict_and_keeps_the_stored_record(as_officer, db):
    enc = e.encounter(notes="first version")
    as_officer.post("/sync", e.batch(enc))
    changed = copy.deepcopy(enc)
    changed["data"]["notes"] = "edited offline"
    result = as_officer.post("/sync", e.batch(changed)).get_json()["results"][0]
    assert result["status"] == "conflict"
    assert result["current"]["notes"] == "first version"
    assert db.session.get(Encounter, enc["id"]).notes == "first version"


def test_the_same_instant_written_with_another_offset_is_a_duplicate(as_officer):
    enc = e.encounter(occurred_at="2026-11-20T19:30:00-07:00")
    as_officer.post("/sync", e.batch(enc))
    same = copy.deepcopy(enc)
    same["data"]["occurred_at"] = "2026-11-21T02:30:00+00:00"
    assert e.statuses(as_officer.post("/sync", e.batch(same))) == ["duplicate"]


def test_an_id_repeated_inside_one_batch_is_stored_once(as_officer):
    enc = e.encounter()
    assert e.statuses(as_officer.post("/sync", e.batch(enc, copy.deepcopy(enc)))) == ["created", "duplicate"]
    assert count(Encounter) == 1


def test_a_rejected_entry_does_not_stop_the_others(as_officer):
    good1, bad, good2 = e.encounter(), e.encounter("primary_response", call_number=None), e.encounter("consultation")
    assert e.statuses(as_officer.post("/sync", e.batch(good1, bad, good2))) == ["created", "rejected", "created"]
    assert count(Encounter) == 2


def test_author_and_team_come_from_the_session_not_the_entry(as_officer, officer, db):
    other = factories.make_user("officer", team=factories.make_team())
    enc = e.encounter(author_id=other.id, team_id=other.team_id)
    assert e.statuses(as_officer.post("/sync", e.batch(enc))) == ["created"]
    stored = db.session.get(Encounter, enc["id"])
    assert (stored.author_id, stored.team_id) == (officer.id, officer.team_id)


def test_triage_level_is_computed_when_absent_and_kept_when_given(as_officer, db):
    computed = e.encounter(risk_flags=["overdose_risk"])
    chosen = e.encounter(needs=["food"], triage_level=2)
    as_officer.post("/sync", e.batch(computed, chosen))
    assert db.session.get(Encounter, computed["id"]).triage_level == 1
    stored = db.session.get(Encounter, chosen["id"])
    assert (stored.triage_level, stored.triage_computed) == (2, 4)


def test_every_field_of_an_encounter_comes_back(as_officer, agency, db):
    site = factories.make_site(agency)
    p = e.person()
    enc = e.encounter("shelter_check_in", person_id=p["id"], site_id=site.id, needs=["housing", "food"],
                      risk_flags=["exposure_cold"], outcome=["transported_shelter"],
                      location={"lat": 53.5444, "lon": -113.4909, "accuracy_m": 12.5}, duration_minutes=25,
                      notes="Warm clothing given", description="Tall, green jacket")
    as_officer.post("/sync", e.batch(p, enc))
    record = as_officer.get(f"/encounters/{enc['id']}").get_json()
    for key, value in enc["data"].items():
        if key != "occurred_at":
            assert record[key] == value, key
    assert record["occurred_at"].startswith("2026-11-21T02:30:00")
    assert record["triage_level"] == 2 and record["author_id"] and record["received_at"]


# --- every rejection reason in API.md, with its exact code ---------------------------------------

@pytest.mark.parametrize("entry, code, field", [
    (e.encounter(kind="dance"), "validation_error", "kind"),
    (e.encounter(occurred_at="2026-11-20T19:30:00"), "validation_error", "occurred_at"),
    (e.encounter("primary_response", call_number=None), "validation_error", "call_number"),
    (e.encounter("on_scene_assist", call_number=None), "validation_error", "call_number"),
    (e.encounter("shelter_check_in"), "validation_error", "site_id"),
    (e.encounter(needs=["unicorns"]), "validation_error", "needs.0"),
    (e.encounter(duration_minutes=1441), "validation_error", "duration_minutes"),
    (e.encounter(notes="x" * 4001), "validation_error", "notes"),
    (e.person(display_name=""), "validation_error", "display_name"),
    (e.person(nickname="x"), "validation_error", "nickname"),
    ({"id": "not-a-uuid", "type": "encounter", "data": {}}, "validation_error", "id"),
    ({"id": "0b8f2f3e-4a7b-4c59-9d2e-2f1c0f3b9a11", "type": "meal", "data": {}}, "validation_error", "type"),
    (e.encounter(person_id="0b8f2f3e-4a7b-4c59-9d2e-2f1c0f3b9a11"), "not_found", "person_id"),
    (e.encounter("shelter_check_in", site_id=999999), "not_found", "site_id"),
])
def test_rejection_reasons_have_exact_codes(as_officer, entry, code, field):
    result = as_officer.post("/sync", e.batch(entry)).get_json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"]["code"] == code
    assert field in result["error"]["fields"]
    assert count(Encounter) == 0 and count(Person) == 0


def test_an_entry_eleven_minutes_ahead_is_rejected_clock_skew(as_officer):
    result = as_officer.post("/sync", e.batch(e.encounter(occurred_at=e.in_future(11)))).get_json()["results"][0]
    assert (result["status"], result["error"]["code"]) == ("rejected", "clock_skew")
    assert "occurred_at" in result["error"]["fields"]
    assert count(Encounter) == 0


def test_an_entry_dated_before_1900_is_rejected_alone_and_the_batch_flows(as_officer):
    ancient = e.encounter(occurred_at="0001-01-01T00:00:00+00:00")
    results = as_officer.post("/sync", e.batch(ancient, e.encounter())).get_json()["results"]
    assert [(r["status"], r.get("error", {}).get("fields")) for r in results] == [
        ("rejected", {"occurred_at": ["Must be between 1900-01-01 and 2999-12-31."]}), ("created", None)]
    assert count(Encounter) == 1


def test_an_entry_nine_minutes_ahead_is_accepted(as_officer):
    assert e.statuses(as_officer.post("/sync", e.batch(e.encounter(occurred_at=e.in_future(9))))) == ["created"]


def test_old_entries_are_accepted(as_officer):
    old = e.encounter(occurred_at="2026-10-01T08:00:00-06:00")
    assert e.statuses(as_officer.post("/sync", e.batch(old))) == ["created"]


def test_more_than_500_entries_is_413_and_stores_nothing(as_officer):
    response = as_officer.post("/sync", e.batch(*[e.encounter() for _ in range(501)]))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert count(Encounter) == 0


def test_500_entries_are_accepted_in_one_batch(as_officer):
    assert set(e.statuses(as_officer.post("/sync", e.batch(*[e.encounter() for _ in range(500)])))) == {"created"}
    assert count(Encounter) == 500


def test_sync_needs_sign_in_and_csrf(client, officer):
    assert client.post("/sync", e.batch(e.encounter())).status_code == 401
    client.sign_in_as(officer)
    client.csrf = None
    assert client.post("/sync", e.batch(e.encounter())).get_json()["error"]["code"] == "csrf_failed"
    assert count(Encounter) == 0


def test_admins_do_not_log_field_entries(client, admin):
    client.sign_in_as(admin)
    assert client.post("/sync", e.batch(e.encounter())).status_code == 403


def test_batch_without_device_id_is_400(as_officer):
    response = as_officer.post("/sync", {"entries": []})
    assert response.status_code == 400 and "device_id" in response.get_json()["error"]["fields"]


def test_an_officer_cannot_attach_an_encounter_to_another_teams_person(client, make_client, db):
    team_a, team_b = factories.make_team(), factories.make_team()
    alice = client.sign_in_as(factories.make_user("officer", team=team_a))
    bob = make_client().sign_in_as(factories.make_user("officer", team=team_b))
    p = e.person()
    alice.post("/sync", e.batch(p))
    result = bob.post("/sync", e.batch(e.encounter(person_id=p["id"]))).get_json()["results"][0]
    assert result["error"]["code"] == "not_found"


def test_someone_elses_id_is_rejected_without_showing_their_record(client, make_client, db):
    team_a, team_b = factories.make_team(), factories.make_team()
    alice = client.sign_in_as(factories.make_user("officer", team=team_a))
    bob = make_client().sign_in_as(factories.make_user("officer", team=team_b))
    enc = e.encounter(notes="private to team A")
    alice.post("/sync", e.batch(enc))
    copy_of = copy.deepcopy(enc)
    copy_of["data"]["notes"] = "something else"
    result = bob.post("/sync", e.batch(copy_of)).get_json()["results"][0]
    assert result["status"] == "rejected" and result["error"]["code"] == "conflict"
    assert "current" not in result
    assert db.session.scalar(sa.select(Encounter.notes)) == "private to team A"


def test_an_entry_with_a_nul_character_is_rejected_alone(as_officer):
    bad, good = e.encounter(notes="before\u0000after"), e.encounter()
    results = as_officer.post("/sync", e.batch(bad, good)).get_json()["results"]
    assert [(r["status"], r.get("error", {}).get("code")) for r in results] == [
        ("rejected", "validation_error"), ("created", None)]
    assert "notes" in results[0]["error"]["fields"]
    assert count(Encounter) == 1
