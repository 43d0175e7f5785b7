"""Case management: accepting a person into a case, and who may see cases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.auth.models import User
from app.cases.models import Case
from app.cases.schemas import CaseSchema
from app.extensions import db
from app.ingest import Entry, Outcome, Writer, conflict, missing, rejected, store_once
from app.people import services as people
from app.records import local_day
from app.referrals import services as referrals
from app.sync.clock import tick

_schema = CaseSchema()


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """Oversight all; navigators their agency's cases and those they lead; officers their team's."""
    if policy.is_oversight(user):
        return sa.true()
    condition = (Case.author_id == user.id) | (Case.lead_user_id == user.id)
    if user.role == "navigator" and user.agency_id is not None:
        condition = condition | (Case.agency_id == user.agency_id)
    if user.role == "officer" and user.team_id is not None:
        condition = condition | (Case.team_id == user.team_id)
    return condition


def present(case: Case) -> dict[str, Any]:
    return _schema.dump(case)


def find_visible(user: User, case_id: str) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.id == case_id, visible_clause(user)))


def ids_for_person(user: User, person_id: str) -> list[str]:
    return [str(i) for i in db.session.scalars(
        sa.select(Case.id).where(Case.person_id == person_id, visible_clause(user)).order_by(Case.opened_at))]


def changed_since(user: User, since: int, upto: int) -> list[Case]:
    return list(db.session.scalars(
        sa.select(Case).where(visible_clause(user), Case.change_seq > since, Case.change_seq <= upto)
        .order_by(Case.change_seq, Case.id)))


def _open_case_of(person_id: str) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.person_id == person_id, Case.status == "open"))


def ingest(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """Open cases, one entry at a time: a person has at most one open case."""
    user = writer.user
    seq = tick()
    outcomes = []
    for entry in entries:
        data = entry.data
        if people.find_visible(user, data["person_id"]) is None:
            outcomes.append(missing("person_id", "person"))
            continue
        referral = None
        if data.get("referral_id"):
            referral = referrals.find_visible(user, data["referral_id"])
            if referral is None:
                outcomes.append(missing("referral_id", "referral"))
                continue
            if referral.status not in ("accepted", "completed"):
                outcomes.append(rejected("validation_error", "Accept the referral before opening a case from it.",
                                         {"referral_id": [f"The referral is {referral.status}."]}))
                continue
        lead = db.session.get(User, data["lead_user_id"]) if data.get("lead_user_id") else user
        if lead is None or not lead.active:
            outcomes.append(missing("lead_user_id", "lead user"))
            continue
        existing = db.session.get(Case, entry.id)
        open_case = _open_case_of(data["person_id"])
        if existing is None and open_case is not None:
            outcomes.append(conflict(present(open_case) if find_visible(user, str(open_case.id)) else None))
            continue
        opened_at = data.get("opened_at") or writer.now
        row = {
            "id": entry.id, "person_id": data["person_id"], "referral_id": data.get("referral_id"),
            "lead_user_id": lead.id, "agency_id": referral.agency_id if referral else lead.agency_id,
            "program": data.get("program"), "notes": data.get("notes"), "status": "open",
            "opened_at": opened_at, "opened_on": local_day(opened_at), "author_id": user.id,
            "team_id": user.team_id, "device_id": writer.device_id, "received_at": writer.now,
            "entry_hash": entry.hash, "change_seq": seq,
        }
        outcomes.extend(store_once(Case, [entry], [row],
                                   lambda c: present(c) if find_visible(user, str(c.id)) else None))
    return outcomes
