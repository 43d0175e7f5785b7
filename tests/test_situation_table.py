"""Issue 16, the situation table: who reads which fields of a situation and of its linked person at
every stage (generated from the table below), and the rules of each filter."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent, Disclosure
from app.push.models import PendingAlert
from app.tables.models import Situation
from testkit import entries as e
from testkit import factories
from testkit.hub import PARTS, make_hub

# What each part sees of a situation (GET /situations/<id>) at each stage:
#   "-"     : 404, as if it did not exist
#   "table" : the de-identified fields (risk factors, age band, gender, summary, ...), no person
#   "own"   : the same and the person_id it linked (the originator, who presented it)
#   "all"   : the de-identified fields, the person with identity, and the notes thread
#   "codes" : only what a "not met" decision leaves: id, table, originator, dates, status, risk factors
STAGES = ("1 presented", "2 discussed", "3 met", "3 not met", "4 closed")
#                     1 presented  2 discussed  3 met    3 not met  4 closed
ACCESS = {
    "chair":        ("table",     "table",     "table",  "codes",   "table"),
    "originator":   ("own",       "own",       "own",    "codes",   "own"),
    "lead":         ("table",     "table",     "all",    "codes",   "all"),
    "assisting":    ("table",     "table",     "all",    "codes",   "all"),
    "other_member": ("table",     "table",     "table",  "codes",   "table"),
    "non_member":   ("-",         "-",         "-",      "-",       "-"),
    "supervisor":   ("-",         "-",         "-",      "-",       "-"),
}
ERASED = ("summary", "protective_factors", "age_band", "gender", "rationale")
PERSON_NAME = "Wren-ACCESS"
SUMMARY = "Lost housing; two overdoses this month."
NOTE = "Housing worker meets her Tuesday."


def _stage(hub, stage: str) -> str:
    ids = hub.present(person_name=PERSON_NAME, summary=SUMMARY, protective_factors=["family"])
    situation_id = ids["situation"]
    if stage == "2 discussed":
        assert hub.client("chair").get(f"/tables/{hub.table.id}/situations?status=presented").status_code == 200
    if stage in ("3 met", "4 closed"):
        assert hub.decide_met(situation_id).status_code == 200
        assert hub.client("lead").post(f"/situations/{situation_id}/notes", {"body": NOTE}).status_code == 201
    if stage == "3 not met":
        assert hub.decide_not_met(situation_id).status_code == 200
    if stage == "4 closed":
        closed = hub.client("lead").post(f"/situations/{situation_id}/close", {"reason": "connected_to_services"})
        assert closed.status_code == 200, closed.get_json()
    return situation_id


def _seen(response) -> str:
    """Classify what a response showed, from what a client reads in it."""
    if response.status_code == 404:
        return "-"
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    text = json.dumps(body)
    if body["status"] == "rejected":
        assert all(body[name] in (None, []) for name in ERASED), body
        assert SUMMARY not in text and PERSON_NAME not in text and "person_id" not in body and "person" not in body
        assert body["risk_factors"] == ["housing", "mental_health"]
        return "codes"
    assert body["summary"] == SUMMARY and body["age_band"] == "30-39"
    if "person" in body:
        assert body["person"]["display_name"] == PERSON_NAME and body["person"]["identity_shared"] is True
        assert body["person_id"] == body["person"]["id"]
        assert [n["body"] for n in body["notes"]] == [NOTE]
        return "all"
    assert PERSON_NAME not in text and NOTE not in text and "notes" not in body
    return "own" if "person_id" in body else "table"


@pytest.mark.parametrize("stage", STAGES)
def test_who_reads_what_at_each_stage(db, make_client, stage):
    hub = make_hub(make_client)
    situation_id = _stage(hub, STAGES[STAGES.index(stage)])
    seen = {part: _seen(hub.client(part).get(f"/situations/{situation_id}")) for part in PARTS}
    assert seen == {part: row[STAGES.index(stage)] for part, row in ACCESS.items()}
    # The table's list shows members and chairs the same situation, never the person or the notes.
    for part in PARTS:
        listed = hub.client(part).get(f"/tables/{hub.table.id}/situations")
        if ACCESS[part][STAGES.index(stage)] == "-":
            assert listed.status_code == 404
            continue
        [item] = listed.get_json()
        assert PERSON_NAME not in json.dumps(item) and NOTE not in json.dumps(item) and "notes" not in item


def test_the_linked_person_record_stays_closed_to_the_table_itself(db, make_client):
    """Meeting the threshold releases the person inside the situation only; /persons stays as it was."""
    hub = make_hub(make_client)
    ids = hub.present(person_name=PERSON_NAME)
    hub.decide_met(ids["situation"])
    for part in ("chair", "lead", "assisting", "other_member", "non_member"):
        assert hub.client(part).get(f"/persons/{ids['person']}").status_code == 404, part
        found = hub.client(part).get(f"/persons?q={PERSON_NAME}").get_json()
        assert PERSON_NAME not in json.dumps(found), part


def test_met_writes_the_disclosure_ledger_and_alerts_the_acting_agencies(db, make_client):
    hub = make_hub(make_client)
    ids = hub.present(person_name=PERSON_NAME)
    answer = hub.decide_met(ids["situation"])
    assert answer.status_code == 200 and answer.get_json()["status"] == "open"
    ledger = db.session.scalars(sa.select(Disclosure).where(Disclosure.person_id == ids["person"])).all()
    assert sorted(d.agency_id for d in ledger) == sorted([hub.agencies["lead"].id, hub.agencies["assisting"].id])
    assert {d.consent_basis for d in ledger} == {"situation_table"}
    assert all("display_name" in d.fields and d.disclosed_by == hub.users["chair"].id for d in ledger)
    [alert] = db.session.scalars(sa.select(PendingAlert).where(PendingAlert.situation_id == ids["situation"])).all()
    assert alert.kind == "situation.released"
    from app.push import messages, recipients
    from app.push.models import PushSubscription
    for part in PARTS:
        db.session.add(PushSubscription(user_id=hub.users[part].id, endpoint=f"https://push.example/{part}",
                                        p256dh="k", auth="a"))
    db.session.flush()
    plan = recipients.subscription_ids([alert])
    endpoints = {db.session.get(PushSubscription, s).endpoint.rsplit("/", 1)[1] for s in plan[alert.id]}
    assert endpoints == {"lead", "assisting"}
    payload = json.dumps(messages.for_alert(alert).payload)
    assert PERSON_NAME not in payload and "Evicted" not in payload and "housing" not in payload


def test_not_met_erases_the_row_and_releases_nothing(db, make_client):
    hub = make_hub(make_client)
    ids = hub.present(person_name=PERSON_NAME, summary=SUMMARY)
    answer = hub.decide_not_met(ids["situation"])
    assert answer.status_code == 200 and answer.get_json()["status"] == "rejected"
    table = Situation.__table__
    row = db.session.execute(sa.select(table).where(table.c.id == ids["situation"])).mappings().one()
    for name in ("summary", "protective_factors", "age_band", "gender", "person_id", "rationale", "entry_hash"):
        assert row[name] is None, name
    assert row["table_id"] == hub.table.id and row["originating_agency_id"] == hub.agencies["originator"].id
    assert row["presented_on"] is not None and row["decided_on"] is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Disclosure)
                             .where(Disclosure.person_id == ids["person"])) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingAlert)
                             .where(PendingAlert.situation_id == ids["situation"])) == 0


def test_decisions_are_the_chairs_and_once(db, make_client):
    hub = make_hub(make_client)
    ids = hub.present()
    for part, status in (("originator", 403), ("lead", 403), ("non_member", 404), ("supervisor", 404)):
        answer = hub.client(part).post(f"/situations/{ids['situation']}/decision", {"threshold_met": False})
        assert answer.status_code == status, part
    not_a_member = factories.make_agency()
    wrong = hub.decide_met(ids["situation"], lead_agency_id=not_a_member.id)
    assert wrong.status_code == 400 and "lead_agency_id" in wrong.get_json()["error"]["fields"]
    assert hub.client("chair").post(f"/situations/{ids['situation']}/decision",
                                    {"threshold_met": True}).status_code == 400  # no lead
    assert hub.decide_met(ids["situation"]).status_code == 200
    again = hub.decide_not_met(ids["situation"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    assert again.get_json()["current"]["status"] == "open"


def test_a_police_team_can_lead(db, make_client):
    hub = make_hub(make_client)
    officer = factories.make_user("officer", team=hub.police_team)
    ids = hub.present(person_name=PERSON_NAME)
    answer = hub.client("chair").post(f"/situations/{ids['situation']}/decision",
                                      {"threshold_met": True, "lead_team_id": hub.police_team.id})
    assert answer.status_code == 200
    phone = make_client().sign_in_as(officer)
    body = phone.get(f"/situations/{ids['situation']}").get_json()
    assert body["acting"] is True and body["person"]["display_name"] == PERSON_NAME
    assert [s["id"] for s in phone.get("/situations").get_json()] == [ids["situation"]]
    assert phone.post(f"/situations/{ids['situation']}/close", {"reason": "transferred"}).status_code == 200


def test_notes_are_the_acting_agencies_and_never_shown_to_others(db, make_client):
    hub = make_hub(make_client)
    ids = hub.present()
    sid = ids["situation"]
    assert hub.client("lead").post(f"/situations/{sid}/notes", {"body": NOTE}).status_code == 403  # not decided
    hub.decide_met(sid)
    note_id = str(uuid.uuid4())
    first = hub.client("assisting").post(f"/situations/{sid}/notes", {"id": note_id, "body": NOTE})
    assert first.status_code == 201
    assert hub.client("assisting").post(f"/situations/{sid}/notes", {"id": note_id, "body": NOTE}).status_code == 200
    for part, status in (("chair", 403), ("originator", 403), ("other_member", 403), ("non_member", 404)):
        assert hub.client(part).post(f"/situations/{sid}/notes", {"body": "x"}).status_code == status, part
    assert [n["body"] for n in hub.client("lead").get(f"/situations/{sid}").get_json()["notes"]] == [NOTE]


def test_closing_needs_a_coded_reason_from_a_chair_or_the_lead(db, make_client):
    hub = make_hub(make_client)
    sid = hub.present()["situation"]
    assert hub.client("chair").post(f"/situations/{sid}/close", {"reason": "connected_to_services"}).status_code == 409
    hub.decide_met(sid)
    assert hub.client("lead").post(f"/situations/{sid}/close", {"reason": "all better"}).status_code == 400
    for part, status in (("assisting", 403), ("other_member", 403), ("originator", 403), ("non_member", 404)):
        assert hub.client(part).post(f"/situations/{sid}/close", {"reason": "transferred"}).status_code == status
    closed = hub.client("chair").post(f"/situations/{sid}/close", {"reason": "refused_services"})
    assert closed.status_code == 200 and closed.get_json()["close_reason"] == "refused_services"
    assert hub.client("lead").post(f"/situations/{sid}/close", {"reason": "transferred"}).status_code == 409


def test_presenting_is_for_member_agencies_and_teams_and_is_idempotent(db, make_client):
    hub = make_hub(make_client)
    entry = e.situation(hub.table.id)
    for part in ("non_member", "supervisor"):
        [result] = hub.client(part).post("/sync", e.batch(entry)).get_json()["results"]
        assert result["status"] == "rejected" and result["error"]["code"] == "not_found"
    [result] = hub.client("chair").post("/sync", e.batch(entry)).get_json()["results"]
    assert result["status"] == "rejected" and result["error"]["code"] == "forbidden"  # chairs do not present
    assert e.statuses(hub.client("originator").post("/sync", e.batch(entry))) == ["created"]
    assert e.statuses(hub.client("originator").post("/sync", e.batch(entry))) == ["duplicate"]
    officer = factories.make_user("officer", team=hub.police_team)
    rest = make_client().sign_in_as(officer).post(f"/tables/{hub.table.id}/situations",
                                                  {"risk_factors": ["gangs"], "summary": "Recruited by a crew."})
    assert rest.status_code == 201 and rest.get_json()["originating_team_id"] == hub.police_team.id
    assert hub.client("originator").post(f"/tables/{hub.table.id}/situations",
                                         {"risk_factors": [], "summary": "x"}).status_code == 400
    # A person the writer cannot see is not linked.
    hidden = e.person()
    stranger = factories.make_user("officer", team=factories.make_team())
    assert e.statuses(make_client().sign_in_as(stranger).post("/sync", e.batch(hidden))) == ["created"]
    [result] = hub.client("originator").post(
        "/sync", e.batch(e.situation(hub.table.id, person_id=hidden["id"]))).get_json()["results"]
    assert result["error"]["code"] == "not_found"
    listed = hub.client("other_member").get(f"/tables/{hub.table.id}/situations?status=presented").get_json()
    assert len(listed) == 2 and all("person_id" not in s for s in listed)


def test_tables_are_set_up_by_admins_and_listed_to_their_members(db, make_client):
    hub = make_hub(make_client)
    admin = make_client().sign_in_as(factories.make_user("admin"))
    agency = factories.make_agency()
    made = admin.post("/tables", {"name": "North Hub", "agency_ids": [agency.id, hub.agencies["lead"].id],
                                  "chair_user_ids": [hub.users["chair"].id]})
    assert made.status_code == 201, made.get_json()
    table = made.get_json()
    assert hub.client("originator").post("/tables", {"name": "Mine"}).status_code == 403
    assert admin.post("/tables", {"name": "North Hub"}).status_code == 409
    assert admin.post("/tables", {"name": "Ghosts", "agency_ids": [999999]}).status_code == 400
    assert {t["name"] for t in hub.client("lead").get("/tables").get_json()} == {hub.table.name, "North Hub"}
    assert [t["name"] for t in hub.client("originator").get("/tables").get_json()] == [hub.table.name]
    assert hub.client("non_member").get("/tables").get_json() == []
    assert admin.patch(f"/tables/{table['id']}", {"active": False, "team_ids": [hub.police_team.id]}).status_code == 200
    assert admin.patch("/tables/999999", {"active": False}).status_code == 404
    [listed] = [t for t in hub.client("chair").get("/tables").get_json() if t["id"] == table["id"]]
    assert listed["chair"] is True and listed["active"] is False and listed["team_ids"] == [hub.police_team.id]


def test_everything_is_audited_with_ids_only(db, make_client):
    hub = make_hub(make_client)
    ids = hub.present(person_name=PERSON_NAME, summary=SUMMARY)
    sid = ids["situation"]
    hub.client("other_member").get(f"/situations/{sid}")
    hub.decide_met(sid)
    hub.client("lead").post(f"/situations/{sid}/notes", {"body": NOTE})
    hub.client("lead").get(f"/situations/{sid}")
    hub.client("non_member").get(f"/situations/{sid}")
    hub.client("lead").post(f"/situations/{sid}/close", {"reason": "transferred"})
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("situation%"))).all()
    actions = [(ev.action, ev.outcome) for ev in events]
    for expected in (("situation.create", "ok"), ("situation.read", "ok"), ("situation.decide", "ok"),
                     ("situation_note.create", "ok"), ("situation.read", "not_found"), ("situation.close", "ok")):
        assert expected in actions, expected
    dumped = json.dumps([[ev.action, ev.target_id, ev.detail] for ev in events])
    assert PERSON_NAME not in dumped and SUMMARY not in dumped and NOTE not in dumped
