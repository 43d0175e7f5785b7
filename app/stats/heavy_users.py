"""Heavy users of service: the people with the most encounters in a recent window, for case planning.

The criteria (window in days, minimum encounters) default to HEAVY_USER_DAYS and
HEAVY_USER_MIN_ENCOUNTERS from the app config (90 and 5) and can be set per request. Every call
is audited with the ids of the people shown, never their names.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.audit.services import record
from app.cases.models import Case
from app.encounters.models import Encounter
from app.extensions import db
from app.people.models import Person
from app.records import local_day, utcnow
from app.vocabulary import ENCOUNTER_KINDS

MAX_LISTED = 100


def heavy_users(days: int | None = None, min_encounters: int | None = None,
                limit: int = MAX_LISTED, team_id: int | None = None) -> dict[str, Any]:
    """People with at least `min_encounters` encounters (any kind) whose occurred_at is in the last `days`;
    with `team_id`, counting only that team's encounters.

    Ordered by encounters, then most recent contact; at most `limit` (≤ 100) people.
    """
    if days is None:
        days = current_app.config["HEAVY_USER_DAYS"]
    if min_encounters is None:
        min_encounters = current_app.config["HEAVY_USER_MIN_ENCOUNTERS"]
    limit = min(limit, MAX_LISTED)
    since = utcnow() - timedelta(days=days)
    people = _ranked(since, min_encounters, limit, team_id)
    person_ids = [row["person_id"] for row in people]
    names = dict(db.session.execute(
        sa.select(Person.id, Person.display_name).where(Person.id.in_(person_ids))).all())
    open_cases = set(db.session.scalars(
        sa.select(Case.person_id).where(Case.person_id.in_(person_ids), Case.status == "open")))
    for row in people:
        row["display_name"] = names.get(row["person_id"])
        row["open_case"] = row["person_id"] in open_cases
    detail: dict[str, Any] = {"days": days, "min_encounters": min_encounters, "listed": len(person_ids),
                              "person_ids": person_ids}
    if team_id is not None:
        detail["team_id"] = team_id
    record("stats.heavy_users", target_type="person", **detail)
    return {"days": days, "min_encounters": min_encounters, "since": since, "people": people}


def _ranked(since, min_encounters: int, limit: int, team_id: int | None = None) -> list[dict[str, Any]]:
    total = sa.func.count().label("total")
    last_contact = sa.func.max(Encounter.occurred_at).label("last_contact")
    per_kind = [sa.func.sum(sa.case((Encounter.kind == kind, 1), else_=0)) for kind in ENCOUNTER_KINDS]
    query = (
        sa.select(Encounter.person_id, total, last_contact, *per_kind)
        # The occurred_on bound is implied by the occurred_at one; it lets the day index narrow the scan.
        .where(Encounter.occurred_on >= local_day(since), Encounter.occurred_at >= since,
               Encounter.person_id.is_not(None), Encounter.voided.is_(False))
        .group_by(Encounter.person_id)
        .having(sa.func.count() >= min_encounters)
        .order_by(total.desc(), last_contact.desc(), Encounter.person_id)
        .limit(limit)
    )
    if team_id is not None:
        query = query.where(Encounter.team_id == team_id)
    people = []
    for person_id, count, last, *kinds in db.session.execute(query):
        people.append({"person_id": person_id, "encounters": int(count), "last_contact": last,
                       "by_kind": {kind: int(n or 0) for kind, n in zip(ENCOUNTER_KINDS, kinds, strict=True)}})
    return people
