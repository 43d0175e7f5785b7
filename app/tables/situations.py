"""Situations through the four stages: presented (de-identified), decided by the chair (met: the
acting agencies see the person; not met: erased), acted on (notes), closed with a coded reason."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app import jobs
from app.audit.services import record_disclosure
from app.auth.models import User
from app.cases import services as cases
from app.cases.models import Case
from app.entries import events
from app.entries.outcomes import Entry, Outcome, Refused, Writer, conflict, invalid_transition, missing, rejected
from app.entries.store import replayed, store_once
from app.extensions import db
from app.people import services as people
from app.people.models import Person
from app.people.schemas import PersonSchema
from app.records import local_day, utcnow, validated_hash
from app.tables import access
from app.tables.models import Situation, SituationAssist, SituationNote, SituationTable, TableMember
from app.tables.schemas import SituationNoteSchema, SituationSchema

log = logging.getLogger(__name__)

# What a "not met" decision erases: set to NULL in the row itself (see docs/situation-table.md).
ERASED_FIELDS = ("summary", "protective_factors", "age_band", "gender", "person_id", "rationale", "entry_hash",
                 "device_id")
# What every member of the table sees (stages 2-4).
TABLE_FIELDS = ("id", "table_id", "status", "originating_agency_id", "originating_team_id", "risk_factors",
                "protective_factors", "age_band", "gender", "summary", "presented_on", "decided_on",
                "lead_agency_id", "lead_team_id", "rationale", "closed_on", "close_reason")

_schema = SituationSchema()
_note_schema = SituationNoteSchema()


# --- reading ---------------------------------------------------------------------------------------

def find(situation_id: str, *, for_update: bool = False) -> Situation | None:
    statement = sa.select(Situation).where(Situation.id == situation_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(statement)


def readable(user: User, situation: Situation) -> bool:
    """Members and chairs of its table, and the acting agencies; nobody else (404)."""
    return access.at_table(user, situation.table_id) or access.acts(user, situation)


def find_readable(user: User, situation_id: str, *, for_update: bool = False) -> Situation | None:
    situation = find(situation_id, for_update=for_update)
    return situation if situation is not None and readable(user, situation) else None


def view(user: User, situation: Situation, *, full: bool = True) -> dict[str, Any]:
    """The situation as this user may see it (for SituationSchema). `full=False`: the table's agenda,
    shown on a shared screen, with the de-identified fields only, whoever looks."""
    body: dict[str, Any] = {name: getattr(situation, name) for name in TABLE_FIELDS}
    body["threshold_met"] = {"presented": None, "rejected": False}.get(situation.status, True)
    body["assisting_agency_ids"] = access.assisting_agency_ids(str(situation.id))
    acting = access.acts(user, situation)
    body["acting"] = acting
    if not full:
        return body
    if situation.person_id is not None and (situation.author_id == user.id or acting):
        body["person_id"] = situation.person_id
    if acting:
        person = db.session.get(Person, situation.person_id) if situation.person_id else None
        body["person"] = _person_with_identity(person) if person is not None else None
        body["notes"] = notes_of(str(situation.id))
        body["case_id"] = situation.case_id
    return body


def present(user: User, situation: Situation) -> dict[str, Any]:
    return _schema.dump(view(user, situation))


def _person_with_identity(person: Person) -> dict[str, Any]:
    """The person in full: the table's threshold decision is the basis of the release."""
    body = {name: getattr(person, name, None) for name in PersonSchema().fields}
    body["identity_shared"] = True
    return body


def notes_of(situation_id: str) -> list[SituationNote]:
    return list(db.session.scalars(sa.select(SituationNote).where(SituationNote.situation_id == situation_id)
                                   .order_by(SituationNote.at, SituationNote.id)))


def for_table(user: User, table_id: int, status: str | None) -> list[dict[str, Any]]:
    """The table's situations, oldest presentation first (the agenda)."""
    statement = sa.select(Situation).where(Situation.table_id == table_id)
    if status:
        statement = statement.where(Situation.status == status)
    found = db.session.scalars(statement.order_by(Situation.presented_on, Situation.received_at, Situation.id))
    return [view(user, s, full=False) for s in found]


def ours(user: User) -> list[dict[str, Any]]:
    """Situations the user's agency (or team) leads or assists, open first: "Our situations"."""
    condition: sa.ColumnElement[bool] = sa.false()
    if user.role == "navigator" and user.agency_id is not None:
        condition = (Situation.lead_agency_id == user.agency_id) | Situation.id.in_(
            sa.select(SituationAssist.situation_id).where(SituationAssist.agency_id == user.agency_id))
    if user.role in ("officer", "supervisor") and user.team_id is not None:
        condition = condition | (Situation.lead_team_id == user.team_id)
    found = db.session.scalars(sa.select(Situation).where(condition, Situation.status.in_(access.DISCLOSED))
                               .order_by(Situation.status.desc(), Situation.decided_on, Situation.id))
    return [view(user, s) for s in found]


