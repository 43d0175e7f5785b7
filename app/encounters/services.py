"""Encounters: storing entries in bulk, who may see which, and listing them."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.auth.models import User
from app.directory import services as directory
from app.directory.models import Site
from app.encounters import triage
from app.encounters.models import Encounter
from app.encounters.schemas import EncounterSchema
from app.entries.outcomes import Entry, Outcome, Writer, missing
from app.entries.store import store_once
from app.extensions import db
from app.pagination import paginate
from app.people import services as people
from app.records import local_day

_schema = EncounterSchema()


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """Oversight sees every encounter; field staff their team's and their own."""
    if policy.is_oversight(user):
        return sa.true()
    condition = Encounter.author_id == user.id
    if user.team_id is not None:
        condition = condition | (Encounter.team_id == user.team_id)
    return condition


def present(encounter: Encounter) -> dict[str, Any]:
    return _schema.dump(encounter)


def find_visible(user: User, encounter_id: str) -> Encounter | None:
    return db.session.scalar(sa.select(Encounter).where(Encounter.id == encounter_id, visible_clause(user)))


def visible_ids(user: User, encounter_ids: set[str]) -> set[str]:
    if not encounter_ids:
        return set()
    return {str(i) for i in db.session.scalars(
        sa.select(Encounter.id).where(Encounter.id.in_(encounter_ids), visible_clause(user)))}


@lru_cache(maxsize=4096)
def _level_for(needs: tuple[str, ...], risk_flags: tuple[str, ...]) -> int:
    """triage.level_for, remembered: the rules are read once per process, and batches repeat combinations."""
    return triage.level_for(needs, risk_flags)


def _row(entry: Entry, writer: Writer) -> dict[str, Any]:
    data = entry.data
    computed = _level_for(tuple(data.get("needs", ())), tuple(data.get("risk_flags", ())))
    location = data.get("location") or {}
    return {
        "id": entry.id, "kind": data["kind"], "occurred_at": data["occurred_at"],
        "occurred_on": local_day(data["occurred_at"]), "person_id": data.get("person_id"),
        "call_number": data.get("call_number"), "site_id": data.get("site_id"),
        "needs": data.get("needs", []), "risk_flags": data.get("risk_flags", []),
        "outcome": data.get("outcome", []), "triage_computed": computed,
        "triage_level": data.get("triage_level") or computed,
        "lat": location.get("lat"), "lon": location.get("lon"), "accuracy_m": location.get("accuracy_m"),
        "duration_minutes": data.get("duration_minutes"), "description": data.get("description"),
        "notes": data.get("notes"), "author_id": writer.user.id, "team_id": writer.user.team_id,
        "device_id": writer.device_id, "received_at": writer.now, "entry_hash": entry.hash, "change_seq": 0,
    }


