"""Issue 16, a situation's case: the lead and assisting agencies of an open situation link it to an
existing case of its person, or open a case for the person on the situation's basis; who may, at which
stage (generated from the table below), and what each side then shows."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from testkit import entries as e
from testkit import factories
from testkit.hub import PARTS, make_hub

# POST /situations/<id>/case {} (open a case) by each part, at each stage of the situation:
#   201: a case is opened; 403: at the table but the agency does not act; 404: as if it did not exist;
#   409: invalid_transition, only an open situation (threshold met) has a case.
STAGES = ("presented", "not met", "met", "closed")
#                  presented  not met  met  closed
CASE_ACCESS = {
    "chair":        (409,     409,     403, 409),
    "originator":   (409,     409,     403, 409),
    "lead":         (409,     409,     201, 409),
    "assisting":    (409,     409,     201, 409),
    "other_member": (409,     409,     403, 409),
    "non_member":   (404,     404,     404, 404),
    "supervisor":   (404,     404,     404, 404),
}
PERSON_NAME = "Wren-CASE"


def _situation_at(hub, stage: str) -> dict[str, str]:
    ids = hub.present(person_name=PERSON_NAME)
    if stage in ("met", "closed"):
        assert hub.decide_met(ids["situation"]).status_code == 200
    if stage == "not met":
        assert hub.decide_not_met(ids["situation"]).status_code == 200
    if stage == "closed":
        assert hub.client("lead").post(f"/situations/{ids['situation']}/close",
                                       {"reason": "transferred"}).status_code == 200
    return ids


@pytest.mark.parametrize("stage", STAGES)
def test_who_opens_a_case_at_each_stage(db, make_client, stage):
    hub = make_hub(make_client)
    seen, codes = {}, {}
    for part in PARTS:
        ids = _situation_at(hub, stage)  # a situation of its own for each part: the first case would conflict
        answer = hub.client(part).post(f"/situations/{ids['situation']}/case", {})
        seen[part] = answer.status_code
        codes[part] = answer.get_json()["error"]["code"] if answer.status_code >= 400 else None
    assert seen == {part: row[STAGES.index(stage)] for part, row in CASE_ACCESS.items()}
    assert all(codes[part] == "invalid_transition" for part in PARTS if seen[part] == 409)
    assert all(codes[part] == "forbidden" for part in PARTS if seen[part] == 403)


def test_the_lead_opens_a_case_that_each_side_then_shows(db, make_client):
    hub = make_hub(make_client)
    ids = _situation_at(hub, "met")
    sid = ids["situation"]
    lead = hub.client("lead")
    case_id = str(uuid.uuid4())
    opened = lead.post(f"/situations/{sid}/case", {"id": case_id, "program": "Hub follow-up"})
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["case_id"] == case_id and opened.get_json()["person"]["display_name"] == PERSON_NAME
    case = lead.get(f"/cases/{case_id}")
    assert case.status_code == 200
    body = case.get_json()
    assert body["person_id"] == ids["person"] and body["status"] == "open" and body["program"] == "Hub follow-up"
    assert body["agency_id"] == hub.agencies["lead"].id and body["lead_user_id"] == hub.users["lead"].id
    assert body["situation_ids"] == [sid]
    assert lead.get(f"/situations/{sid}").get_json()["case_id"] == case_id
    assert case_id in {c["id"] for c in lead.get("/cases").get_json()["items"]}
    # The same request again is a replay; another opening is refused: the situation has its case.
    assert lead.post(f"/situations/{sid}/case", {"id": case_id, "program": "Hub follow-up"}).status_code == 200
    again = lead.post(f"/situations/{sid}/case", {})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    assert again.get_json()["current"]["case_id"] == case_id
    assister = hub.client("assisting").post(f"/situations/{sid}/case", {"open": True})
    assert assister.status_code == 409 and assister.get_json()["current"]["case_id"] == case_id
    # The link stays with the acting agencies: the table does not see it, nor does a supervisor reading the case.
    for part in ("chair", "originator", "other_member"):
        shown = hub.client(part).get(f"/situations/{sid}").get_json()
        assert "case_id" not in shown and case_id not in json.dumps(shown), part
        listed = hub.client(part).get(f"/tables/{hub.table.id}/situations").get_json()
        assert case_id not in json.dumps(listed), part
    assert hub.client("assisting").get(f"/situations/{sid}").get_json()["case_id"] == case_id
    boss = make_client().sign_in_as(factories.make_user("supervisor", team=factories.make_team()))
    seen_by_boss = boss.get(f"/cases/{case_id}")
    assert seen_by_boss.status_code == 200 and seen_by_boss.get_json()["situation_ids"] == []
    # The case was opened on the situation's basis: the person's record stays closed to the agency.
    assert lead.get(f"/persons/{ids['person']}").status_code == 404
    for part in ("originator", "other_member", "non_member"):
        assert hub.client(part).get(f"/cases/{case_id}").status_code == 404, part
    # Audited with ids and the basis only.
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.in_(("case.create", "situation.case"))
                                                            )).all()
    made = [ev for ev in events if ev.action == "case.create" and ev.target_id == case_id]
    assert [ev.detail["basis"] for ev in made] == ["situation_table"] and made[0].detail["situation_id"] == sid
    linked = [ev for ev in events if ev.action == "situation.case" and ev.target_id == sid]
    assert [(ev.outcome, ev.detail.get("case_id")) for ev in linked if ev.outcome == "ok"] == [("ok", case_id)]
    assert ("conflict" in {ev.outcome for ev in linked})
    assert PERSON_NAME not in json.dumps([ev.detail for ev in events])


def test_a_supervisor_of_the_lead_police_team_opens_a_case(db, make_client):
    hub = make_hub(make_client)
    ids = hub.present(person_name=PERSON_NAME)
    answer = hub.client("chair").post(f"/situations/{ids['situation']}/decision",
                                      {"threshold_met": True, "lead_team_id": hub.police_team.id})
    assert answer.status_code == 200
    sergeant = make_client().sign_in_as(factories.make_user("supervisor", team=hub.police_team))
    opened = sergeant.post(f"/situations/{ids['situation']}/case", {})
    assert opened.status_code == 201, opened.get_json()
    case = sergeant.get(f"/cases/{opened.get_json()['case_id']}").get_json()
    assert case["person_id"] == ids["person"] and case["situation_ids"] == [ids["situation"]]
    assert case["team_id"] == hub.police_team.id


def _case_for(hub, make_client, person_id: str, lead_part: str = "lead") -> str:
    """A case of the person that the lead navigator sees (a supervisor opened it, naming them as lead)."""
    boss = make_client().sign_in_as(factories.make_user("supervisor", team=factories.make_team()))
    intake = e.case_intake(person_id, lead_user_id=hub.users[lead_part].id)
    assert e.statuses(boss.post("/sync", e.batch(intake))) == ["created"]
    return intake["id"]


def test_linking_an_existing_case_of_the_person(db, make_client):
    hub = make_hub(make_client)
    ids = _situation_at(hub, "met")
    sid = ids["situation"]
    case_id = _case_for(hub, make_client, ids["person"])
    lead = hub.client("lead")
    linked = lead.post(f"/situations/{sid}/case", {"case_id": case_id})
    assert linked.status_code == 200 and linked.get_json()["case_id"] == case_id
    assert lead.post(f"/situations/{sid}/case", {"case_id": case_id}).status_code == 200  # the same link: no change
    assert lead.get(f"/cases/{case_id}").get_json()["situation_ids"] == [sid]
    other = hub.present(person_name="Another")["person"]
    other_case = _case_for(hub, make_client, other)
    moved = lead.post(f"/situations/{sid}/case", {"case_id": other_case})
    assert moved.status_code == 409 and moved.get_json()["current"]["case_id"] == case_id
    # A person can be in more than one situation over time: both are worked in the same case.
    later = e.situation(hub.table.id, person_id=ids["person"], summary="Back at the arena in spring.")
    assert e.statuses(hub.client("originator").post("/sync", e.batch(later))) == ["created"]
    assert hub.decide_met(later["id"]).status_code == 200
    assert lead.post(f"/situations/{later['id']}/case", {"case_id": case_id}).status_code == 200
    assert sorted(lead.get(f"/cases/{case_id}").get_json()["situation_ids"]) == sorted([sid, later["id"]])


def test_linking_refuses_another_persons_an_unseen_or_a_closed_case(db, make_client):
    hub = make_hub(make_client)
    ids = _situation_at(hub, "met")
    sid = ids["situation"]
    lead = hub.client("lead")
    other = hub.present(person_name="Another")["person"]
    wrong_person = lead.post(f"/situations/{sid}/case", {"case_id": _case_for(hub, make_client, other)})
    assert wrong_person.status_code == 400 and wrong_person.get_json()["error"]["code"] == "validation_error"
    assert "case_id" in wrong_person.get_json()["error"]["fields"]
    unseen = _case_for(hub, make_client, ids["person"], lead_part="other_member")
    hidden = lead.post(f"/situations/{sid}/case", {"case_id": unseen})
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "not_found"
    assert lead.post(f"/situations/{sid}/case", {"case_id": str(uuid.uuid4())}).status_code == 404
    boss = make_client().sign_in_as(factories.make_user("supervisor"))
    assert boss.post(f"/cases/{unseen}/close", {"reason": "Moved away."}).status_code == 200
    closed_case = _case_for(hub, make_client, ids["person"])
    assert boss.post(f"/cases/{closed_case}/close", {"reason": "Moved away."}).status_code == 200
    closed = lead.post(f"/situations/{sid}/case", {"case_id": closed_case})
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "invalid_transition"
    assert lead.get(f"/situations/{sid}").get_json()["case_id"] is None
    for body in ({"case_id": closed_case, "open": True}, {"case_id": closed_case, "program": "x"}, {"open": False}):
        assert lead.post(f"/situations/{sid}/case", body).status_code == 400, body


def test_opening_when_the_person_has_an_open_case(db, make_client):
    hub = make_hub(make_client)
    ids = _situation_at(hub, "met")
    sid = ids["situation"]
    unseen = _case_for(hub, make_client, ids["person"], lead_part="other_member")
    refused = hub.client("lead").post(f"/situations/{sid}/case", {})
    assert refused.status_code == 403 and unseen not in json.dumps(refused.get_json())
    boss = make_client().sign_in_as(factories.make_user("supervisor"))
    assert boss.post(f"/cases/{unseen}/close", {"reason": "Handed over."}).status_code == 200
    seen = _case_for(hub, make_client, ids["person"])
    conflict = hub.client("lead").post(f"/situations/{sid}/case", {})
    assert conflict.status_code == 409 and conflict.get_json()["current"]["id"] == seen
    assert hub.client("lead").post(f"/situations/{sid}/case", {"case_id": seen}).status_code == 200


def test_a_situation_without_a_person_has_no_case(db, make_client):
    hub = make_hub(make_client)
    entry = e.situation(hub.table.id)
    assert e.statuses(hub.client("originator").post("/sync", e.batch(entry))) == ["created"]
    assert hub.decide_met(entry["id"]).status_code == 200
    answer = hub.client("lead").post(f"/situations/{entry['id']}/case", {})
    assert answer.status_code == 400 and "person_id" in answer.get_json()["error"]["fields"]


def test_admins_do_not_open_cases(db, make_client):
    hub = make_hub(make_client)
    ids = _situation_at(hub, "met")
    admin = make_client().sign_in_as(factories.make_user("admin"))
    assert admin.post(f"/situations/{ids['situation']}/case", {}).status_code == 403
    assert make_client().post(f"/situations/{ids['situation']}/case", {}).status_code == 401
