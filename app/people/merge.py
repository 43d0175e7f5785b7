"""Merging a duplicate person into the person kept: records re-pointed, names kept as aliases, the
duplicate left as a pointer (merged_into) with no identifying fields. One transaction: the request's."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.services import record
from app.auth.models import User
from app.cases import services as cases
from app.encounters import services as encounters
from app.entries import events
from app.entries.clock import tick
from app.entries.outcomes import Refused, missing, rejected
from app.extensions import db
from app.people import services
from app.people.models import Person, PersonChange
from app.people.schemas import MAX_ALIASES
from app.records import utcnow
from app.referrals import services as referrals
from app.tables import situations

ALIAS_LENGTH = 80
# What the duplicate loses: who the person is (the identifying fields, and gender).
CLEARED = (*services.IDENTIFYING_FIELDS, "gender")


def merge(user: User, kept_id: str, duplicate_id: str) -> Person:
    """Merge `duplicate_id` into `kept_id` (raises Refused: validation_error, not_found, conflict)."""
    if kept_id == duplicate_id:
        raise Refused(rejected("validation_error", "A person cannot be merged into themselves.",
                               {"duplicate_id": ["Is the person kept."]}))
    # Locked in id order, so two merges of the same pair cannot deadlock.
    locked = {str(p.id): p for p in db.session.scalars(
        sa.select(Person).where(Person.id.in_({kept_id, duplicate_id}), services.visible_clause(user))
        .order_by(Person.id).with_for_update())}
    kept, duplicate = locked.get(kept_id), locked.get(duplicate_id)
    if kept is None:
        raise Refused(missing("kept_id", "person"))
    if duplicate is None:
        raise Refused(missing("duplicate_id", "person"))
    if kept.merged_into is not None or duplicate.merged_into is not None:
        raise Refused(rejected("validation_error", "This person was already merged into another.",
                               {("kept_id" if kept.merged_into else "duplicate_id"): ["Already merged."]}))
    if cases.has_open_case(kept_id) and cases.has_open_case(duplicate_id):
        raise Refused(rejected("conflict", "Both people have an open case: close one before merging them."))
    seq = tick()
    encounters.repoint_person(duplicate_id, kept_id)
    referrals.repoint_person(duplicate_id, kept_id, seq)
    cases.repoint_person(duplicate_id, kept_id, seq)
    situations.repoint_person(duplicate_id, kept_id)
    # Earlier merges into the duplicate now point at the kept person (no chains to follow).
    db.session.execute(sa.update(Person).where(Person.merged_into == duplicate_id)
                       .values(merged_into=kept_id, change_seq=seq))
    now = utcnow()
    new_aliases = merged_aliases(kept, duplicate)
    kept_fields = ["aliases"] if new_aliases != kept.aliases else []
    kept.aliases = new_aliases
    kept.search_text = services.search_text({name: getattr(kept, name) for name in
                                             ("display_name", "given_name", "family_name", "aliases")})
    cleared = services.identifying_fields_held(duplicate) + (["gender"] if duplicate.gender else [])
    for name in CLEARED:
        setattr(duplicate, name, [] if name == "aliases" else None)
    duplicate.search_text = ""
    duplicate.merged_into = kept_id
    for person, fields in ((kept, kept_fields), (duplicate, [*cleared, "merged_into"])):
        person.version += 1
        person.change_seq = seq
        db.session.add(PersonChange(person_id=person.id, version=person.version, fields=sorted(fields),
                                    actor_id=user.id, at=now))
    db.session.flush()
    events.persons_merged.send(kept_id, duplicate_id=duplicate_id)
    # Ids only: the reason may name the person.
    record("person.merge", target_type="person", target_id=kept_id, duplicate_id=duplicate_id)
    return kept


def merged_aliases(kept: Person, duplicate: Person) -> list[str]:
    """The kept person's aliases, then the duplicate's names and aliases it does not hold yet (compared
    without case or surrounding space); the first MAX_ALIASES are kept, each cut to 80 characters."""
    aliases = list(kept.aliases or [])
    held = {_key(name) for name in (*_names(kept), *aliases)}
    for name in (*_names(duplicate), *(duplicate.aliases or [])):
        if len(aliases) >= MAX_ALIASES:
            break
        alias = name.strip()[:ALIAS_LENGTH]
        if alias and _key(alias) not in held:
            aliases.append(alias)
            held.add(_key(alias))
    return aliases


def _names(person: Person) -> list[str]:
    full = " ".join(part for part in (person.given_name, person.family_name) if part)
    return [name for name in (person.display_name, full) if name]


def _key(name: str) -> str:
    return " ".join(name.lower().split())