def ingest(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """Store encounter entries: references checked in one query each, rows inserted in bulk."""
    person_ids = {e.data["person_id"] for e in entries if e.data.get("person_id")}
    site_ids = {e.data["site_id"] for e in entries if e.data.get("site_id")}
    known_persons = people.writable_ids(writer.user, person_ids)
    # A deactivated site stays on the check-ins that name it, but no new one can.
    known_sites = set(db.session.scalars(sa.select(Site.id).where(Site.id.in_(site_ids), Site.active.is_(True)))) \
        if site_ids else set()

    outcomes: list[Outcome | None] = []
    accepted: list[Entry] = []
    for entry in entries:
        if entry.data.get("person_id") and entry.data["person_id"] not in known_persons:
            outcomes.append(missing("person_id", "person"))
        elif entry.data.get("site_id") and entry.data["site_id"] not in known_sites:
            outcomes.append(missing("site_id", "site"))
        else:
            outcomes.append(None)
            accepted.append(entry)
    stored = iter(store_once(Encounter, accepted, [_row(e, writer) for e in accepted],
                             lambda enc: present(enc) if find_visible(writer.user, str(enc.id)) else None,
                             ))
    return [outcome if outcome is not None else next(stored) for outcome in outcomes]


def search(user: User, *, from_=None, to=None, kind=None, person_id=None, team_id=None, author_id=None,
           include_voided: bool = False, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """A page of the encounters the user may see, newest first; voided ones only when asked for."""
    statement = sa.select(Encounter).where(visible_clause(user))
    if not include_voided:
        statement = statement.where(Encounter.voided.is_(False))
    if from_ is not None:
        statement = statement.where(Encounter.occurred_at >= from_)
    if to is not None:
        statement = statement.where(Encounter.occurred_at < to)
    if kind:
        statement = statement.where(Encounter.kind == kind)
    if person_id:
        statement = statement.where(Encounter.person_id == person_id)
    if team_id:
        statement = statement.where(Encounter.team_id == team_id)
    if author_id:
        statement = statement.where(Encounter.author_id == author_id)
    return paginate(statement.order_by(Encounter.occurred_at.desc(), Encounter.id), page, per_page)


def ids_for_person(user: User, person_id: str) -> list[str]:
    return [str(i) for i in db.session.scalars(
        sa.select(Encounter.id).where(Encounter.person_id == person_id, visible_clause(user))
        .order_by(Encounter.occurred_at))]


def for_person(user: User, person_id: str) -> list[Encounter]:
    """The person's encounters the user may see, oldest first (a case timeline)."""
    return list(db.session.scalars(
        sa.select(Encounter).where(Encounter.person_id == person_id, visible_clause(user))
        .order_by(Encounter.occurred_at, Encounter.id)))


def daily_counts_for_person(person_id: str, first_day: date, last_day: date) -> dict[date, int]:
    """Encounters with the person per local day in [first_day, last_day], every team's: a count of the
    draw on services (the heavy-users measure), which names no one and shows no content. A voided
    encounter counts nowhere."""
    rows = db.session.execute(
        sa.select(Encounter.occurred_on, sa.func.count()).where(
            Encounter.person_id == person_id, Encounter.occurred_on.between(first_day, last_day),
            Encounter.voided.is_(False))
        .group_by(Encounter.occurred_on))
    return {day: count for day, count in rows}


def daily_counts_for_people(person_ids: list[str], first_day: date,
                            last_day: date) -> dict[str, dict[date, int]]:
    """daily_counts_for_person for many people at once: {person_id: {day: encounters}}, one query per
    500 people (along ix_encounters_person_occurred)."""
    counts: dict[str, dict[date, int]] = {}
    for index in range(0, len(person_ids), 500):
        rows = db.session.execute(
            sa.select(Encounter.person_id, Encounter.occurred_on, sa.func.count()).where(
                Encounter.person_id.in_(person_ids[index:index + 500]),
                Encounter.occurred_on.between(first_day, last_day), Encounter.voided.is_(False))
            .group_by(Encounter.person_id, Encounter.occurred_on))
        for person_id, day, count in rows:
            counts.setdefault(str(person_id), {})[day] = count
    return counts


def triage_advice(needs: list[str], risk_flags: list[str]) -> dict[str, Any]:
    """The triage level the rules give, and the partner agencies serving the needs, best match first."""
    advice = triage.assess(needs, risk_flags)
    advice["suggested_agencies"] = [
        {"id": agency.id, "name": agency.name, "short_name": agency.short_name, "phone": agency.phone,
         "services": agency.services, "matched_needs": covered}
        for agency, covered in directory.agencies_for_needs(needs)]
    return advice


def repoint_person(duplicate_id: str, kept_id: str) -> None:
    """A merge: the duplicate's encounters name the kept person (not in the changes feed; the daily
    counts count encounters, not people, so they stay as they are)."""
    db.session.execute(sa.update(Encounter).where(Encounter.person_id == duplicate_id).values(person_id=kept_id))