# --- filter 1: presenting (the `situation` entry type) ----------------------------------------------

def _originator(user: User, table_id: int) -> dict[str, int | None]:
    """The member the writer presents for: a navigator's agency, an officer's or supervisor's team."""
    members = access.member_rows(table_id)
    if user.role == "navigator" and any(m.agency_id == user.agency_id for m in members):
        return {"originating_agency_id": user.agency_id, "originating_team_id": None}
    if user.role in ("officer", "supervisor") and any(m.team_id == user.team_id for m in members):
        return {"originating_agency_id": None, "originating_team_id": user.team_id}
    raise Refused(rejected("forbidden", "Only a member agency or team of this table presents situations to it.",
                           {"table_id": ["Your agency or team is not a member of this table."]}))


def repoint_person(duplicate_id: str, kept_id: str) -> None:
    """A merge: situations linked to the duplicate are linked to the kept person (an erased one links nobody)."""
    db.session.execute(sa.update(Situation).where(Situation.person_id == duplicate_id).values(person_id=kept_id))


def _row(entry: Entry, writer: Writer) -> dict[str, Any]:
    user, data = writer.user, entry.data
    table = db.session.get(SituationTable, data["table_id"])
    if table is None or not access.at_table(user, table.id):
        raise Refused(missing("table_id", "table"))
    if not table.active:
        raise invalid_transition("This table no longer meets.", "table_id", "The table is inactive.")
    originator = _originator(user, table.id)
    # A duplicate merged away is followed to the person kept (entries.registry's followers): the writer who
    # saw the duplicate may still link the situation to the same person.
    if data.get("person_id") and not people.writable_ids(user, {data["person_id"]}):
        raise Refused(missing("person_id", "person"))
    return {
        "id": entry.id, "table_id": table.id, **originator, "status": "presented",
        "risk_factors": data["risk_factors"], "protective_factors": data.get("protective_factors") or [],
        "age_band": data.get("age_band"), "gender": data.get("gender"), "summary": data["summary"],
        "person_id": data.get("person_id"), "presented_on": data.get("presented_on") or local_day(writer.now),
        "author_id": user.id, "team_id": user.team_id, "device_id": writer.device_id, "received_at": writer.now,
        "entry_hash": entry.hash, "change_seq": 0,
    }


def _present_to_writer(situation: Situation, user: User) -> dict[str, Any] | None:
    """A conflict answer shows the stored situation to whoever presented it, nobody else."""
    return present(user, situation) if situation.author_id == user.id else None


def ingest(entries: list[Entry], writer: Writer) -> list[Outcome]:
    outcomes = []
    for entry in entries:
        earlier = replayed(Situation, entry, lambda s: _present_to_writer(s, writer.user), writer.user.id)
        if earlier is not None:
            outcomes.append(earlier)
            continue
        try:
            row = _row(entry, writer)
        except Refused as refused:
            outcomes.append(refused.outcome)
            continue
        outcomes.extend(store_once(Situation, [entry], [row], lambda s: _present_to_writer(s, writer.user)))
    return outcomes


# --- filter 3: the chair's decision ---------------------------------------------------------------

def _not_found() -> Refused:
    return Refused(missing("situation_id", "situation"))


def _member_of(table_id: int, *, agency_id: int | None = None, team_id: int | None = None) -> bool:
    condition = TableMember.agency_id == agency_id if agency_id is not None else TableMember.team_id == team_id
    found = db.session.scalar(sa.select(sa.func.count()).select_from(TableMember)
                              .where(TableMember.table_id == table_id, condition))
    return bool(found)


def decide(user: User, situation_id: str, data: dict[str, Any], *, today: date) -> Situation:
    situation = find_readable(user, situation_id, for_update=True)
    if situation is None:
        raise _not_found()
    if not access.is_chair(user, situation.table_id):
        raise Refused(rejected("forbidden", "Only the table's chairs record its decisions."))
    if situation.status != "presented":
        raise Refused(conflict(present(user, situation)))
    if data["threshold_met"]:
        _met(user, situation, data, today)
    else:
        erase(situation, decided_by=user.id, today=today)
    return situation


