"""Only someone who already sees a person's identity may record their consent to share it.

A navigator who sees a person masked (referred to their agency without consent) must not be able to
unmask them, for their own agency or a third one, by sending a referral that says consent was given.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent, Disclosure
from app.referrals.models import Referral
from testkit import entries as e
from testkit import factories
from tests.conftest import count


@pytest.fixture
def masked(db, make_client, officer, agency):
    """A person the officer referred to `agency` without consent: (person id, the agency's navigator,
    a navigator of a third agency, that agency)."""
    phone = make_client().sign_in_as(officer)
    person = e.person(given_name="Marker", family_name="Consentcase", birth_year=1971)
    assert e.statuses(phone.post("/sync", e.batch(person, e.referral(person["id"], agency.id)))) == ["created"] * 2
    navigator_y = factories.make_user("navigator", team=factories.make_team(), agency=agency)
    agency_z = factories.make_agency("Bent Arrow", services=["housing"])
    navigator_z = factories.make_user("navigator", team=factories.make_team(), agency=agency_z)
    return person["id"], navigator_y, navigator_z, agency_z


def test_a_navigator_who_sees_a_person_masked_cannot_record_consent(masked, make_client, agency):
    person_id, navigator_y, _z, _agency_z = masked
    phone = make_client().sign_in_as(navigator_y)
    assert phone.get(f"/persons/{person_id}").get_json()["given_name"] is None
    referrals_before = count(Referral)

    entry = e.referral(person_id, agency.id, consent_obtained=True)
    [result] = phone.post("/sync", e.batch(entry)).get_json()["results"]

    assert result["status"] == "rejected"
    assert result["error"]["code"] == "forbidden"
    assert "consent_obtained" in result["error"]["fields"]
    seen = phone.get(f"/persons/{person_id}").get_json()
    assert (seen["given_name"], seen["family_name"], seen["birth_year"]) == (None, None, None)
    assert count(Referral) == referrals_before
    assert count(Disclosure) == 0


def test_a_masked_person_cannot_be_revealed_to_a_third_agency(masked, make_client):
    person_id, navigator_y, navigator_z, agency_z = masked
    phone_y = make_client().sign_in_as(navigator_y)
    phone_z = make_client().sign_in_as(navigator_z)
    assert phone_z.get(f"/persons/{person_id}").status_code == 404

    entry = e.referral(person_id, agency_z.id, consent_obtained=True)
    [result] = phone_y.post("/sync", e.batch(entry)).get_json()["results"]

    assert (result["status"], result["error"]["code"]) == ("rejected", "forbidden")
    assert phone_z.get(f"/persons/{person_id}").status_code == 404
    assert count(Disclosure) == 0


def test_the_refusal_is_audited_with_the_entry(masked, make_client, agency, db):
    person_id, navigator_y, _z, _agency_z = masked
    entry = e.referral(person_id, agency.id, consent_obtained=True)
    make_client().sign_in_as(navigator_y).post("/sync", e.batch(entry))
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target_id == entry["id"])).all()
    assert [(r.action, r.outcome, r.actor_id) for r in rows] == [("referral.create", "forbidden", navigator_y.id)]


def test_the_same_navigator_may_still_refer_without_consent(masked, make_client, agency):
    person_id, navigator_y, _z, agency_z = masked
    entry = e.referral(person_id, agency_z.id, consent_obtained=False)
    phone = make_client().sign_in_as(navigator_y)
    assert e.statuses(phone.post("/sync", e.batch(entry))) == ["created"]
    assert count(Disclosure) == 0


def test_someone_who_sees_the_identity_records_consent_and_the_ledger_names_them(masked, make_client,
                                                                                  officer, db):
    person_id, _y, navigator_z, agency_z = masked
    entry = e.referral(person_id, agency_z.id, consent_obtained=True)
    assert e.statuses(make_client().sign_in_as(officer).post("/sync", e.batch(entry))) == ["created"]
    assert make_client().sign_in_as(navigator_z).get(f"/persons/{person_id}").get_json()["given_name"] == "Marker"
    [disclosure] = db.session.scalars(sa.select(Disclosure)).all()
    assert (disclosure.disclosed_by, disclosure.agency_id) == (officer.id, agency_z.id)


def test_a_navigator_whose_agency_has_consent_may_record_it_again(masked, make_client, officer, agency):
    person_id, navigator_y, _z, _agency_z = masked
    consented = e.referral(person_id, agency.id, consent_obtained=True)
    assert e.statuses(make_client().sign_in_as(officer).post("/sync", e.batch(consented))) == ["created"]
    again = e.referral(person_id, agency.id, consent_obtained=True, service="food")
    assert e.statuses(make_client().sign_in_as(navigator_y).post("/sync", e.batch(again))) == ["created"]


# --- person_update: consent given later, withdrawn, and who may record it -----------------------

def test_a_navigator_who_sees_a_person_masked_cannot_give_consent_or_change_who_they_are(masked, make_client):
    person_id, navigator_y, _z, _agency_z = masked
    phone = make_client().sign_in_as(navigator_y)
    for change in ({"consent_to_share": True}, {"given_name": "Guess"}, {"aliases": ["Guess"]},
                   {"consent_recorded_at": "2026-11-20T19:30:00-07:00"}):
        [result] = phone.post("/sync", e.batch(e.person_update(person_id, 1, **change))).get_json()["results"]
        assert (result["status"], result["error"]["code"]) == ("rejected", "forbidden")
        assert set(result["error"]["fields"]) == set(change)
    seen = phone.get(f"/persons/{person_id}").get_json()
    assert (seen["given_name"], seen["identity_shared"], seen["version"]) == (None, False, 1)
    assert count(Disclosure) == 0


def test_a_masked_navigators_stale_update_conflict_shows_nothing_of_the_person(masked, make_client, officer):
    person_id, navigator_y, _z, _agency_z = masked
    assert e.statuses(make_client().sign_in_as(officer).post(
        "/sync", e.batch(e.person_update(person_id, 1, gender="man")))) == ["created"]
    [result] = make_client().sign_in_as(navigator_y).post(
        "/sync", e.batch(e.person_update(person_id, 1, gender="woman"))).get_json()["results"]
    assert (result["status"], result["error"]["code"]) == ("rejected", "conflict")
    assert "current" not in result


def test_consent_given_later_unmasks_the_person_and_is_written_to_the_ledger(masked, make_client, officer,
                                                                            agency, db):
    person_id, navigator_y, _z, _agency_z = masked
    phone = make_client().sign_in_as(officer)
    assert e.statuses(phone.post("/sync", e.batch(e.person_update(person_id, 1, consent_to_share=True)))) == ["created"]
    seen = make_client().sign_in_as(navigator_y).get(f"/persons/{person_id}").get_json()
    assert (seen["given_name"], seen["identity_shared"], seen["consent_to_share"]) == ("Marker", True, True)
    assert seen["consent_recorded_at"] is not None
    [disclosure] = db.session.scalars(sa.select(Disclosure)).all()
    assert (disclosure.agency_id, disclosure.disclosed_by, disclosure.consent_basis, disclosure.referral_id) == (
        agency.id, officer.id, "person_consent", None)
    assert set(disclosure.fields) == {"display_name", "given_name", "family_name", "birth_year"}


def test_consent_given_later_discloses_nothing_to_an_agency_that_already_had_consent(masked, make_client,
                                                                                   officer, agency):
    person_id, _y, _z, _agency_z = masked
    phone = make_client().sign_in_as(officer)
    phone.post("/sync", e.batch(e.referral(person_id, agency.id, consent_obtained=True, service="food")))
    before = count(Disclosure)
    assert e.statuses(phone.post("/sync", e.batch(e.person_update(person_id, 1, consent_to_share=True)))) == ["created"]
    assert count(Disclosure) == before


def test_withdrawn_consent_masks_the_person_for_the_agency_at_once_and_on_its_phones(masked, make_client,
                                                                                   officer):
    person_id, navigator_y, _z, _agency_z = masked
    police = make_client().sign_in_as(officer)
    police.post("/sync", e.batch(e.person_update(person_id, 1, consent_to_share=True)))
    agency_phone = make_client().sign_in_as(navigator_y)
    first = agency_phone.get("/sync/changes").get_json()
    assert [(p["id"], p["given_name"]) for p in first["persons"]] == [(person_id, "Marker")]

    assert e.statuses(police.post("/sync", e.batch(e.person_update(person_id, 2, consent_to_share=False)))) == [
        "created"]

    seen = agency_phone.get(f"/persons/{person_id}").get_json()
    assert (seen["given_name"], seen["family_name"], seen["birth_year"], seen["display_name"], seen["aliases"]) == (
        None, None, None, None, None)
    assert seen["identity_shared"] is False
    later = agency_phone.get(f"/sync/changes?since={first['cursor']}").get_json()["persons"]
    assert [(p["id"], p["given_name"], p["identity_shared"]) for p in later] == [(person_id, None, False)]
    assert police.get(f"/persons/{person_id}").get_json()["given_name"] == "Marker"
