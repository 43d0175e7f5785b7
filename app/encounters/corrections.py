"""Correcting encounters: an amendment sets some fields again (with a reason, as a new version), a void
takes the encounter out of every figure. Who may, what a stale base version means, the history kept.

Rules (docs/api.md, Records):
- the author or a supervisor corrects; anyone else who sees the encounter is refused `forbidden`,
  and one who does not see it `not_found`;
- an amendment made on an older version applies when none of the fields it sets changed since that
  version; otherwise `conflict` with the encounter in `current`;
- a voided encounter takes no more changes: an amendment or another void is refused
  `invalid_transition`, with the encounter in `current`;
- the entry's id is kept on its EncounterChange row (unique): a replay is `duplicate`.
The daily counts follow through `events.encounter_moved` (connected in app/wiring.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.directory.models import Site
from app.encounters import triage
from app.encounters.models import Encounter, EncounterChange
from app.encounters.schemas import AMENDABLE_FIELDS, kind_problems
from app.encounters.services import find_visible, present, visible_clause
from app.entries import events
from app.entries.outcomes import (
    Entry,
    Outcome,
    Refused,
    Writer,
    conflict,
    missing,
    rejected,
)
from app.entries.store import apply_changes
from app.extensions import db
from app.people import services as people
from app.records import local_day


def may_correct(user: User, encounter: Encounter) -> bool:
    """The author, or a supervisor (admins log no field entries)."""
    return encounter.author_id == user.id or user.role == "supervisor"


def _for_change(user: User, encounter_id: str) -> Encounter:
    """The encounter, locked for the change (PostgreSQL), or the refusal for who is asking."""
    encounter = db.session.scalar(
        sa.select(Encounter).where(Encounter.id == encounter_id, visible_clause(user))
        .with_for_update().execution_options(populate_existing=True))
    if encounter is None:
        raise Refused(missing("encounter_id", "encounter"))
    if not may_correct(user, encounter):
        raise Refused(rejected("forbidden", "Only the encounter's author or a supervisor may correct it."))
    if encounter.voided:
        raise Refused(Outcome("rejected", error={
            "code": "invalid_transition", "message": "This encounter was voided; it takes no more changes.",
            "fields": {"encounter_id": ["Voided."]}}, current=present(encounter)))
    return encounter


def _counted_as(encounter: Encounter) -> dict[str, Any]:
    """What the daily counts hold the encounter under (team and author never change), and whom and
    which call the distinct counts hold it for (app/stats/distinct.py)."""
    return {"occurred_on": encounter.occurred_on, "kind": encounter.kind, "team_id": encounter.team_id,
            "author_id": encounter.author_id, "person_id": encounter.person_id,
            "call_number": encounter.call_number}


def _changed_since(encounter_id: str, version: int) -> set[str]:
    """The names of the fields amendments after `version` set."""
    changed: set[str] = set()
    for names in db.session.scalars(sa.select(EncounterChange.fields).where(
            EncounterChange.encounter_id == encounter_id, EncounterChange.version > version)):
        changed.update(names)
    return changed


def _check_references(user: User, changes: dict[str, Any], current_site_id: int | None = None) -> None:
    person_id, site_id = changes.get("person_id"), changes.get("site_id")
    if person_id and not people.writable_ids(user, {person_id}):
        raise Refused(missing("person_id", "person"))
    site = db.session.get(Site, site_id) if site_id else None
    if site_id and (site is None or (not site.active and site_id != current_site_id)):  # no deactivated one anew
        raise Refused(missing("site_id", "site"))


def amend(user: User, encounter_id: str, data: dict[str, Any], *, entry_id: str, entry_hash: str,
          now: datetime) -> Encounter:
    """Apply one amendment (data: base_version, reason and the fields to set); raises Refused otherwise."""
    changes = {name: data[name] for name in AMENDABLE_FIELDS if name in data}
    if not changes:
        raise Refused(rejected("validation_error", "Name at least one field to change.",
                               {"_schema": ["An amendment sets at least one field of the encounter."]}))
    encounter = _for_change(user, encounter_id)
    base_version = data["base_version"]
    if base_version > encounter.version or (
            base_version < encounter.version and _changed_since(encounter_id, base_version) & set(changes)):
        raise Refused(conflict(present(encounter)))
    problems = kind_problems({"kind": encounter.kind, "call_number": encounter.call_number,
                              "site_id": encounter.site_id, **changes})
    if problems:
        raise Refused(rejected("validation_error", "Some fields are not valid: " + ", ".join(sorted(problems)) + ".",
                               problems))
    _check_references(user, changes, encounter.site_id)
    before = _counted_as(encounter)
    _set_fields(encounter, changes)
    encounter.version += 1
    db.session.add(EncounterChange(entry_id=entry_id, entry_hash=entry_hash, encounter_id=encounter.id,
                                   action="amend", version=encounter.version, reason=data["reason"],
                                   fields=sorted(changes), actor_id=user.id, at=now))
    db.session.flush()
    db.session.expire(encounter, ["amendments"])
    if _counted_as(encounter) != before:
        events.encounter_moved.send(encounter, before=before)
    return encounter


def _set_fields(encounter: Encounter, changes: dict[str, Any]) -> None:
    old_computed = encounter.triage_computed
    for name, value in changes.items():
        if name == "location":
            location = value or {}
            encounter.lat, encounter.lon = location.get("lat"), location.get("lon")
            encounter.accuracy_m = location.get("accuracy_m")
        elif name == "occurred_at":
            encounter.occurred_at, encounter.occurred_on = value, local_day(value)
        elif name != "triage_level":
            setattr(encounter, name, value)
    if "needs" in changes or "risk_flags" in changes:
        encounter.triage_computed = triage.level_for(encounter.needs, encounter.risk_flags)
    if "triage_level" in changes:
        encounter.triage_level = changes["triage_level"] or encounter.triage_computed
    elif encounter.triage_level == old_computed:
        # The level was the rules' own: it follows them; a level the officer chose stays.
        encounter.triage_level = encounter.triage_computed


def void(user: User, encounter_id: str, reason: str, *, entry_id: str, entry_hash: str, now: datetime) -> Encounter:
    """Void an encounter (it counts nowhere from now on); raises Refused otherwise."""
    encounter = _for_change(user, encounter_id)
    before = _counted_as(encounter)
    encounter.voided, encounter.void_reason = True, reason
    encounter.version += 1
    db.session.add(EncounterChange(entry_id=entry_id, entry_hash=entry_hash, encounter_id=encounter.id,
                                   action="void", version=encounter.version, reason=reason, fields=[],
                                   actor_id=user.id, at=now))
    db.session.flush()
    events.encounter_moved.send(encounter, before=before)
    return encounter


def _present_if_visible(encounter_id: str, user: User) -> dict[str, Any] | None:
    encounter = find_visible(user, encounter_id)
    return present(encounter) if encounter is not None else None


def ingest_amendments(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """encounter_amend entries, one at a time in order (each may build on the one before)."""
    return apply_changes(entries, writer, history=EncounterChange, record_field="encounter_id",
                         present=_present_if_visible, change=lambda entry: amend(
                             writer.user, entry.data["encounter_id"], entry.data, entry_id=entry.id,
                             entry_hash=entry.hash, now=writer.now))


def ingest_voids(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """encounter_void entries, one at a time in order."""
    return apply_changes(entries, writer, history=EncounterChange, record_field="encounter_id",
                         present=_present_if_visible, change=lambda entry: void(
                             writer.user, entry.data["encounter_id"], entry.data["reason"], entry_id=entry.id,
                             entry_hash=entry.hash, now=writer.now))