def _met(user: User, situation: Situation, data: dict[str, Any], today: date) -> None:
    lead_agency, lead_team = data.get("lead_agency_id"), data.get("lead_team_id")
    if lead_agency is not None and not _member_of(situation.table_id, agency_id=lead_agency):
        raise Refused(rejected("validation_error", "The lead must be a member of the table.",
                               {"lead_agency_id": ["Not a member agency of this table."]}))
    if lead_team is not None and not _member_of(situation.table_id, team_id=lead_team):
        raise Refused(rejected("validation_error", "The lead must be a member of the table.",
                               {"lead_team_id": ["Not a member team of this table."]}))
    for agency_id in data["assisting_agency_ids"]:
        if not _member_of(situation.table_id, agency_id=agency_id):
            raise Refused(rejected("validation_error", "Assisting agencies must be members of the table.",
                                   {"assisting_agency_ids": [f"Agency {agency_id} is not a member."]}))
    situation.status = "open"
    situation.decided_on = today
    situation.decided_by_id = user.id
    situation.lead_agency_id = lead_agency
    situation.lead_team_id = lead_team
    situation.rationale = data.get("rationale")
    for agency_id in data["assisting_agency_ids"]:
        db.session.add(SituationAssist(situation_id=str(situation.id), agency_id=agency_id))
    db.session.flush()
    acting_agencies = ([lead_agency] if lead_agency is not None else []) + list(data["assisting_agency_ids"])
    person = db.session.get(Person, situation.person_id) if situation.person_id else None
    if person is not None:
        released = people.identifying_fields_held(person)
        for agency_id in acting_agencies:
            record_disclosure(person_id=str(person.id), agency_id=agency_id, referral_id=None,
                              disclosed_by=user.id, fields=released, consent_basis="situation_table")
    events.situation_released.send(str(situation.id), agency_ids=acting_agencies, actor_id=user.id)


def erase(situation: Situation, *, decided_by: int, today: date) -> None:
    """Not met: the identifying and descriptive fields are overwritten with NULL in the row itself,
    and once the transaction commits the database's free space is scrubbed (`scrub_after_erasure`)."""
    secure_delete_on()
    db.session.execute(
        sa.update(Situation).where(Situation.id == situation.id)
        .values(status="rejected", decided_on=today, decided_by_id=decided_by,
                **{name: sa.null() for name in ERASED_FIELDS})
        .execution_options(synchronize_session=False))
    db.session.refresh(situation)
    jobs.after_commit(scrub_after_erasure, str(situation.id))


def scrub_after_erasure(_situation_ids: list[str]) -> None:
    """After the erasing commit: SQLite checkpoints its write-ahead log into the file (whose freed space
    `secure_delete` zeroed) and truncates the log; PostgreSQL rewrites the table (VACUUM FULL), so the
    old row versions are no longer in the table's files. Skipped while the session's connection is
    still inside an outer transaction (the test suite's rollback isolation): nothing reached the disk."""
    bind = db.session.get_bind()
    if isinstance(bind, sa.engine.Connection) and bind.in_transaction():
        return
    engine = db.engine
    if engine.dialect.name == "sqlite":
        # On the driver's connection: SQLAlchemy would open a transaction (BEGIN IMMEDIATE, app/extensions.py),
        # and a checkpoint cannot run inside one.
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            cursor.close()
        finally:
            raw.close()
        if busy and busy[0]:
            log.warning("erasure: the write-ahead log is still in use; the next checkpoint completes the scrub")
        return
    timeout = int(current_app.config.get("ERASURE_LOCK_TIMEOUT_MS", 10_000))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"SET lock_timeout = {timeout}")
        connection.exec_driver_sql("VACUUM FULL situations")


