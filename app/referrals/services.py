"""Referrals: storing new ones, moving them through their lifecycle, and who sees what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.audit.services import record_disclosure
from app.auth import policy
from app.auth.models import User
from app.directory.models import Agency
from app.encounters import services as encounters
from app.entries import events
from app.entries.clock import tick
from app.entries.outcomes import (
    Entry,
    Outcome,
    Refused,
    Writer,
    conflict,
    created,
    missing,
    rejected,
)
from app.entries.store import apply_changes, store_once
from app.entries.times import earlier_than_allowed
from app.extensions import db
from app.people import services as people
from app.people.models import Person
from app.records import as_utc, local_day, utcnow
from app.referrals import deadlines, lifecycle
from app.referrals.models import Referral, ReferralEvent
from app.referrals.schemas import ReferralSchema

_schema = ReferralSchema(exclude=("history", "person"))
_full_schema = ReferralSchema()


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """Oversight all; the receiving agency's navigators; the referring team and the referrer."""
    if policy.is_oversight(user):
        return sa.true()
    condition = Referral.author_id == user.id
    if user.team_id is not None:
        condition = condition | (Referral.team_id == user.team_id)
    if user.role == "navigator" and user.agency_id is not None:
        condition = condition | (Referral.agency_id == user.agency_id)
    return condition


def find_visible(user: User, referral_id: str, *, for_update: bool = False) -> Referral | None:
    statement = sa.select(Referral).where(Referral.id == referral_id, visible_clause(user))
    if for_update:
        statement = statement.with_for_update()
    return db.session.scalar(statement)


_REFERRAL_FIELDS = tuple(_schema.fields)
_DERIVED_FIELDS = frozenset({"due_at", "overdue"})  # computed from the deadline rules, not stored


def view(referral: Referral, user: User, *, with_person: bool = True) -> dict[str, Any]:
    """A referral with its history (and the person as this user may see them), for a schema."""
    body: dict[str, Any] = {name: getattr(referral, name) for name in _REFERRAL_FIELDS
                            if name not in _DERIVED_FIELDS}
    body["due_at"] = deadlines.deadline(referral.urgency, referral.made_at)
    body["overdue"] = deadlines.is_overdue(referral.status, referral.urgency, referral.made_at, utcnow())
    body["history"] = list(db.session.scalars(
        sa.select(ReferralEvent).where(ReferralEvent.referral_id == referral.id).order_by(ReferralEvent.version)))
    if with_person:
        person = db.session.get(Person, referral.person_id)
        body["person"] = people.present(person, user) if person is not None else None
    return body


def present(referral: Referral, user: User, *, with_person: bool = True) -> dict[str, Any]:
    """The same, serialized: for sync answers and the changes feed."""
    return _full_schema.dump(view(referral, user, with_person=with_person))


def search(user: User, *, status: str | None = None, agency_id: int | None = None,
           overdue: bool | None = None) -> list[Referral]:
    statement = sa.select(Referral).where(visible_clause(user))
    if overdue is not None:
        past_deadline = deadlines.overdue_clause(utcnow())
        statement = statement.where(past_deadline if overdue else sa.not_(past_deadline))
    if status:
        statement = statement.where(Referral.status == status)
    if agency_id:
        statement = statement.where(Referral.agency_id == agency_id)
    return list(db.session.scalars(statement.order_by(Referral.made_at.desc()).limit(500)))


def changed_since(user: User, since: int, upto: int) -> list[Referral]:
    return list(db.session.scalars(
        sa.select(Referral).where(visible_clause(user), Referral.change_seq > since, Referral.change_seq <= upto)
        .order_by(Referral.change_seq, Referral.id)))


def ids_for_person(user: User, person_id: str) -> list[str]:
    return [str(i) for i in db.session.scalars(
        sa.select(Referral.id).where(Referral.person_id == person_id, visible_clause(user))
        .order_by(Referral.made_at))]


