"""An id already taken by a record the writer may not see in full answers the same whatever the entry
holds, so sending guesses under a known id cannot confirm what the record says (no duplicate/conflict
oracle). The writer of the record, and anyone who sees it in full, still get duplicate or conflict.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from testkit import entries as e
from testkit import factories
from testkit.cases import accepted_referral

ANA = {"display_name": "Ana", "given_name": "Ana", "family_name": "Guessme", "birth_year": 1979}


@pytest.fixture
def stranger(db, make_client):
    """An officer of another team: sees none of the records below."""
    return make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))


@pytest.fixture
def person_entry(as_officer):
    entry = e.person(**ANA)
    assert e.statuses(as_officer.post("/sync", e.batch(entry))) == ["created"]
    return entry


def _answers(client, entries: list[dict]) -> list[dict]:
    response = client.post("/sync", e.batch(*entries))
    assert response.status_code == 200
    return response.get_json()["results"]


def _without_id(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "id"}


def _guesses(entry: dict, changes: list[dict]) -> list[dict]:
    """The stored entry as it was sent, and the same id with other contents."""
    return [entry] + [{**entry, "data": {**entry["data"], **change}} for change in changes]


def test_a_stranger_guessing_a_person_gets_one_answer_for_right_and_wrong_guesses(person_entry, stranger):
    guesses = _guesses(person_entry, [{"family_name": "Other"}, {"birth_year": 1980}])
    results = [_answers(stranger, [guess])[0] for guess in guesses]
    assert len({str(_without_id(r)) for r in results}) == 1
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["code"] == "conflict"
    assert "current" not in results[0]


def test_an_agency_that_sees_the_person_masked_gets_no_oracle(person_entry, as_officer, make_client, agency):
    assert e.statuses(as_officer.post("/sync", e.batch(e.referral(person_entry["id"], agency.id)))) == ["created"]
    navigator = make_client().sign_in_as(factories.make_user("navigator", team=factories.make_team(), agency=agency))
    assert navigator.get(f"/persons/{person_entry['id']}").get_json()["family_name"] is None
    results = [_answers(navigator, [guess])[0]
               for guess in _guesses(person_entry, [{"family_name": "Other"}])]
    assert _without_id(results[0]) == _without_id(results[1])
    assert results[0]["status"] == "rejected" and "current" not in results[0]


def test_the_writer_still_gets_duplicate_and_conflict_with_the_stored_record(person_entry, as_officer):
    same, other = _guesses(person_entry, [{"family_name": "Other"}])
    assert [r["status"] for r in _answers(as_officer, [same, other])] == ["duplicate", "conflict"]
    assert _answers(as_officer, [other])[0]["current"]["family_name"] == "Guessme"


def test_a_teammate_who_sees_the_person_in_full_still_gets_duplicate(person_entry, make_client, team):
    teammate = make_client().sign_in_as(factories.make_user("officer", team=team))
    assert [r["status"] for r in _answers(teammate, _guesses(person_entry, [{"family_name": "X"}]))] == [
        "duplicate", "conflict"]


def test_a_stranger_guessing_an_encounter_gets_one_answer(as_officer, stranger):
    entry = e.encounter(notes="Marker note", needs=["housing"])
    assert e.statuses(as_officer.post("/sync", e.batch(entry))) == ["created"]
    results = [_answers(stranger, [g])[0] for g in _guesses(entry, [{"notes": "Other"}, {"needs": ["food"]}])]
    assert len({str(_without_id(r)) for r in results}) == 1
    assert results[0]["status"] == "rejected"


def test_a_stranger_guessing_a_referral_or_its_update_gets_one_answer(as_officer, make_client, agency, stranger):
    navigator = make_client().sign_in_as(factories.make_user("navigator", team=factories.make_team(), agency=agency))
    person_id, referral_id = accepted_referral(as_officer, navigator, agency.id)
    update = e.referral_update(referral_id, "completed", note="Housed")
    assert e.statuses(navigator.post("/sync", e.batch(update))) == ["created"]
    referral = e.referral(person_id, agency.id, id=referral_id)
    for entry, change in ((update, {"note": "Other"}), (referral, {"service": "food"})):
        results = [_answers(stranger, [g])[0] for g in _guesses(entry, [change])]
        assert _without_id(results[0]) == _without_id(results[1])
        assert results[0]["status"] == "rejected"


def test_a_stranger_or_a_masked_agency_guessing_a_person_update_gets_one_answer(person_entry, as_officer, stranger,
                                                                               make_client, agency):
    update = e.person_update(person_entry["id"], 1, aliases=["Marker street name"])
    assert e.statuses(as_officer.post("/sync", e.batch(e.referral(person_entry["id"], agency.id), update))) == [
        "created", "created"]
    navigator = make_client().sign_in_as(factories.make_user("navigator", team=factories.make_team(), agency=agency))
    for guesser in (stranger, navigator):
        results = [_answers(guesser, [g])[0] for g in _guesses(update, [{"aliases": ["Other"]}])]
        assert _without_id(results[0]) == _without_id(results[1])
        assert (results[0]["status"], results[0]["error"]["code"]) == ("rejected", "conflict")
        assert "current" not in results[0]


def test_a_stranger_guessing_a_case_entry_gets_one_answer(as_officer, stranger):
    person = e.person()
    intake = e.case_intake(person["id"], notes="Marker intake")
    assert e.statuses(as_officer.post("/sync", e.batch(person, intake))) == ["created", "created"]
    note = e.case_note(intake["id"], body="Marker body")
    assert e.statuses(as_officer.post("/sync", e.batch(note))) == ["created"]
    for entry, change in ((intake, {"notes": "Other"}), (note, {"body": "Other"})):
        results = [_answers(stranger, [g])[0] for g in _guesses(entry, [change])]
        assert _without_id(results[0]) == _without_id(results[1])
        assert results[0]["status"] == "rejected"


def test_an_intake_for_a_person_with_a_hidden_open_case_says_nothing_about_it(make_client, team, agency, db):
    """The person is shared with a navigator's agency; an officer of another team holds their open case."""
    owner = make_client().sign_in_as(factories.make_user("officer", team=team))
    person = e.person()
    referral = e.referral(person["id"], agency.id)
    intake = e.case_intake(person["id"])
    assert e.statuses(owner.post("/sync", e.batch(person, referral, intake))) == ["created"] * 3
    navigator = make_client().sign_in_as(factories.make_user("navigator", team=factories.make_team(), agency=agency))
    assert navigator.get(f"/cases/{intake['id']}").status_code == 404

    [result] = _answers(navigator, [e.case_intake(person["id"])])

    assert result["status"] == "rejected"
    assert "current" not in result
    message = result["error"]["message"].lower()
    assert "id" not in message.split() and "open case" not in message and "already" not in message


def test_every_answer_to_a_guess_is_audited_with_the_target_id(person_entry, stranger, db):
    guesses = _guesses(person_entry, [{"family_name": "Other"}])
    for guess in guesses:
        _answers(stranger, [guess])
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target_id == person_entry["id"],
                                                          AuditEvent.action == "person.create",
                                                          AuditEvent.outcome == "conflict")).all()
    assert len(rows) == len(guesses)
