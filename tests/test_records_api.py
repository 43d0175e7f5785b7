"""GET /encounters, /persons, /referrals: filters, pagination, visibility and audited reads."""

import sqlalchemy as sa

from app.audit.models import AuditEvent
from testkit import entries as e
from testkit import factories


def test_encounters_are_paginated_newest_first_with_filters(as_officer):
    times = [f"2026-11-{day:02d}T10:00:00-07:00" for day in range(1, 8)]
    as_officer.post("/sync", e.batch(*[e.encounter(occurred_at=t) for t in times],
                                     e.encounter("consultation", occurred_at=times[0])))
    page = as_officer.get("/encounters?kind=interaction&per_page=3&page=2").get_json()
    assert (page["total"], page["pages"], page["page"]) == (7, 3, 2)
    assert [i["occurred_at"][:10] for i in page["items"]] == ["2026-11-04", "2026-11-03", "2026-11-02"]
    ranged = as_officer.get("/encounters?from=2026-11-03T00:00:00-07:00&to=2026-11-05T00:00:00-07:00").get_json()
    assert ranged["total"] == 2


def test_another_teams_encounter_is_404(client, make_client):
    alice = client.sign_in_as(factories.make_user("officer", team=factories.make_team()))
    bob = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    enc = e.encounter()
    alice.post("/sync", e.batch(enc))
    assert alice.get(f"/encounters/{enc['id']}").status_code == 200
    assert bob.get(f"/encounters/{enc['id']}").status_code == 404
    assert bob.get("/encounters").get_json()["total"] == 0


def test_author_id_lists_only_that_users_encounters_among_those_the_caller_sees(client, make_client):
    team = factories.make_team()
    alice_user = factories.make_user("officer", team=team)
    alice = client.sign_in_as(alice_user)
    bob_user = factories.make_user("officer", team=team)
    bob = make_client().sign_in_as(bob_user)
    mine, theirs = e.encounter(), e.encounter("consultation")
    alice.post("/sync", e.batch(mine))
    bob.post("/sync", e.batch(theirs))
    assert alice.get("/encounters").get_json()["total"] == 2  # the team's
    own = alice.get(f"/encounters?author_id={alice_user.id}").get_json()
    assert [i["id"] for i in own["items"]] == [mine["id"]]
    assert [i["id"] for i in alice.get(f"/encounters?author_id={bob_user.id}").get_json()["items"]] == [theirs["id"]]
    outsider = factories.make_user("officer", team=factories.make_team())
    stranger = make_client().sign_in_as(outsider)
    assert stranger.get(f"/encounters?author_id={alice_user.id}").get_json()["total"] == 0  # visibility still holds


def test_supervisor_sees_every_team(client, make_client, supervisor):
    alice = client.sign_in_as(factories.make_user("officer", team=factories.make_team()))
    alice.post("/sync", e.batch(e.encounter()))
    assert make_client().sign_in_as(supervisor).get("/encounters").get_json()["total"] == 1


def test_person_search_by_name_or_alias_is_audited(as_officer, officer, db):
    as_officer.post("/sync", e.batch(e.person(display_name="Sparrow", given_name="Jo", family_name="Doe"),
                                     e.person(display_name="Kestrel")))
    assert [p["display_name"] for p in as_officer.get("/persons?q=doe").get_json()] == ["Sparrow"]
    assert [p["display_name"] for p in as_officer.get("/persons?q=kes").get_json()] == ["Kestrel"]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.search")).all()
    assert len(events) == 2 and all(ev.actor_id == officer.id for ev in events)
    assert "Sparrow" not in str([ev.detail for ev in events])


def test_person_timeline_lists_encounters_referrals_and_cases_and_is_audited(as_officer, agency, db):
    p = e.person()
    enc = e.encounter(person_id=p["id"])
    ref = e.referral(p["id"], agency.id, encounter_id=enc["id"])
    as_officer.post("/sync", e.batch(p, enc, ref))
    body = as_officer.get(f"/persons/{p['id']}").get_json()
    assert (body["encounters"], body["referrals"], body["cases"]) == ([enc["id"]], [ref["id"]], [])
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.read"))
    assert audit.target_id == p["id"] and audit.outcome == "ok"


def test_unknown_person_is_404_and_the_attempt_is_audited(as_officer, db):
    response = as_officer.get("/persons/0b8f2f3e-4a7b-4c59-9d2e-2f1c0f3b9a11")
    assert response.status_code == 404
    assert db.session.scalar(sa.select(AuditEvent.outcome).where(AuditEvent.action == "person.read")) == "not_found"


def test_navigator_search_does_not_find_people_known_only_through_a_referral(as_officer, make_client, agency):
    p = e.person(display_name="Heron")
    as_officer.post("/sync", e.batch(p, e.referral(p["id"], agency.id)))
    navigator = make_client().sign_in_as(factories.make_user("navigator", agency=agency))
    assert navigator.get("/persons?q=heron").get_json() == []
    assert navigator.get(f"/persons/{p['id']}").get_json()["display_name"] is None
