"""person_update entries: a person's fields replaced, versioned and kept in their history; consent
given later (written to the disclosure ledger) or withdrawn (the person masked again at once)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.audit.services import record_disclosure
from app.auth.models import User
from app.entries.clock import tick
from app.entries.outcomes import Entry, Outcome, Refused, Writer, conflict, missing, rejected
from app.entries.store import apply_changes
from app.extensions import db
from app.people import services
from app.people.models import Person, PersonChange
from app.referrals import queries as referral_queries

UPDATABLE = ("display_name", "given_name", "family_name", "birth_year", "gender", "description", "aliases",
             "consent_to_share", "consent_recorded_at")
# What someone who sees the person masked may not set: who the person is, and the consent to share it.
NEEDS_IDENTITY = (*services.IDENTIFYING_FIELDS, "consent_to_share", "consent_recorded_at")


def ingest_updates(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """person_update entries, one at a time in order (each may build on the one before)."""
    tick()  # the change number taken outside the per-entry savepoints, which may roll back
    return apply_changes(entries, writer, history=PersonChange, record_field="person_id",
                         present=_present_if_visible_id,
                         change=lambda entry: update(writer.user, entry, writer.now))


def update(user: User, entry: Entry, now: datetime) -> Person:
    """Apply one person_update, or raise Refused with the outcome to report."""
    data = entry.data
    person = services.find_visible(user, data["person_id"], for_update=True)
    # Seen only through a duplicate merged into them: the writer may change them, never read them.
    through_duplicate = person is None and bool(services.writable_ids(user, {data["person_id"]}))
    if through_duplicate:
        person = db.session.scalar(sa.select(Person).where(Person.id == data["person_id"]).with_for_update())
    if person is None:
        raise Refused(missing("person_id", "person"))
    changes = {name: data[name] for name in UPDATABLE if name in data}
    sees_identity = services.identity_seen_for_writing(user, person)
    if not sees_identity and (hidden := [name for name in changes if name in NEEDS_IDENTITY]):
        raise Refused(rejected(
            "forbidden", "Only someone who can see who this person is may change who they are or their consent.",
            {name: ["You see this person without their identity."] for name in hidden}))
    if "person_id" not in entry.followed and not through_duplicate:
        # An update naming a merged duplicate (or its kept person, re-pointed by the phone) carries the
        # duplicate's version, which the kept person never had: it applies as sent (docs/api.md, merging
        # duplicates). That also keeps the kept person out of any conflict answer to this writer.
        _refuse_stale(person, data["base_version"], set(changes), user, sees_identity)
    consent_before = person.consent_to_share
    if "consent_to_share" in changes and changes["consent_to_share"] != consent_before:
        changes.setdefault("consent_recorded_at", now)
    for name, value in changes.items():
        setattr(person, name, value)
    person.search_text = services.search_text({name: getattr(person, name) for name in
                                               ("display_name", "given_name", "family_name", "aliases")})
    person.version += 1
    person.change_seq = tick()
    db.session.add(PersonChange(entry_id=entry.id, entry_hash=entry.hash, person_id=person.id, version=person.version,
                                fields=sorted(changes), actor_id=user.id, at=now))
    db.session.flush()
    if person.consent_to_share and not consent_before:
        _disclose_to_referred_agencies(person, user)
    return person


def _refuse_stale(person: Person, base_version: int, setting: set[str], user: User, sees_identity: bool) -> None:
    """A stale base_version is fine while none of the fields it sets changed after that version."""
    if base_version == person.version:
        return
    changed_since: set[str] = set()
    if base_version < person.version:
        for names in db.session.scalars(sa.select(PersonChange.fields).where(
                PersonChange.person_id == person.id, PersonChange.version > base_version)):
            changed_since.update(names)
    else:
        changed_since = setting  # a version the server never gave out: nothing to build on
    if changed_since & setting:
        # In full only to someone who sees who the person is; anyone else learns only that it changed.
        raise Refused(conflict(services.present(person, user)) if sees_identity else rejected(
            "conflict", "This person changed since your copy; nothing was saved. Sync and try again."))


def _disclose_to_referred_agencies(person: Person, user: User) -> None:
    """Consent given now shows the person's identity to every agency they were referred to without it."""
    shown = services.identifying_fields_held(person)
    for agency_id in sorted(referral_queries.agencies_without_referral_consent(str(person.id))):
        record_disclosure(person_id=str(person.id), agency_id=agency_id, referral_id=None, disclosed_by=user.id,
                          fields=shown, consent_basis="person_consent")


def _present_if_visible_id(person_id: str, user: User) -> dict[str, Any] | None:
    person = services.find_visible(user, person_id)
    return services.present_if_visible(person, user) if person is not None else None


def history(person_id: str) -> list[PersonChange]:
    return list(db.session.scalars(
        sa.select(PersonChange).where(PersonChange.person_id == person_id).order_by(PersonChange.version)))
