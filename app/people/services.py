"""People: storing person entries, who may see whom, search, and identity masking for agencies."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.auth.models import User
from app.entries.clock import tick
from app.entries.outcomes import Entry, Outcome, Writer
from app.entries.store import store_once
from app.extensions import db
from app.people.models import Person
from app.people.schemas import PersonSchema
from app.referrals import queries as referral_queries

IDENTIFYING_FIELDS = ("display_name", "given_name", "family_name", "birth_year", "description", "aliases")


def visible_clause(user: User, *, by_name: bool = False) -> sa.ColumnElement[bool]:
    """SQL condition for the persons a user may see: oversight all; field staff their team's and
    their own; a navigator also the people referred to their agency (identity masked without consent).

    `by_name`: for name search, leave out the people an agency sees only through a referral, so a
    search cannot confirm a name the agency has no consent to know.
    """
    if policy.is_oversight(user):
        return sa.true()
    condition = Person.author_id == user.id
    if user.team_id is not None:
        condition = condition | (Person.team_id == user.team_id)
    if user.role == "navigator" and user.agency_id is not None and not by_name:
        condition = condition | Person.id.in_(referral_queries.persons_referred_to(user.agency_id))
    return condition


def find_visible(user: User, person_id: str, *, for_update: bool = False) -> Person | None:
    statement = sa.select(Person).where(Person.id == person_id, visible_clause(user))
    if for_update:
        statement = statement.with_for_update()
    return db.session.scalar(statement)


def visible_ids(user: User, person_ids: set[str]) -> set[str]:
    if not person_ids:
        return set()
    return {str(i) for i in db.session.scalars(
        sa.select(Person.id).where(Person.id.in_(person_ids), visible_clause(user)))}


def writable_ids(user: User, person_ids: set[str]) -> set[str]:
    """The persons this user may name in an entry: those they see, and the person kept by a merge of a
    duplicate they see (their phone held the duplicate, or re-pointed it to the kept person after
    /sync/changes). Writing against a kept person shows the writer nothing of them: reads and
    conflict answers still go through `visible_clause`."""
    seen = visible_ids(user, person_ids)
    unseen = person_ids - seen
    if unseen:
        seen |= {str(i) for i in db.session.scalars(
            sa.select(Person.merged_into).where(Person.merged_into.in_(unseen), visible_clause(user)).distinct())}
    return seen


def duplicates_seen(user: User, person_id: str) -> list[Person]:
    """The persons merged into `person_id` that this user sees (what lets them write against it)."""
    return list(db.session.scalars(sa.select(Person).where(Person.merged_into == person_id, visible_clause(user))))


def identity_seen_for_writing(user: User, person: Person) -> bool:
    """May this user set who `person` is (or record consent to share it)? When they see the person's
    identity, or that of a duplicate merged into them (the one the writer's phone knew)."""
    return identity_visible(user, person) or any(identity_visible(user, d) for d in duplicates_seen(user, str(person.id)))


def by_ids(person_ids: set[str]) -> dict[str, Person]:
    """Persons by id, for a reader who sees everyone (oversight)."""
    if not person_ids:
        return {}
    return {str(p.id): p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(person_ids)))}


def identity_visible(user: User, person: Person) -> bool:
    """Names go to a partner agency only with consent (the person's, or the referral's)."""
    if policy.sees_identity_without_consent(user, team_id=person.team_id, author_id=person.author_id):
        return True
    if user.agency_id is None:
        return False
    return bool(person.consent_to_share) or referral_queries.agency_has_consent(str(person.id), user.agency_id)


def identifying_fields_held(person: Person) -> list[str]:
    """The identifying fields this person's record fills in: what a disclosure releases."""
    return [name for name in IDENTIFYING_FIELDS if getattr(person, name) not in (None, [])]


_PERSON_FIELDS = tuple(PersonSchema().fields)


def view(person: Person, user: User) -> dict[str, Any]:
    """A person as this user may see them (identifying fields None without consent), for a schema."""
    shared = identity_visible(user, person)
    body = {name: getattr(person, name, None) for name in _PERSON_FIELDS}
    body["identity_shared"] = shared
    if not shared:
        for name in IDENTIFYING_FIELDS:
            body[name] = None
    return body


def present(person: Person, user: User) -> dict[str, Any]:
    """The same, serialized: for embedding in sync answers and the changes feed."""
    return PersonSchema().dump(view(person, user))


def search_text(data: dict[str, Any]) -> str:
    """What a name search matches: names and aliases, lower-cased."""
    parts = [data.get("display_name"), data.get("given_name"), data.get("family_name"), *(data.get("aliases") or [])]
    return " ".join(p.strip().lower() for p in parts if p)[:1400]


def ingest(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """Store person entries once each (bulk insert-or-ignore keyed by the phone's UUID)."""
    seq = tick()
    rows = []
    for entry in entries:
        data = entry.data
        rows.append({
            "id": entry.id, "display_name": data["display_name"], "given_name": data.get("given_name"),
            "family_name": data.get("family_name"), "birth_year": data.get("birth_year"),
            "gender": data.get("gender"), "description": data.get("description"),
            "aliases": data.get("aliases") or [], "version": 1,
            "consent_to_share": data.get("consent_to_share", False),
            "consent_recorded_at": data.get("consent_recorded_at")
            or (writer.now if data.get("consent_to_share") else None),
            "search_text": search_text(data), "author_id": writer.user.id, "team_id": writer.user.team_id,
            "device_id": writer.device_id, "received_at": writer.now, "entry_hash": entry.hash,
            "change_seq": seq,
        })
    return store_once(Person, entries, rows, lambda p: present_if_visible(p, writer.user))


def present_if_visible(person: Person, user: User) -> dict[str, Any] | None:
    """The person for a conflict answer, only to someone who sees them in full (identity included)."""
    if find_visible(user, str(person.id)) is None or not identity_visible(user, person):
        return None
    return present(person, user)


def search(user: User, query: str, limit: int) -> list[Person]:
    """Persons whose name or alias contains the words typed; within what the user may see."""
    statement = sa.select(Person).where(visible_clause(user, by_name=True), Person.merged_into.is_(None))
    for word in query.lower().split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Person.search_text.like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(statement.order_by(Person.display_name).limit(limit)))


def changed_since(user: User, since: int, upto: int) -> list[Person]:
    return list(db.session.scalars(
        sa.select(Person).where(visible_clause(user), Person.change_seq > since, Person.change_seq <= upto)
        .order_by(Person.change_seq, Person.id)))


def follow_merges(entries: list[Entry]) -> list[Entry]:
    """The one place a merged person's id is resolved: an entry whose `person_id` names a duplicate
    merged into another person is stored against the kept person (its hash, taken as sent, is kept,
    so a replay still answers duplicate). A merge re-points earlier merges, so one step is enough."""
    named = {pid for e in entries if isinstance(pid := e.data.get("person_id"), str)}
    if not named:
        return entries
    kept = {str(dup): str(into) for dup, into in db.session.execute(
        sa.select(Person.id, Person.merged_into).where(Person.id.in_(named), Person.merged_into.is_not(None)))}
    if not kept:
        return entries
    return [replace(e, data={**e.data, "person_id": kept[e.data["person_id"]]}, followed=(*e.followed, "person_id"))
            if e.data.get("person_id") in kept else e for e in entries]
