"""Who sees a case: navigators their agency's and those they lead, officers their team's and those
they are lead officer of, supervisors and admins all; every read is audited, ids only."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from testkit import entries as e
from testkit import factories
from testkit.cases import accepted_referral, error_code, new_person, open_case, result


@pytest.fixture
def agency_case(as_officer, make_client, agency, team):
    """A case opened by a navigator of the agency (on the officer's team) from an accepted referral."""
    as_navigator = make_client().sign_in_as(factories.make_user("navigator", team=team, agency=agency))
    person_id, referral_id = accepted_referral(as_officer, as_navigator, agency.id)
    return open_case(as_navigator, person_id, referral_id=referral_id)


def signed_in(make_client, role, **kwargs):
    return make_client().sign_in_as(factories.make_user(role, **kwargs))


def test_a_navigator_of_the_agency_sees_the_case_one_of_another_agency_does_not(make_client, agency, agency_case):
    colleague = signed_in(make_client, "navigator", agency=agency)
    stranger = signed_in(make_client, "navigator", agency=factories.make_agency())
    assert colleague.get(f"/cases/{agency_case['id']}").status_code == 200
    assert error_code(stranger.get(f"/cases/{agency_case['id']}")) == (404, "not_found")
    assert stranger.get("/cases").get_json()["total"] == 0


def test_a_navigator_of_another_agency_sees_the_case_they_lead(as_officer, make_client, db):
    lead = factories.make_user("navigator", agency=factories.make_agency())
    case = open_case(as_officer, lead_user_id=lead.id)
    assert make_client().sign_in_as(lead).get(f"/cases/{case['id']}").status_code == 200


def test_an_officer_sees_the_teams_cases_an_officer_of_another_team_does_not(make_client, team, agency_case):
    teammate = signed_in(make_client, "officer", team=team)
    outsider = signed_in(make_client, "officer", team=factories.make_team())
    assert teammate.get(f"/cases/{agency_case['id']}").status_code == 200
    assert error_code(outsider.get(f"/cases/{agency_case['id']}")) == (404, "not_found")
    assert outsider.get("/cases").get_json()["items"] == []


def test_the_lead_officer_from_another_team_sees_the_case(as_officer, make_client):
    lead_officer = factories.make_user("officer", team=factories.make_team())
    case = open_case(as_officer, officer_id=lead_officer.id)
    assert make_client().sign_in_as(lead_officer).get(f"/cases/{case['id']}").status_code == 200


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_every_case(make_client, agency_case, role):
    assert signed_in(make_client, role).get(f"/cases/{agency_case['id']}").status_code == 200


def test_those_who_may_not_see_a_case_cannot_change_it(make_client, agency, agency_case):
    outsider = signed_in(make_client, "officer", team=factories.make_team())
    case_id = agency_case["id"]
    assert error_code(outsider.post(f"/cases/{case_id}/notes", {"body": "x"})) == (404, "not_found")
    assert error_code(outsider.post(f"/cases/{case_id}/close", {"reason": "x"})) == (404, "not_found")
    answer = result(outsider.post("/sync", e.batch(e.case_transition(case_id, agency.id))))
    assert answer["error"]["code"] == "not_found"


def test_an_intake_naming_another_persons_referral_is_refused_on_both_roads(as_officer, make_client, agency, team):
    as_navigator = signed_in(make_client, "navigator", team=team, agency=agency)
    _referred, referral_id = accepted_referral(as_officer, as_navigator, agency.id)
    someone_else = new_person(as_officer)
    response = as_navigator.post("/cases", {"person_id": someone_else, "referral_id": referral_id})
    assert error_code(response) == (400, "validation_error")
    assert response.get_json()["error"]["fields"] == {"referral_id": ["This referral is for another person."]}
    answer = result(as_navigator.post("/sync", e.batch(e.case_intake(someone_else, referral_id=referral_id))))
    assert (answer["status"], answer["error"]["code"]) == ("rejected", "validation_error")
    assert as_navigator.get("/cases").get_json()["total"] == 0


def test_an_intake_naming_a_referral_the_caller_may_not_see_reveals_nothing_about_it(as_officer, make_client, agency,
                                                                                    team):
    _referred, referral_id = accepted_referral(
        as_officer, signed_in(make_client, "navigator", team=team, agency=agency), agency.id)
    outsider = signed_in(make_client, "officer", team=factories.make_team())
    own_person = new_person(outsider)
    hidden = outsider.post("/cases", {"person_id": own_person, "referral_id": referral_id})
    unknown = outsider.post("/cases", {"person_id": own_person, "referral_id": factories.new_id()})
    assert error_code(hidden) == (404, "not_found")
    assert hidden.get_json() == unknown.get_json()


def test_a_replay_by_someone_who_may_not_see_the_record_is_refused_without_showing_it(as_officer, make_client):
    case = open_case(as_officer)
    note = e.case_note(case["id"], "Private detail")
    as_officer.post("/sync", e.batch(note))
    outsider = signed_in(make_client, "officer", team=factories.make_team())
    answer = result(outsider.post("/sync", e.batch({**note, "data": {**note["data"], "body": "other"}})))
    assert (answer["status"], answer["error"]["code"]) == ("rejected", "conflict")
    assert "current" not in answer and "Private detail" not in str(answer)


def test_every_read_of_a_case_is_audited_with_ids_only(as_officer, officer, db):
    case = open_case(as_officer, notes="Sleeps at the river valley", program="Housing First")
    as_officer.get(f"/cases/{case['id']}")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case.read"))
    assert (event.actor_id, event.target_type, event.target_id, event.outcome) == (
        officer.id, "case", case["id"], "ok")
    assert "river" not in str(event.detail) and "Housing" not in str(event.detail)


def test_a_refused_read_is_audited_too(make_client, agency_case, db):
    outsider = factories.make_user("officer", team=factories.make_team())
    make_client().sign_in_as(outsider).get(f"/cases/{agency_case['id']}")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case.read"))
    assert (event.actor_id, event.target_id, event.outcome) == (outsider.id, agency_case["id"], "not_found")


def test_listing_cases_is_audited_with_the_ids_shown(as_officer, officer, db):
    case = open_case(as_officer)
    as_officer.get("/cases")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case.list"))
    assert (event.actor_id, event.detail["results"]) == (officer.id, [case["id"]])


def test_reading_a_case_needs_a_signed_in_user(as_officer, make_client):
    case = open_case(as_officer)
    assert error_code(make_client().get(f"/cases/{case['id']}")) == (401, "not_authenticated")
    assert error_code(make_client().get("/cases")) == (401, "not_authenticated")
