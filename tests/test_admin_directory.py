"""Teams, partner agencies and sites administered in the app (API.md Part 2 › Administration): create, edit,
deactivate; the changes reach phones through /sync/changes; a deactivated one stays on old records but
cannot be chosen for new ones."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from testkit import entries as e
from testkit import factories


@pytest.fixture
def as_admin(make_client, db):
    return make_client().sign_in_as(factories.make_user("admin"))


def error_of(response):
    return response.get_json()["error"]


def test_an_admin_creates_and_edits_a_team_with_its_group(as_admin, db):
    response = as_admin.post("/teams", {"name": "Northeast Branch", "division": "Northeast", "group": "branch"})
    assert response.status_code == 201, response.get_json()
    team = response.get_json()
    assert team | {"id": 0} == {"id": 0, "name": "Northeast Branch", "division": "Northeast", "group": "branch",
                                "active": True}
    edited = as_admin.patch(f"/teams/{team['id']}", {"group": "core", "name": "Downtown Core"})
    assert edited.status_code == 200 and (edited.get_json()["group"], edited.get_json()["name"]) == (
        "core", "Downtown Core")
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_type == "team")).all()
    assert sorted(actions) == ["team.create", "team.update"]


@pytest.mark.parametrize("path, body, status, field", [
    ("/teams", {"name": "T", "group": "satellite"}, 400, "group"),
    ("/teams", {"name": "A\u202eB"}, 400, "name"),
    ("/teams", {"name": "   "}, 400, "name"),
    ("/teams", {"name": "downtown help"}, 409, "name"),  # "Downtown HELP" exists, letter case aside
    ("/agencies", {"name": "Shelter X", "services": ["teleportation"]}, 400, "services.0"),
    ("/agencies", {"name": "Shelter X", "phone": "call us maybe"}, 400, "phone"),
    ("/agencies", {"name": "Hope Mission"}, 409, "name"),
    ("/sites", {"name": "Site X", "kind": "castle"}, 400, "kind"),
    ("/sites", {"name": "Site X", "kind": "shelter", "agency_id": 999999}, 400, "agency_id"),
])
def test_reference_data_rules_answer_with_the_error_shape(as_admin, team, agency, path, body, status, field):
    response = as_admin.post(path, body)
    assert response.status_code == status, response.get_json()
    error = error_of(response)
    assert error["code"] == ("conflict" if status == 409 else "validation_error")
    assert field in error["fields"]


def test_an_agency_with_services_and_a_phone_number(as_admin):
    response = as_admin.post("/agencies", {"name": "Boyle Street", "short_name": "BSCS",
                                           "services": ["housing", "id_documents"], "phone": "+1 780-424-4106 ext 2"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json() | {"id": 0} == {"id": 0, "name": "Boyle Street", "short_name": "BSCS",
                                               "services": ["housing", "id_documents"],
                                               "phone": "+1 780-424-4106 ext 2", "active": True}


@pytest.mark.parametrize("role", ["officer", "navigator", "supervisor"])
def test_only_admins_change_reference_data(make_client, team, agency, db, role):
    phone = make_client().sign_in_as(factories.make_user(role, agency=agency if role == "navigator" else None))
    site = factories.make_site(agency)
    for call in (lambda: phone.post("/teams", {"name": "X"}), lambda: phone.patch(f"/teams/{team.id}", {"name": "X"}),
                 lambda: phone.post("/agencies", {"name": "X"}),
                 lambda: phone.patch(f"/agencies/{agency.id}", {"active": False}),
                 lambda: phone.post("/sites", {"name": "X", "kind": "shelter"}),
                 lambda: phone.patch(f"/sites/{site.id}", {"active": False})):
        response = call()
        assert (response.status_code, error_of(response)["code"]) == (403, "forbidden")


def test_changes_reach_phones_through_the_changes_feed(as_admin, make_client, officer, agency, db):
    phone = make_client().sign_in_as(officer)
    cursor = phone.get("/sync/changes").get_json()["cursor"]
    new_site = as_admin.post("/sites", {"name": "Bissell Centre", "kind": "drop_in", "agency_id": agency.id,
                                        "address": "10527 96 St"}).get_json()
    as_admin.patch(f"/agencies/{agency.id}", {"phone": "780-555-0101"})
    new_team = as_admin.post("/teams", {"name": "West Branch", "group": "branch"}).get_json()
    feed = phone.get(f"/sync/changes?since={cursor}").get_json()
    assert [s["id"] for s in feed["sites"]] == [new_site["id"]]
    assert [(a["id"], a["phone"]) for a in feed["agencies"]] == [(agency.id, "780-555-0101")]
    assert [(t["id"], t["group"]) for t in feed["teams"]] == [(new_team["id"], "branch")]
    again = phone.get(f"/sync/changes?since={feed['cursor']}").get_json()
    assert again["sites"] == again["agencies"] == again["teams"] == []
    as_admin.patch(f"/sites/{new_site['id']}", {"active": False})
    later = phone.get(f"/sync/changes?since={again['cursor']}").get_json()
    assert [(s["id"], s["active"]) for s in later["sites"]] == [(new_site["id"], False)]


def test_a_deactivated_site_stays_on_old_check_ins_but_cannot_be_chosen_for_new_ones(as_admin, make_client, officer,
                                                                                    agency, db):
    site = factories.make_site(agency)
    phone = make_client().sign_in_as(officer)
    old = e.encounter("shelter_check_in", site_id=site.id)
    assert e.statuses(phone.post("/sync", e.batch(old))) == ["created"]
    assert as_admin.patch(f"/sites/{site.id}", {"active": False}).status_code == 200
    assert phone.get(f"/encounters/{old['id']}").get_json()["site_id"] == site.id
    result = phone.post("/sync", e.batch(e.encounter("shelter_check_in", site_id=site.id))).get_json()["results"][0]
    assert result["status"] == "rejected" and "site_id" in result["error"]["fields"]
    other = factories.make_site(agency)
    moved = phone.post("/sync", e.batch(e.encounter_amend(old["id"], site_id=other.id)))
    assert e.statuses(moved) == ["created"]
    back = phone.post("/sync", e.batch(e.encounter_amend(old["id"], base_version=2, site_id=site.id)))
    assert e.statuses(back) == ["rejected"]


def test_a_deactivated_agency_cannot_receive_referrals_sites_or_navigators(as_admin, make_client, officer, agency, db):
    assert as_admin.patch(f"/agencies/{agency.id}", {"active": False}).status_code == 200
    phone = make_client().sign_in_as(officer)
    person = e.person()
    results = e.statuses(phone.post("/sync", e.batch(person, e.referral(person["id"], agency.id))))
    assert results == ["created", "rejected"]
    site = as_admin.post("/sites", {"name": "Site Y", "kind": "shelter", "agency_id": agency.id})
    assert site.status_code == 400 and "agency_id" in error_of(site)["fields"]
    navigator = as_admin.post("/users", {"username": "nav.y", "role": "navigator", "agency_id": agency.id})
    assert navigator.status_code == 400 and "deactivated" in error_of(navigator)["fields"]["agency_id"][0]


def test_a_deactivated_team_keeps_its_members_but_takes_no_new_ones(as_admin, team, officer, db):
    assert as_admin.patch(f"/teams/{team.id}", {"active": False}).status_code == 200
    members = as_admin.get(f"/users?team_id={team.id}").get_json()["items"]
    assert [m["id"] for m in members] == [officer.id]
    joined = as_admin.post("/users", {"username": "new.one", "role": "officer", "team_id": team.id})
    assert joined.status_code == 400 and "team_id" in error_of(joined)["fields"]
    assert as_admin.patch(f"/users/{officer.id}", {"display_name": "Still Here"}).status_code == 200
    assert as_admin.patch("/teams/999999", {"name": "Nope"}).status_code == 404