def secure_delete_on() -> None:
    """SQLite: zero the bytes an UPDATE or DELETE frees in this connection's transaction."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("PRAGMA secure_delete = ON"))


# --- filter 4: the acting agencies ----------------------------------------------------------------

def _acting(user: User, situation_id: str) -> Situation:
    situation = find_readable(user, situation_id, for_update=True)
    if situation is None:
        raise _not_found()
    if not access.acts(user, situation):
        raise Refused(rejected("forbidden", "Only the lead and assisting agencies write the intervention's notes."))
    return situation


def add_note(user: User, situation_id: str, note_id: str, entry_hash: str, data: dict[str, Any],
             now) -> tuple[SituationNote, bool]:
    situation = _acting(user, situation_id)
    if situation.status != "open":
        raise invalid_transition("The situation is closed.", "situation_id", "Closed.")
    entry = Entry(id=note_id, type="situation_note", data=data, hash=entry_hash)
    row = {"id": note_id, "situation_id": str(situation.id), "body": data["body"], "at": data.get("at") or now,
           "author_id": user.id, "team_id": user.team_id, "received_at": now, "entry_hash": entry_hash,
           "change_seq": 0}
    [outcome] = store_once(SituationNote, [entry], [row],
                           lambda n: _note_schema.dump(n) if access.acts(user, situation) else None)
    if outcome.status not in ("created", "duplicate"):
        raise Refused(outcome)
    note = db.session.get(SituationNote, note_id)
    assert note is not None
    return note, outcome.status == "created"


def close(user: User, situation_id: str, data: dict[str, Any], *, today: date) -> Situation:
    situation = find_readable(user, situation_id, for_update=True)
    if situation is None:
        raise _not_found()
    if not (access.is_chair(user, situation.table_id) or
            (situation.status in access.DISCLOSED and access.is_lead(user, situation))):
        raise Refused(rejected("forbidden", "The table's chairs or the lead agency close a situation."))
    if situation.status != "open":
        raise invalid_transition(f"A {situation.status} situation cannot be closed.", "status",
                                 f"The situation is {situation.status}.")
    closed_on = data.get("closed_on") or today
    if closed_on < situation.presented_on:
        raise Refused(rejected("validation_error", "A situation closes after it was presented.",
                               {"closed_on": ["Before the presentation."]}))
    situation.status = "closed"
    situation.closed_on = closed_on
    situation.close_reason = data["reason"]
    situation.closed_by_id = user.id
    db.session.flush()
    return situation


# --- the situation's case ------------------------------------------------------------------------

SITUATION_BASIS = "situation_table"


def _for_case(user: User, situation_id: str) -> Situation:
    """An open situation the user's agency (or team) acts on, with a person linked (raises Refused)."""
    situation = find_readable(user, situation_id, for_update=True)
    if situation is None:
        raise _not_found()
    if situation.status != "open":
        raise invalid_transition(f"A {situation.status} situation has no case: only an open one (threshold met) "
                                 "is linked to a case.", "status", f"The situation is {situation.status}.")
    if not access.acts(user, situation):
        raise Refused(rejected("forbidden", "Only the lead and assisting agencies link a situation to a case."))
    if situation.person_id is None:
        raise Refused(rejected("validation_error", "No person is linked to this situation, so it has no case.",
                               {"person_id": ["No person linked."]}))
    return situation


def _already_linked(user: User, situation: Situation) -> Refused:
    return Refused(conflict(present(user, situation)))


def link_case(user: User, situation_id: str, case_id: str) -> tuple[Situation, bool]:
    """Link an open situation to an existing case of its person that the user sees (not closed).
    Returns (situation, changed); the same link again changes nothing."""
    situation = _for_case(user, situation_id)
    if situation.case_id == case_id:
        return situation, False
    if situation.case_id is not None:
        raise _already_linked(user, situation)
    case = cases.find_visible(user, case_id)
    if case is None:
        raise Refused(missing("case_id", "case"))
    if str(case.person_id) != str(situation.person_id):
        raise Refused(rejected("validation_error", "This case is another person's.",
                               {"case_id": ["The case is for another person than the situation."]}))
    if case.status == "closed":
        raise invalid_transition("The case is closed: open a new case from the situation instead.", "case_id",
                                 "The case is closed.")
    situation.case_id = str(case.id)
    db.session.flush()
    return situation, True


def open_case(user: User, situation_id: str, data: dict[str, Any],
              now: datetime) -> tuple[Situation, Case, bool, bool]:
    """Open a case for the situation's person through the case intake service. The acting agency sees the
    person only through the situation: that is the intake's basis (`situation_table`), not the person's
    record. Returns (situation, case, created); the same `id` again is a replay and changes nothing."""
    situation = _for_case(user, situation_id)
    case_id = data.get("id") or str(uuid.uuid4())
    if situation.case_id is not None:
        if situation.case_id == case_id:
            linked = db.session.get(Case, case_id)
            assert linked is not None
            return situation, linked, False, False
        raise _already_linked(user, situation)
    intake = {"person_id": str(situation.person_id), "program": data.get("program"), "notes": data.get("notes")}
    entry = Entry(id=case_id, type="case_intake", data=intake, hash=validated_hash("case_intake", intake))
    [outcome] = cases.ingest([entry], Writer(user=user, device_id=None, now=now), person_basis=SITUATION_BASIS)
    if outcome.status not in ("created", "duplicate"):
        raise Refused(outcome)
    case = db.session.get(Case, case_id)
    assert case is not None
    situation.case_id = case_id
    db.session.flush()
    return situation, case, outcome.status == "created", True


def now_day() -> date:
    return local_day(utcnow())
