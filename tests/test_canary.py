"""Canary values through the whole server flow: a person and notes carrying a unique marker are
synced, referred with consent, accepted and alerted; afterwards the marker appears in no log line,
no push message (headers, encrypted body or decrypted payload) and no audit row."""

import json
import logging
import uuid

import sqlalchemy as sa

from app.audit.models import AuditEvent
from testkit import entries as e
from testkit import factories
from testkit.push_records import subscribe


def test_canary_values_never_reach_logs_push_messages_or_the_audit_log(client, make_client, officer, agency,
                                                                       db, push_settings, caplog, monkeypatch):
    marker = f"CANARY{uuid.uuid4().hex[:10]}"
    receiver = push_settings
    navigator = factories.make_user("navigator", agency=agency)
    navigator_phone = subscribe(navigator, receiver)
    officer_phone = subscribe(officer, receiver)
    db.session.commit()
    # Every logger on, whatever earlier tests' logging set-up switched off: the search must see all.
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
            monkeypatch.setattr(logger, "propagate", True)
            monkeypatch.setattr(logger, "level", logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    # Except SQLAlchemy's statement echo, which operators never run in production: below WARNING it
    # logs every statement with its parameters, by design.
    monkeypatch.setattr(logging.getLogger("sqlalchemy"), "level", logging.WARNING)

    person = e.person(display_name=f"{marker}-alias", given_name=f"{marker}-given", family_name=f"{marker}-family",
                      description=f"{marker} green jacket", birth_year=1979)
    encounter = e.encounter(person_id=person["id"], notes=f"{marker} said the shelter was full",
                            description=f"{marker} near the bridge")
    referral = e.referral(person["id"], agency.id, consent_obtained=True, notes=f"{marker} needs a bed")
    phone = client.sign_in_as(officer)
    assert e.statuses(phone.post("/sync", e.batch(person, encounter, referral))) == ["created"] * 3
    inbox = make_client().sign_in_as(navigator)
    accept = e.referral_update(referral["id"], "accepted", base_version=1, note=f"{marker} bed at six")
    assert e.statuses(inbox.post("/sync", e.batch(accept))) == ["created"]
    assert marker in json.dumps(inbox.get(f"/referrals/{referral['id']}").get_json())  # consented: shown
    update = e.person_update(person["id"], 1, aliases=[f"{marker}-street"], given_name=f"{marker}-new")
    stale = e.person_update(person["id"], 1, given_name=f"{marker}-stale")
    assert e.statuses(phone.post("/sync", e.batch(update, stale))) == ["created", "conflict"]
    phone.get(f"/persons/{person['id']}")
    phone.get(f"/persons?q={marker}")
    bad = e.encounter(person_id=person["id"], notes=f"{marker} " + "x" * 4000)
    assert e.statuses(phone.post("/sync", e.batch(bad))) == ["rejected"]
    reports = make_client().sign_in_as(factories.make_user("supervisor"))
    for path in ("/stats/outcomes", "/stats/referrals", "/stats/cohort", "/stats/summary",
                 "/stats/summary.csv"):  # audited, by period and ids only
        assert reports.get(path).status_code == 200
    evaluators = reports.get("/exports/encounters.csv")
    assert evaluators.status_code == 200 and marker not in evaluators.get_data(as_text=True)

    messages = receiver.delivered(navigator_phone) + receiver.delivered(officer_phone)
    assert len(messages) == 2  # the agency heard of the referral, the officer of its acceptance
    for message in receiver.requests():
        assert marker not in json.dumps(message.headers)
        assert marker.encode() not in message.body
        assert marker.encode() not in (message.plaintext or b"")
    assert caplog.records, "the flow logged nothing: the search below would prove nothing"
    assert not [r.getMessage() for r in caplog.records if marker in r.getMessage()]
    audit = db.session.scalars(sa.select(AuditEvent)).all()
    assert {a.action for a in audit} >= {"sync.batch", "person.read", "person.search", "stats.outcomes",
                                         "stats.referrals", "stats.cohort", "stats.summary", "export.encounters"}
    assert not [a for a in audit if marker in json.dumps([a.action, a.target_id, a.detail], default=str)]


def test_canary_values_in_administration_never_reach_logs_or_the_audit_log(make_client, team, agency, db, caplog):
    """Names typed by an administrator (accounts, teams, agencies, sites) are kept out of the audit log and
    logs: the audit rows of every admin action carry ids only."""
    marker = f"CANARY{uuid.uuid4().hex[:10]}"
    caplog.set_level(logging.DEBUG)
    admin = make_client().sign_in_as(factories.make_user("admin"))
    created = admin.post("/users", {"username": "canary.one", "display_name": f"{marker} One", "role": "officer",
                                    "team_id": team.id})
    assert created.status_code == 201
    user_id = created.get_json()["id"]
    assert admin.patch(f"/users/{user_id}", {"display_name": f"{marker} Renamed"}).status_code == 200
    imported = admin.post("/users/import", {"csv": f"username,display_name,role\ncanary.two,{marker} Two,officer\n"
                                                   f"canary.three,{marker}\u202e,officer\n"}).get_json()
    assert [r["status"] for r in imported["results"]] == ["created", "rejected"]
    assert admin.post(f"/users/{user_id}/reset-password").status_code == 200
    assert admin.post("/teams", {"name": f"{marker} Team", "division": marker}).status_code == 201
    assert admin.post("/agencies", {"name": f"{marker} Agency"}).status_code == 201
    assert admin.post("/sites", {"name": f"{marker} Site", "kind": "shelter", "address": marker}).status_code == 201
    assert admin.post("/teams", {"name": f"{marker} Team"}).status_code == 409
    audit = db.session.scalars(sa.select(AuditEvent)).all()
    assert {a.action for a in audit} >= {"user.create", "user.update", "user.import", "user.reset_password",
                                         "team.create", "agency.create", "site.create"}
    assert not [a for a in audit if marker in json.dumps([a.action, a.target_id, a.detail], default=str)]
    assert not [r.getMessage() for r in caplog.records if marker in r.getMessage()]
def test_situation_canaries_never_reach_logs_push_messages_or_the_audit_log(make_client, db, push_settings, caplog,
                                                                            monkeypatch):
    """A situation's summary, its person and its notes carry a marker through every stage: presented,
    decided met (the lead is alerted), noted, closed; another decided not met. The marker is in no log
    line, no push message and no audit row; the push says only that the agency acts."""
    from testkit.hub import make_hub

    marker = f"CANARY{uuid.uuid4().hex[:10]}"
    hub = make_hub(make_client)
    lead_phone = subscribe(hub.users["lead"], push_settings)
    db.session.commit()
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
            monkeypatch.setattr(logger, "propagate", True)
            monkeypatch.setattr(logger, "level", logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(logging.getLogger("sqlalchemy"), "level", logging.WARNING)

    met = hub.present(person_name=f"{marker}-name", summary=f"{marker} sleeps behind the arena")
    not_met = hub.present(person_name=f"{marker}-other", summary=f"{marker} asked for a bus pass")
    assert hub.decide_met(met["situation"], rationale=f"{marker} rationale").status_code == 200
    assert hub.decide_not_met(not_met["situation"]).status_code == 200
    lead = hub.client("lead")
    assert lead.post(f"/situations/{met['situation']}/notes", {"body": f"{marker} met at the arena"}).status_code == 201
    assert marker in json.dumps(lead.get(f"/situations/{met['situation']}").get_json())  # released: shown
    opened = lead.post(f"/situations/{met['situation']}/case", {"program": f"{marker} program",
                                                                "notes": f"{marker} case notes"})
    assert opened.status_code == 201
    assert marker in json.dumps(lead.get(f"/cases/{opened.get_json()['case_id']}").get_json())
    assert lead.post(f"/situations/{not_met['situation']}/case", {}).status_code == 409
    assert lead.post(f"/situations/{met['situation']}/close", {"reason": "connected_to_services"}).status_code == 200
    hub.client("other_member").get(f"/tables/{hub.table.id}/situations")
    hub.client("chair").get(f"/tables/{hub.table.id}/report")
    bad = e.situation(hub.table.id, summary=f"{marker} " + "x" * 1000)
    assert e.statuses(hub.client("originator").post("/sync", e.batch(bad))) == ["rejected"]

    delivered = push_settings.delivered(lead_phone)
    assert len(delivered) == 1
    for message in push_settings.requests():
        assert marker not in json.dumps(message.headers)
        assert marker.encode() not in message.body
        assert marker.encode() not in (message.plaintext or b"")
        assert b"situation.released" in (message.plaintext or b"")
    assert caplog.records
    assert not [r.getMessage() for r in caplog.records if marker in r.getMessage()]
    audit = db.session.scalars(sa.select(AuditEvent)).all()
    assert {a.action for a in audit} >= {"situation.create", "situation.decide", "situation.read", "situation.close",
                                         "situation.case", "case.create", "case.read"}
    assert not [a for a in audit if marker in json.dumps([a.action, a.target_id, a.detail], default=str)]


def test_canary_values_in_merges_corrections_and_updates_never_reach_logs_or_the_audit_log(
        client, make_client, officer, db, caplog, monkeypatch):
    """The duplicate scan, a merge (its reason too), an update naming the merged duplicate, and an
    encounter's amendment and void (their reasons): the marker stays out of every log line and audit row."""
    marker = f"CANARY{uuid.uuid4().hex[:10]}"
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
            monkeypatch.setattr(logger, "propagate", True)
            monkeypatch.setattr(logger, "level", logging.NOTSET)
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(logging.getLogger("sqlalchemy"), "level", logging.WARNING)

    phone = client.sign_in_as(officer)
    kept = e.person(display_name=f"{marker} Moore", aliases=[f"{marker}-bird"], birth_year=1979)
    dup = e.person(display_name=f"{marker} Moore", given_name=f"{marker}-given", birth_year=1979)
    encounter = e.encounter(person_id=dup["id"], notes=f"{marker} by the river")
    assert e.statuses(phone.post("/sync", e.batch(kept, dup, encounter))) == ["created"] * 3
    boss = make_client().sign_in_as(factories.make_user("supervisor"))
    assert marker in json.dumps(boss.get("/persons/duplicates").get_json())  # shown to the supervisor
    merged = boss.post(f"/persons/{kept['id']}/merge", {"duplicate_id": dup["id"], "reason": f"{marker} same"})
    assert merged.status_code == 200
    refused = boss.post(f"/persons/{kept['id']}/merge", {"duplicate_id": dup["id"], "reason": f"{marker} again"})
    assert refused.status_code == 400
    later = e.person_update(dup["id"], 1, description=f"{marker} green jacket", aliases=[f"{marker}-street"])
    amend = e.encounter_amend(encounter["id"], 1, reason=f"{marker} wrong kind", notes=f"{marker} corrected")
    void = e.encounter_void(encounter["id"], reason=f"{marker} logged twice")
    stale = e.encounter_amend(encounter["id"], 1, reason=f"{marker} late", notes=f"{marker} late")
    assert e.statuses(phone.post("/sync", e.batch(later, amend, void, stale))) == [
        "created", "created", "created", "rejected"]
    assert phone.patch(f"/encounters/{encounter['id']}", {"base_version": 3, "reason": f"{marker} x",
                                                          "notes": "y"}).status_code in (400, 409, 422)
    phone.get(f"/persons/{kept['id']}")

    # (This flow logs nothing today; the search is there for the line someone adds tomorrow.)
    assert not [r.getMessage() for r in caplog.records if marker in r.getMessage()]
    audit = db.session.scalars(sa.select(AuditEvent)).all()
    assert {a.action for a in audit} >= {"person.merge", "person.duplicates"}
    assert not [a for a in audit if marker in json.dumps([a.action, a.target_id, a.detail], default=str)]
