"""person_update: fields replaced and versioned, history by field name, stale versions decided field by
field, replays, who may change what, consent given and withdrawn; aliases in search; and a fresh phone
receiving every person it may see, change number 0 included."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from app.people.models import Person, PersonChange
from testkit import entries as e
from testkit import factories
from tests.conftest import count


def _result(phone, entry):
    [result] = phone.post("/sync", e.batch(entry)).get_json()["results"]
    return result


def _created_person(phone, **data):
    person = e.person(**data)
    assert e.statuses(phone.post("/sync", e.batch(person))) == ["created"]
    return person["id"]


def test_a_new_person_is_version_1_with_aliases_and_no_merge(as_officer):
    person_id = _created_person(as_officer, aliases=["Slim", "Bobby K"])
    body = as_officer.get(f"/persons/{person_id}").get_json()
    assert (body["version"], body["aliases"], body["merged_into"], body["history"]) == (1, ["Slim", "Bobby K"], None, [])


def test_an_update_replaces_the_fields_given_and_keeps_a_history_of_names_only(as_officer, officer):
    person_id = _created_person(as_officer, display_name="Slim", gender="man", description="tall")
    entry = e.person_update(person_id, 1, display_name="Robert K.", aliases=["Slim"], description=None)
    assert _result(as_officer, entry)["status"] == "created"
    body = as_officer.get(f"/persons/{person_id}").get_json()
    assert (body["display_name"], body["aliases"], body["description"], body["gender"]) == (
        "Robert K.", ["Slim"], None, "man")
    assert body["version"] == 2
    [item] = body["history"]
    assert (item["version"], item["by"], item["fields"]) == (2, officer.id, ["aliases", "description", "display_name"])
    assert item["at"]


def test_search_matches_aliases(as_officer):
    person_id = _created_person(as_officer, display_name="Robert K.")
    assert as_officer.get("/persons?q=slim").get_json() == []
    as_officer.post("/sync", e.batch(e.person_update(person_id, 1, aliases=["Slim Jim"])))
    assert [p["id"] for p in as_officer.get("/persons?q=slim").get_json()] == [person_id]
    other = _created_person(as_officer, display_name="Wren", aliases=["Birdie"])
    assert [p["id"] for p in as_officer.get("/persons?q=birdie").get_json()] == [other]


def test_aliases_are_at_most_ten_of_1_to_80_characters(as_officer):
    person_id = _created_person(as_officer)
    for bad in (["x"] * 11, [""], ["y" * 81]):
        result = _result(as_officer, e.person_update(person_id, 1, aliases=bad))
        assert (result["status"], result["error"]["code"]) == ("rejected", "validation_error")
        assert "aliases" in str(result["error"]["fields"])
    result = _result(as_officer, e.person(aliases=["z"] * 11))
    assert result["error"]["code"] == "validation_error"


def test_an_update_must_change_something_and_name_its_base_version(as_officer):
    person_id = _created_person(as_officer)
    assert _result(as_officer, e.person_update(person_id, 1))["error"]["code"] == "validation_error"
    entry = e.person_update(person_id, 1, gender="woman")
    del entry["data"]["base_version"]
    assert _result(as_officer, entry)["error"]["fields"] == {"base_version": ["Missing data for required field."]}


def test_an_update_may_follow_its_person_in_the_same_batch_and_is_audited_against_the_person(as_officer, db):
    person = e.person(display_name="Slim")
    update = e.person_update(person["id"], 1, given_name="Robert")
    assert e.statuses(as_officer.post("/sync", e.batch(person, update))) == ["created", "created"]
    assert as_officer.get(f"/persons/{person['id']}").get_json()["given_name"] == "Robert"
    [row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.change")).all()
    assert (row.target_type, row.target_id, row.outcome) == ("person", person["id"], "ok")


def test_a_stale_version_touching_other_fields_is_applied(as_officer):
    person_id = _created_person(as_officer)
    assert _result(as_officer, e.person_update(person_id, 1, given_name="Robert"))["status"] == "created"
    assert _result(as_officer, e.person_update(person_id, 1, birth_year=1970))["status"] == "created"
    body = as_officer.get(f"/persons/{person_id}").get_json()
    assert (body["given_name"], body["birth_year"], body["version"]) == ("Robert", 1970, 3)


def test_a_stale_version_touching_a_changed_field_is_a_conflict_with_the_person(as_officer):
    person_id = _created_person(as_officer)
    assert _result(as_officer, e.person_update(person_id, 1, given_name="Robert"))["status"] == "created"
    result = _result(as_officer, e.person_update(person_id, 1, given_name="Bob", gender="man"))
    assert result["status"] == "conflict"
    assert (result["current"]["given_name"], result["current"]["version"]) == ("Robert", 2)
    body = as_officer.get(f"/persons/{person_id}").get_json()
    assert (body["given_name"], body["gender"], body["version"]) == ("Robert", None, 2)


def test_a_version_the_server_never_gave_is_a_conflict(as_officer):
    person_id = _created_person(as_officer)
    assert _result(as_officer, e.person_update(person_id, 5, gender="man"))["status"] == "conflict"


def test_a_replayed_update_is_a_duplicate_and_changes_nothing(as_officer):
    person_id = _created_person(as_officer)
    entry = e.person_update(person_id, 1, gender="woman")
    assert _result(as_officer, entry)["status"] == "created"
    assert _result(as_officer, entry)["status"] == "duplicate"
    assert as_officer.get(f"/persons/{person_id}").get_json()["version"] == 2
    other = {**entry, "data": {**entry["data"], "gender": "man"}}
    result = _result(as_officer, other)
    assert result["status"] == "conflict" and result["current"]["gender"] == "woman"
    assert count(PersonChange) == 1


def test_the_same_update_twice_in_one_batch_is_stored_once(as_officer):
    person_id = _created_person(as_officer)
    entry = e.person_update(person_id, 1, gender="woman")
    assert e.statuses(as_officer.post("/sync", e.batch(entry, entry))) == ["created", "duplicate"]
    assert as_officer.get(f"/persons/{person_id}").get_json()["version"] == 2


def test_a_person_the_writer_may_not_see_is_not_found(as_officer, make_client):
    person_id = _created_person(as_officer)
    stranger = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    result = _result(stranger, e.person_update(person_id, 1, gender="man"))
    assert (result["status"], result["error"]["code"]) == ("rejected", "not_found")
    assert "person_id" in result["error"]["fields"]
    unknown = _result(stranger, e.person_update("6f1c1f56-3c38-4bb1-9d0e-0a3b5bb0b6a1", 1, gender="man"))
    assert unknown["error"] == result["error"]


def test_a_replay_seen_by_someone_who_may_not_see_the_person_is_content_blind(as_officer, make_client):
    person_id = _created_person(as_officer)
    entry = e.person_update(person_id, 1, gender="woman")
    as_officer.post("/sync", e.batch(entry))
    stranger = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    same, other = _result(stranger, entry), _result(stranger, {**entry, "data": {**entry["data"], "gender": "x"}})
    assert same == other
    assert (same["status"], same["error"]["code"]) == ("rejected", "conflict") and "current" not in same


def test_an_update_goes_out_on_the_changes_feed(as_officer):
    person_id = _created_person(as_officer)
    cursor = as_officer.get("/sync/changes").get_json()["cursor"]
    as_officer.post("/sync", e.batch(e.person_update(person_id, 1, aliases=["Slim"])))
    persons = as_officer.get(f"/sync/changes?since={cursor}").get_json()["persons"]
    assert [(p["id"], p["version"], p["aliases"]) for p in persons] == [(person_id, 2, ["Slim"])]


def test_a_fresh_phone_receives_every_visible_person_also_those_bulk_loaded_without_a_change_number(
        as_officer, officer, team):
    person_id = _created_person(as_officer)
    loaded = []
    for n in range(3):
        row = Person(id=f"00000000-0000-4000-8000-00000000000{n}", display_name=f"Loaded {n}", search_text="",
                     author_id=officer.id, team_id=team.id, change_seq=0, received_at=sa.func.now())
        db.session.add(row)
        loaded.append(row.id)
    db.session.flush()
    seen, cursor = [], None
    while True:
        body = as_officer.get("/sync/changes" + (f"?since={cursor}&limit=2" if cursor else "?limit=2")).get_json()
        seen += [p["id"] for p in body["persons"]]
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert sorted(seen) == sorted([person_id, *loaded])


# --- PATCH /persons/<id> (an extension: the same entry over REST) --------------------------------

def test_patch_applies_the_change_and_answers_the_person_with_history(as_officer):
    person_id = _created_person(as_officer)
    response = as_officer.patch(f"/persons/{person_id}", {"base_version": 1, "aliases": ["Slim"], "gender": "man"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["aliases"], body["gender"], body["version"]) == (["Slim"], "man", 2)
    assert [h["fields"] for h in body["history"]] == [["aliases", "gender"]]


def test_patch_with_a_stale_version_on_a_changed_field_is_409_with_current(as_officer):
    person_id = _created_person(as_officer)
    as_officer.patch(f"/persons/{person_id}", {"base_version": 1, "given_name": "Robert"})
    response = as_officer.patch(f"/persons/{person_id}", {"base_version": 1, "given_name": "Bob"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "conflict" and body["current"]["given_name"] == "Robert"


def test_patch_replayed_with_its_id_changes_nothing_more(as_officer):
    person_id = _created_person(as_officer)
    change = {"id": "8f0a3a3e-5a5b-4a39-9c1e-3b8f0f5d2a11", "base_version": 1, "gender": "man"}
    assert as_officer.patch(f"/persons/{person_id}", change).status_code == 200
    again = as_officer.patch(f"/persons/{person_id}", change)
    assert again.status_code == 200 and again.get_json()["version"] == 2


def test_patch_answers_404_for_a_person_the_caller_may_not_see_and_400_for_nothing_to_change(as_officer,
                                                                                             make_client):
    person_id = _created_person(as_officer)
    stranger = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    assert stranger.patch(f"/persons/{person_id}", {"base_version": 1, "gender": "man"}).status_code == 404
    response = as_officer.patch(f"/persons/{person_id}", {"base_version": 1})
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "validation_error")
