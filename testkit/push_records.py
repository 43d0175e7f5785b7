"""Persons, referrals and subscriptions made directly, for push tests that should not depend on /sync."""

from __future__ import annotations

import uuid

from app import jobs
from app.auth.models import User
from app.directory.models import Agency
from app.extensions import db
from app.people.models import Person
from app.push import alerts, services
from app.records import local_day, utcnow
from app.referrals.models import Referral, ReferralEvent

# Details that identify a person: none of them may ever appear in a push message.
IDENTITY = {"display_name": "Sparrow Quillfeather", "given_name": "Marguerite", "family_name": "Okonkwo-Lindqvist",
            "description": "red parka, scar across the left hand", "birth_year": 1961}


def make_person(author: User, **fields) -> Person:
    person = Person(id=str(uuid.uuid4()), author_id=author.id, team_id=author.team_id,
                    **({"display_name": "Sparrow"} | fields))
    db.session.add(person)
    db.session.flush()
    return person


def make_referral(author: User, person: Person, agency: Agency, *, service: str = "housing",
                  urgency: str = "urgent", notes: str | None = None) -> Referral:
    now = utcnow()
    referral = Referral(id=str(uuid.uuid4()), author_id=author.id, team_id=author.team_id, person_id=person.id,
                        agency_id=agency.id, service=service, urgency=urgency, notes=notes, status="pending",
                        version=1, made_at=now, made_on=local_day(now), updated_at=now)
    db.session.add(referral)
    db.session.flush()
    return referral


def move_referral(referral: Referral, actor: User, status: str, note: str | None = None) -> ReferralEvent:
    """A status change as the referral service records it: a new version and its event."""
    referral.version += 1
    event = ReferralEvent(referral_id=referral.id, from_status=referral.status, to_status=status,
                          version=referral.version, note=note, actor_id=actor.id, at=utcnow())
    referral.status = status
    if status == "completed":
        referral.completed_on = local_day(event.at)
    db.session.add(event)
    db.session.flush()
    return event


def subscribe(user: User, receiver):
    """Subscribe a new browser of the receiver for `user`, as POST /push/subscriptions would."""
    device = receiver.new_device()
    keys = device.subscription()["keys"]
    services.subscribe(user, device.endpoint, keys["p256dh"], keys["auth"])
    return device


def new_referral(world, **details) -> Referral:
    """The officer refers a person to the agency; the alert is announced and the transaction committed."""
    person = make_person(world.officer, **IDENTITY)
    referral = make_referral(world.officer, person, world.agency, **details)
    alerts.announce("referral.created", referral.id, 1)
    jobs.commit()
    return referral