# --- new referrals ---------------------------------------------------------------------------

def ingest(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """Store new referrals once each; alert the agency and record consented disclosures."""
    user = writer.user
    known_persons = people.writable_ids(user, {e.data["person_id"] for e in entries})
    agency_ids = {e.data["agency_id"] for e in entries}
    active_agencies = set(db.session.scalars(
        sa.select(Agency.id).where(Agency.id.in_(agency_ids), Agency.active.is_(True))))
    known_encounters = encounters.visible_ids(user, {e.data["encounter_id"] for e in entries
                                                     if e.data.get("encounter_id")})
    may_consent = _identity_seen(user, {e.data["person_id"] for e in entries
                                        if e.data["consent_obtained"] and e.data["person_id"] in known_persons})
    seq = tick()
    outcomes: list[Outcome | None] = []
    accepted: list[Entry] = []
    for entry in entries:
        data = entry.data
        if data["person_id"] not in known_persons:
            outcomes.append(missing("person_id", "person"))
        elif data["consent_obtained"] and data["person_id"] not in may_consent:
            outcomes.append(consent_refused())
        elif data["agency_id"] not in active_agencies:
            outcomes.append(missing("agency_id", "partner agency"))
        elif data.get("encounter_id") and data["encounter_id"] not in known_encounters:
            outcomes.append(missing("encounter_id", "encounter"))
        else:
            outcomes.append(None)
            accepted.append(entry)
    rows = [_new_row(e, writer, seq) for e in accepted]
    stored = iter(store_once(Referral, accepted, rows, lambda r: _present_if_visible(r, user),
                             on_created=lambda e: _after_create(e, user)))
    return [outcome if outcome is not None else next(stored) for outcome in outcomes]


def consent_refused() -> Outcome:
    return rejected(
        "forbidden", "Only someone who can see who this person is may record their consent to share it.",
        {"consent_obtained": ["You see this person without their identity: make the referral without consent, "
                              "or ask a colleague who knows the person."]})


def _identity_seen(user: User, person_ids: set[str]) -> set[str]:
    """The persons whose identity this user sees: only they may record consent to share it."""
    if not person_ids:
        return set()
    persons = db.session.scalars(sa.select(Person).where(Person.id.in_(person_ids)))
    return {str(p.id) for p in persons if people.identity_seen_for_writing(user, p)}


def _new_row(entry: Entry, writer: Writer, seq: int) -> dict[str, Any]:
    data = entry.data
    made_at = data.get("made_at") or writer.now
    return {
        "id": entry.id, "person_id": data["person_id"], "agency_id": data["agency_id"],
        "encounter_id": data.get("encounter_id"), "service": data["service"], "urgency": data["urgency"],
        "consent_obtained": data["consent_obtained"], "notes": data.get("notes"), "status": "pending",
        "version": 1, "made_at": made_at, "made_on": local_day(made_at), "updated_at": writer.now,
        "author_id": writer.user.id, "team_id": writer.user.team_id, "device_id": writer.device_id,
        "received_at": writer.now, "entry_hash": entry.hash, "change_seq": seq,
    }


def _after_create(entry: Entry, user: User) -> Outcome:
    data = entry.data
    if data["consent_obtained"]:
        person = db.session.get(Person, data["person_id"])
        shown = people.identifying_fields_held(person) if person is not None else []
        record_disclosure(person_id=data["person_id"], agency_id=data["agency_id"], referral_id=entry.id,
                          disclosed_by=user.id, fields=shown, consent_basis="referral_consent")
    events.referral_created.send(entry.id, version=1)
    return created()


def _present_if_visible(referral: Referral, user: User) -> dict[str, Any] | None:
    return _present_if_visible_id(str(referral.id), user)


def _present_if_visible_id(referral_id: str, user: User) -> dict[str, Any] | None:
    referral = find_visible(user, referral_id)
    return present(referral, user) if referral is not None else None


# --- status changes --------------------------------------------------------------------------

def change_status(user: User, referral_id: str, *, status: str, note: str | None, base_version: int | None,
                  at: datetime, entry_id: str | None = None, entry_hash: str | None = None) -> Referral:
    """Apply one lifecycle move. Raises Refused with the outcome to report otherwise.

    A stale base_version is fine while the move is still legal from the current status; when it
    no longer is, the caller is told `conflict` with the current referral.
    """
    referral = find_visible(user, referral_id, for_update=True)
    if referral is None:
        raise Refused(missing("referral_id", "referral"))
    if not _may_move(user, referral, status):
        raise Refused(rejected("forbidden", "Your role cannot make this change to the referral."))
    if not lifecycle.LIFECYCLE.is_legal(referral.status, status):
        if base_version is not None and base_version != referral.version:
            raise Refused(conflict(present(referral, user)))
        allowed = ", ".join(lifecycle.LIFECYCLE.allowed(referral.status)) or "none"
        raise Refused(rejected(
            "invalid_transition", f"A {referral.status} referral cannot become {status} (allowed: {allowed}).",
            {"status": [f"Not allowed from {referral.status}."]}))
    _refuse_out_of_order(referral, at)
    referral.version += 1
    db.session.add(ReferralEvent(entry_id=entry_id, entry_hash=entry_hash, referral_id=referral.id,
                                 from_status=referral.status, to_status=status, version=referral.version,
                                 note=note, actor_id=user.id, at=at))
    referral.status = status
    referral.updated_at = at
    referral.change_seq = tick()
    if status == "accepted":
        referral.accepted_at = at
        referral.accepted_on = local_day(at)
    elif status == "completed":
        referral.completed_on = local_day(at)
    db.session.flush()
    events.referral_moved.send(referral, status=status)
    return referral


def _refuse_out_of_order(referral: Referral, at: datetime) -> None:
    """A change dated before the referral was made or before its latest change (beyond the clock-skew
    allowance) would put its history out of order: refused validation_error, on /sync as over REST."""
    last_change = db.session.scalar(
        sa.select(sa.func.max(ReferralEvent.at)).where(ReferralEvent.referral_id == referral.id))
    latest = max(referral.made_at, as_utc(last_change)) if last_change is not None else referral.made_at
    if earlier_than_allowed(at, latest):
        raise Refused(rejected(
            "validation_error", "The change is dated before the referral was made or last changed: check the "
            "device's clock.", {"occurred_at": [f"Must not be before {latest.isoformat()}."]}))


def _may_move(user: User, referral: Referral, status: str) -> bool:
    if status in lifecycle.AGENCY_MOVES:
        return policy.receives_referral(user, referral.agency_id)
    return (policy.is_oversight(user) or referral.author_id == user.id
            or policy.same_team(user, referral.team_id))


def ingest_updates(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """referral_update entries, one at a time in order (each may depend on the one before)."""
    return apply_changes(entries, writer, history=ReferralEvent, record_field="referral_id",
                         present=_present_if_visible_id, change=lambda entry: change_status(
                             writer.user, entry.data["referral_id"], status=entry.data["status"],
                             note=entry.data.get("note"), base_version=entry.data.get("base_version"),
                             at=entry.data.get("occurred_at") or writer.now, entry_id=entry.id,
                             entry_hash=entry.hash))


def for_person(user: User, person_id: str) -> list[Referral]:
    """The person's referrals the user may see, oldest first (a case timeline)."""
    return list(db.session.scalars(
        sa.select(Referral).where(Referral.person_id == person_id, visible_clause(user))
        .order_by(Referral.made_at, Referral.id)))


def repoint_person(duplicate_id: str, kept_id: str, seq: int) -> None:
    """A merge: the duplicate's referrals name the kept person, with the merge's change number."""
    db.session.execute(sa.update(Referral).where(Referral.person_id == duplicate_id)
                       .values(person_id=kept_id, change_seq=seq))
