"""Every read of referrals, encounters and the changes feed leaves one audit row per request with the
ids it returned (never a name or a note); a refused read leaves one with its outcome although the
request rolls back."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from testkit import entries as e
from testkit import factories
from testkit.cases import new_person

MARKER = "Reads-Canary-4417"


def audited(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def logged(as_officer, agency):
    """A named person with an encounter and a referral, both with notes, logged by the officer."""
    p = e.person(display_name=f"{MARKER}-alias", given_name=MARKER)
    enc = e.encounter(person_id=p["id"], notes=f"{MARKER} slept outside")
    ref = e.referral(p["id"], agency.id, notes=f"{MARKER} needs a bed")
    assert e.statuses(as_officer.post("/sync", e.batch(p, enc, ref))) == ["created"] * 3
    return {"person": p["id"], "encounter": enc["id"], "referral": ref["id"]}


@pytest.mark.parametrize("kind, path", [("referral", "/referrals/{id}"), ("encounter", "/encounters/{id}")])
def test_reading_one_record_is_audited_with_its_id_only(as_officer, officer, logged, db, kind, path):
    assert as_officer.get(path.format(id=logged[kind])).status_code == 200
    [event] = audited(db, f"{kind}.read")
    assert (event.actor_id, event.target_type, event.target_id, event.outcome) == (officer.id, kind, logged[kind], "ok")
    assert MARKER not in str(event.detail)


@pytest.mark.parametrize("kind, path", [("referral", "/referrals/{id}"), ("encounter", "/encounters/{id}")])
def test_a_refused_read_is_audited_with_its_outcome(make_client, logged, db, kind, path):
    outsider = factories.make_user("officer", team=factories.make_team())
    response = make_client().sign_in_as(outsider).get(path.format(id=logged[kind]))
    assert (response.status_code, response.get_json()["error"]["code"]) == (404, "not_found")
    [event] = audited(db, f"{kind}.read")
    assert (event.actor_id, event.target_id, event.outcome) == (outsider.id, logged[kind], "not_found")


def test_listing_referrals_is_audited_with_the_ids_returned(as_officer, officer, logged, agency, db):
    second = e.referral(logged["person"], agency.id, service="food")
    assert e.statuses(as_officer.post("/sync", e.batch(second))) == ["created"]
    listed = [r["id"] for r in as_officer.get("/referrals").get_json()]
    [event] = audited(db, "referral.list")
    assert (event.actor_id, event.target_type, event.outcome) == (officer.id, "referral", "ok")
    assert sorted(event.detail["results"]) == sorted(listed) == sorted([logged["referral"], second["id"]])
    assert MARKER not in str(event.detail)


def test_listing_encounters_is_audited_with_the_ids_on_the_page(as_officer, officer, logged, db):
    later = e.encounter(occurred_at="2026-11-21T09:00:00-07:00")
    assert e.statuses(as_officer.post("/sync", e.batch(later))) == ["created"]
    page = as_officer.get("/encounters?per_page=1&page=2").get_json()
    assert [item["id"] for item in page["items"]] == [logged["encounter"]]
    [event] = audited(db, "encounter.list")
    assert (event.actor_id, event.detail["results"]) == (officer.id, [logged["encounter"]])


def test_the_changes_feed_is_audited_once_per_page_with_the_ids_by_type(as_officer, officer, logged, db):
    case = as_officer.post("/cases", {"person_id": logged["person"]}).get_json()
    feed = as_officer.get("/sync/changes").get_json()
    [event] = audited(db, "sync.changes")
    assert event.actor_id == officer.id and event.outcome == "ok"
    assert event.detail == {"since": None, "cursor": feed["cursor"], "persons": [logged["person"]],
                            "referrals": [logged["referral"]], "cases": [case["id"]]}
    assert MARKER not in str(event.detail)

    as_officer.get(f"/sync/changes?since={feed['cursor']}")  # nothing new: nothing personal read
    assert len(audited(db, "sync.changes")) == 1
    person_id = new_person(as_officer)
    later = as_officer.get(f"/sync/changes?since={feed['cursor']}").get_json()
    assert audited(db, "sync.changes")[-1].detail == {"since": feed["cursor"], "cursor": later["cursor"],
                                                      "persons": [person_id]}


def test_a_page_of_many_records_is_one_row(as_officer, db):
    people = [e.person() for _ in range(30)]
    assert e.statuses(as_officer.post("/sync", e.batch(*people))) == ["created"] * 30
    as_officer.get("/sync/changes")
    [event] = audited(db, "sync.changes")
    assert sorted(event.detail["persons"]) == sorted(p["id"] for p in people)
