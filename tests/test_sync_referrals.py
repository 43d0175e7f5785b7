"""Referrals and their lifecycle through /sync and PATCH /referrals/<id>; case intake."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent, Disclosure
from app.cases.models import Case
from app.entries.outcomes import Refused
from app.errors import refusal
from app.push.models import PendingAlert
from app.records import utcnow
from app.referrals.models import Referral, ReferralEvent
from app.referrals.services import change_status
from testkit import entries as e
from testkit import factories
from tests.conftest import count


@pytest.fixture
def referred(as_officer, agency):
    """A person referred to the agency by the officer; returns the referral id."""
    p = e.person(given_name="Ana", family_name="Example", birth_year=1980)
    r = e.referral(p["id"], agency.id)
    assert e.statuses(as_officer.post("/sync", e.batch(p, r))) == ["created", "created"]
    return r["id"]


@pytest.fixture
def agency_navigator(db, agency):
    """A navigator of the receiving agency who is not paired with the referring team."""
    return factories.make_user("navigator", agency=agency)


@pytest.fixture
def as_navigator(make_client, agency_navigator):
    return make_client().sign_in_as(agency_navigator)


def test_new_referral_is_pending_version_1_and_alerts_the_agency(referred, db):
    referral = db.session.get(Referral, referred)
    assert (referral.status, referral.version) == ("pending", 1)
    alerts = db.session.scalars(sa.select(PendingAlert)).all()
    assert [(a.kind, str(a.referral_id)) for a in alerts] == [("referral.created", referred)]


def test_navigator_accepts_through_sync_and_the_referrer_is_alerted(referred, as_navigator, db):
    update = e.referral_update(referred, "accepted", base_version=1, note="Bed at 6pm")
    assert e.statuses(as_navigator.post("/sync", e.batch(update))) == ["created"]
    referral = db.session.get(Referral, referred)
    assert (referral.status, referral.version) == ("accepted", 2)
    assert referral.accepted_at is not None
    kinds = db.session.scalars(sa.select(PendingAlert.kind).order_by(PendingAlert.id)).all()
    assert kinds == ["referral.created", "referral.updated"]
    history = as_navigator.get(f"/referrals/{referred}").get_json()["history"]
    assert [(h["from_status"], h["to_status"], h["version"], h["note"]) for h in history] == [
        ("pending", "accepted", 2, "Bed at 6pm")]


def test_a_replayed_update_is_a_duplicate_and_changes_nothing(referred, as_navigator, db):
    update = e.referral_update(referred, "accepted", base_version=1)
    as_navigator.post("/sync", e.batch(update))
    assert e.statuses(as_navigator.post("/sync", e.batch(update))) == ["duplicate"]
    assert db.session.get(Referral, referred).version == 2
    assert count(ReferralEvent) == 1


def test_illegal_transition_is_rejected_invalid_transition(referred, as_navigator, db):
    result = as_navigator.post("/sync", e.batch(e.referral_update(referred, "completed"))).get_json()["results"][0]
    assert result["status"] == "rejected" and result["error"]["code"] == "invalid_transition"
    assert db.session.get(Referral, referred).status == "pending"


def test_officer_cannot_accept_for_the_agency(referred, as_officer, db):
    result = as_officer.post("/sync", e.batch(e.referral_update(referred, "accepted"))).get_json()["results"][0]
    assert result["error"]["code"] == "forbidden"
    assert db.session.get(Referral, referred).status == "pending"


def test_an_admin_can_neither_accept_nor_complete_a_referral_and_the_refusal_is_audited(
        referred, as_navigator, make_client, admin, db):
    as_admin = make_client().sign_in_as(admin)
    refused = as_admin.patch(f"/referrals/{referred}", {"status": "accepted"})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "forbidden")
    assert as_navigator.patch(f"/referrals/{referred}", {"status": "accepted"}).status_code == 200
    assert as_admin.patch(f"/referrals/{referred}", {"status": "completed"}).status_code == 403
    referral = db.session.get(Referral, referred)
    assert (referral.status, referral.version) == ("accepted", 2)
    denied = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [(d.actor_id, d.target_id, d.outcome) for d in denied] == [
        (admin.id, "referrals.patch_referral", "forbidden")] * 2


@pytest.mark.parametrize("role", ["admin", "supervisor", "officer"])
def test_only_the_receiving_agencys_navigators_may_make_the_agency_moves(referred, officer, db, role):
    user = officer if role == "officer" else factories.make_user(role)  # the referrer, or oversight
    for status in ("accepted", "declined"):
        with pytest.raises(Refused) as refused:
            change_status(user, referred, status=status, note=None, base_version=None, at=utcnow())
        assert (refusal(refused.value.outcome).code, refused.value.outcome.error["code"]) == (403, "forbidden")


def test_navigator_of_another_agency_does_not_see_the_referral(referred, make_client, db):
    stranger = make_client().sign_in_as(factories.make_user("navigator", agency=factories.make_agency()))
    result = stranger.post("/sync", e.batch(e.referral_update(referred, "accepted"))).get_json()["results"][0]
    assert result["error"]["code"] == "not_found"
    assert stranger.get(f"/referrals/{referred}").status_code == 404


def test_out_of_order_updates_from_two_devices_end_legal_with_the_loser_told_conflict(
        referred, as_officer, as_navigator, db):
    # Both devices saw version 1. The navigator's accept arrives first; the officer's withdraw
    # is still legal from accepted, so it applies. A second accept from version 1 is not.
    assert e.statuses(as_navigator.post("/sync", e.batch(e.referral_update(referred, "accepted", base_version=1)))) \
        == ["created"]
    late = as_navigator.post("/sync", e.batch(e.referral_update(referred, "declined", base_version=1),
                                              device_id="tablet-2")).get_json()["results"][0]
    assert late["status"] == "conflict"
    assert late["current"]["status"] == "accepted" and late["current"]["version"] == 2
    assert e.statuses(as_officer.post("/sync", e.batch(e.referral_update(referred, "withdrawn", base_version=1)))) \
        == ["created"]
    referral = db.session.get(Referral, referred)
    assert (referral.status, referral.version) == ("withdrawn", 3)


def test_referral_to_unknown_agency_or_person_is_rejected(as_officer):
    p = e.person()
    results = as_officer.post("/sync", e.batch(p, e.referral(p["id"], 99999),
                                               e.referral("0b8f2f3e-4a7b-4c59-9d2e-2f1c0f3b9a11", 1))).get_json()
    assert [(r["status"], r.get("error", {}).get("code")) for r in results["results"]] == [
        ("created", None), ("rejected", "not_found"), ("rejected", "not_found")]
    assert count(Referral) == 0


def test_without_consent_the_agency_sees_no_identifying_fields(referred, as_navigator):
    person = as_navigator.get(f"/referrals/{referred}").get_json()["person"]
    assert person["identity_shared"] is False
    assert person["display_name"] is None and person["given_name"] is None and person["birth_year"] is None


def test_with_consent_the_agency_sees_the_person_and_the_disclosure_is_recorded(as_officer, make_client,
                                                                                agency_navigator, agency, db):
    p = e.person(given_name="Ana", birth_year=1980)
    r = e.referral(p["id"], agency.id, consent_obtained=True)
    as_officer.post("/sync", e.batch(p, r))
    nav = make_client().sign_in_as(agency_navigator)
    person = nav.get(f"/referrals/{r['id']}").get_json()["person"]
    assert person["given_name"] == "Ana" and person["identity_shared"] is True
    disclosure = db.session.scalar(sa.select(Disclosure))
    assert (str(disclosure.person_id), disclosure.agency_id, disclosure.consent_basis) == (
        p["id"], agency.id, "referral_consent")
    assert set(disclosure.fields) == {"display_name", "given_name", "birth_year"}


def test_patch_moves_the_referral_and_answers_conflict_with_current_when_stale(referred, as_navigator, db):
    response = as_navigator.patch(f"/referrals/{referred}", {"status": "accepted", "base_version": 1})
    assert response.status_code == 200 and response.get_json()["version"] == 2
    stale = as_navigator.patch(f"/referrals/{referred}", {"status": "declined", "base_version": 1})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    assert stale.get_json()["current"]["status"] == "accepted"
    illegal = as_navigator.patch(f"/referrals/{referred}", {"status": "declined", "base_version": 2})
    assert illegal.status_code == 409 and illegal.get_json()["error"]["code"] == "invalid_transition"
    assert db.session.get(Referral, referred).version == 2


@pytest.mark.parametrize("occurred_at, code", [("11 minutes ahead", "clock_skew"), ("2099-01-01T00:00:00Z", "clock_skew"),
                                               ("0001-01-01T00:00:00+00:00", "validation_error"),
                                               ("1899-12-31T23:59:59Z", "validation_error")])
def test_patch_applies_the_time_rules_of_sync(referred, as_navigator, db, occurred_at, code):
    if occurred_at == "11 minutes ahead":
        occurred_at = e.in_future(11)  # taken now, not when the tests were collected
    response = as_navigator.patch(f"/referrals/{referred}", {"status": "accepted", "occurred_at": occurred_at})
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, code)
    assert list(response.get_json()["error"]["fields"]) == ["occurred_at"]
    sent = as_navigator.post("/sync", e.batch(e.referral_update(referred, "accepted", occurred_at=occurred_at)))
    assert [(r["status"], r["error"]["code"]) for r in sent.get_json()["results"]] == [("rejected", code)]
    assert (db.session.get(Referral, referred).version, count(ReferralEvent)) == (1, 0)


def test_a_change_dated_before_the_referrals_history_is_refused_on_both_roads(referred, as_navigator, db):
    an_hour_ago = (utcnow() - timedelta(hours=1)).isoformat()
    response = as_navigator.patch(f"/referrals/{referred}", {"status": "accepted", "occurred_at": an_hour_ago})
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "validation_error")
    assert list(response.get_json()["error"]["fields"]) == ["occurred_at"]
    [answer] = as_navigator.post("/sync", e.batch(e.referral_update(referred, "accepted", occurred_at=an_hour_ago))
                                 ).get_json()["results"]
    assert (answer["status"], answer["error"]["code"]) == ("rejected", "validation_error")

    accepted_at = utcnow() + timedelta(minutes=5)  # this phone runs five minutes fast: allowed
    assert as_navigator.patch(f"/referrals/{referred}", {"status": "accepted",
                                                         "occurred_at": accepted_at.isoformat()}).status_code == 200
    earlier = (accepted_at - timedelta(minutes=20)).isoformat()
    [answer] = as_navigator.post("/sync", e.batch(e.referral_update(referred, "completed", occurred_at=earlier))
                                 ).get_json()["results"]
    assert answer["error"]["fields"] == {"occurred_at": [f"Must not be before {accepted_at.isoformat()}."]}
    # Another phone a few minutes behind, and a change dated by the server, both still apply.
    behind = (accepted_at - timedelta(minutes=8)).isoformat()
    assert as_navigator.patch(f"/referrals/{referred}", {"status": "completed", "occurred_at": behind}).status_code \
        == 200
    history = as_navigator.get(f"/referrals/{referred}").get_json()["history"]
    assert [h["to_status"] for h in history] == ["accepted", "completed"]


def test_navigator_inbox_lists_the_agencys_referrals(referred, as_navigator, agency):
    inbox = as_navigator.get(f"/referrals?agency_id={agency.id}&status=pending").get_json()
    assert [r["id"] for r in inbox] == [referred]


def test_case_intake_from_an_accepted_referral(referred, as_navigator, agency_navigator, db):
    as_navigator.post("/sync", e.batch(e.referral_update(referred, "accepted", base_version=1)))
    person_id = str(db.session.get(Referral, referred).person_id)
    intake = e.case_intake(person_id, referral_id=referred, program="Housing First")
    assert e.statuses(as_navigator.post("/sync", e.batch(intake))) == ["created"]
    case = db.session.get(Case, intake["id"])
    assert (case.status, case.lead_user_id, case.agency_id) == ("open", agency_navigator.id,
                                                                agency_navigator.agency_id)
    assert e.statuses(as_navigator.post("/sync", e.batch(intake))) == ["duplicate"]
    second = as_navigator.post("/sync", e.batch(e.case_intake(person_id))).get_json()["results"][0]
    assert second["status"] == "conflict" and second["current"]["id"] == intake["id"]
    assert count(Case) == 1


def test_case_intake_from_a_pending_referral_is_rejected(referred, as_navigator, db):
    person_id = str(db.session.get(Referral, referred).person_id)
    result = as_navigator.post("/sync", e.batch(e.case_intake(person_id, referral_id=referred))).get_json()
    assert result["results"][0]["error"]["code"] == "validation_error"
    assert count(Case) == 0
