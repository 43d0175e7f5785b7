"""Case management: accepting a person into a case, who may see cases, and listing them."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.auth.models import User
from app.cases import window
from app.cases.models import Case
from app.cases.schemas import CaseSchema
from app.entries.clock import tick
from app.entries.outcomes import Entry, Outcome, Refused, Writer, conflict, invalid_transition, missing, rejected
from app.entries.store import replayed, store_once
from app.extensions import db
from app.pagination import paginate
from app.people import services as people
from app.records import local_day
from app.referrals import services as referrals

_schema = CaseSchema()


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """Oversight all; navigators their agency's cases and those they lead; officers their team's and
    those they are the lead officer of; everyone the cases they opened."""
    if policy.is_oversight(user):
        return sa.true()
    condition = (Case.author_id == user.id) | (Case.lead_user_id == user.id) | (Case.officer_id == user.id)
    if user.role == "navigator" and user.agency_id is not None:
        condition = condition | (Case.agency_id == user.agency_id)
    if user.role == "officer" and user.team_id is not None:
        condition = condition | (Case.team_id == user.team_id)
    return condition


def present(case: Case) -> dict[str, Any]:
    return _schema.dump(case)


def present_if_visible(case: Case, user: User) -> dict[str, Any] | None:
    return present(case) if find_visible(user, str(case.id)) is not None else None


def find_visible(user: User, case_id: str, *, for_update: bool = False) -> Case | None:
    statement = sa.select(Case).where(Case.id == case_id, visible_clause(user))
    if for_update:
        # Read the row as committed by whoever held the lock before us, not the session's copy.
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(statement)


def ids_for_person(user: User, person_id: str) -> list[str]:
    return [str(i) for i in db.session.scalars(
        sa.select(Case.id).where(Case.person_id == person_id, visible_clause(user)).order_by(Case.opened_at))]


def changed_since(user: User, since: int, upto: int) -> list[Case]:
    return list(db.session.scalars(
        sa.select(Case).where(visible_clause(user), Case.change_seq > since, Case.change_seq <= upto)
        .order_by(Case.change_seq, Case.id)))


def changeable_case(user: User, case_id: str) -> Case:
    """The case, visible to the user and not closed (goals, transitions and closure need that)."""
    case = find_visible(user, case_id, for_update=True)
    if case is None:
        raise Refused(missing("case_id", "case"))
    if case.status == "closed":
        raise invalid_transition("The case is closed: open a new case to work with the person again.",
                                 "case_id", "The case is closed.")
    return case


# --- lists -------------------------------------------------------------------------------------

def _review_due(today: date) -> sa.ColumnElement[bool]:
    return Case.review_due_on.is_not(None) & (Case.review_due_on <= today)


def due_clause(today: date) -> sa.ColumnElement[bool]:
    """Cases still open or transitioned whose review is due or whose tracking window has ended."""
    return (Case.status != "closed") & (_review_due(today) | (Case.tracking_until < today))


def summary(case: Case, today: date) -> dict[str, Any]:
    """A case with whether it needs attention today, for CaseSummarySchema."""
    body = {name: getattr(case, name) for name in _schema.fields}
    active = case.status != "closed"
    body["review_due"] = active and case.review_due_on is not None and case.review_due_on <= today
    body["window_ended"] = active and case.tracking_until < today
    return body


def search(user: User, *, today: date, status: str | None = None, due: bool | None = None,
           person_id: str | None = None, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """A page of the cases the user may see; with due=True the supervisor's list, soonest review first."""
    statement = sa.select(Case).where(visible_clause(user))
    if status:
        statement = statement.where(Case.status == status)
    if person_id:
        statement = statement.where(Case.person_id == person_id)
    order: tuple[Any, ...]
    if due is True:
        statement = statement.where(due_clause(today))
        order = (Case.review_due_on.asc().nulls_last(), Case.tracking_until, Case.id)
    else:
        if due is False:
            statement = statement.where(~due_clause(today))
        order = (Case.opened_at.desc(), Case.id)
    found = paginate(statement.order_by(*order), page, per_page)
    return {**found, "items": [summary(c, today) for c in found["items"]]}


# --- intake ------------------------------------------------------------------------------------

def has_open_case(person_id: str) -> bool:
    return _open_case_of(person_id) is not None


def repoint_person(duplicate_id: str, kept_id: str, seq: int) -> None:
    """A merge: the duplicate's cases name the kept person, with the merge's change number."""
    db.session.execute(sa.update(Case).where(Case.person_id == duplicate_id).values(person_id=kept_id, change_seq=seq))


def _open_case_of(person_id: str) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.person_id == person_id, Case.status == "open"))


def active_user(user_id: int | None, field_name: str, what: str) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        raise Refused(missing(field_name, what))
    return user


def lead_officer(officer_id: int | None, field_name: str = "officer_id") -> User:
    officer = active_user(officer_id, field_name, "officer")
    if officer.role != "officer":
        raise Refused(rejected("validation_error", "The lead officer must be a user with the officer role.",
                               {field_name: ["Not an officer."]}))
    return officer


def _intake_row(entry: Entry, writer: Writer, seq: int, person_basis: str | None = None) -> dict[str, Any]:
    """The case row for an intake entry, after checking what it refers to (raises Refused).

    `person_basis`: the caller has established another basis for naming the person (`situation_table`:
    the writer's agency acts on a situation the table found met, app/tables/situations.py)."""
    user, data = writer.user, entry.data
    if person_basis is None and not people.writable_ids(user, {data["person_id"]}):
        raise Refused(missing("person_id", "person"))
    referral = None
    if data.get("referral_id"):
        referral = referrals.find_visible(user, data["referral_id"])
        if referral is None:
            raise Refused(missing("referral_id", "referral"))
        if str(referral.person_id) != str(data["person_id"]):
            raise Refused(rejected("validation_error", "This referral is for another person than the intake.",
                                   {"referral_id": ["This referral is for another person."]}))
        if referral.status not in ("accepted", "completed"):
            raise Refused(rejected("validation_error", "Accept the referral before opening a case from it.",
                                   {"referral_id": [f"The referral is {referral.status}."]}))
    lead = active_user(data["lead_user_id"], "lead_user_id", "lead user") if data.get("lead_user_id") else user
    officer = lead_officer(data["officer_id"]) if data.get("officer_id") else None
    if officer is None and user.role == "officer":
        officer = user
    opened_at = data.get("opened_at") or writer.now
    opened_on = local_day(opened_at)
    tracking_until = data.get("tracking_until") or window.default_tracking_until(opened_on)
    if tracking_until <= opened_on:
        raise Refused(rejected("validation_error", "The tracking window must end after the intake day.",
                               {"tracking_until": ["Must be after the intake day."]}))
    review_due_on = data["review_due_on"] if "review_due_on" in data else window.default_review_due_on(opened_on)
    return {
        "id": entry.id, "person_id": data["person_id"], "referral_id": data.get("referral_id"),
        "lead_user_id": lead.id, "officer_id": officer.id if officer else None,
        "agency_id": referral.agency_id if referral else lead.agency_id,
        "program": data.get("program"), "notes": data.get("notes"), "status": "open",
        "opened_at": opened_at, "opened_on": opened_on, "review_due_on": review_due_on,
        "tracking_until": tracking_until, "author_id": user.id, "team_id": user.team_id,
        "device_id": writer.device_id, "received_at": writer.now, "entry_hash": entry.hash, "change_seq": seq,
    }


def case_not_opened() -> Outcome:
    """The person has an open case this writer may not see: refuse without saying anything about it."""
    return rejected("forbidden", "A case cannot be opened for this person from your account; ask a supervisor.",
                    {"person_id": ["Ask a supervisor to open the case."]})


def ingest(entries: list[Entry], writer: Writer, *, person_basis: str | None = None) -> list[Outcome]:
    """Open cases, one entry at a time: a person has at most one open case. `person_basis` is never set
    by an entry (only by a service that checked its own basis for the writer to name the person)."""
    user = writer.user
    seq = tick()
    outcomes = []
    for entry in entries:
        earlier = replayed(Case, entry, lambda c: present_if_visible(c, user), user.id)
        if earlier is not None:
            outcomes.append(earlier)
            continue
        try:
            row = _intake_row(entry, writer, seq, person_basis)
        except Refused as refused:
            outcomes.append(refused.outcome)
            continue
        open_case = _open_case_of(entry.data["person_id"])
        if open_case is not None:
            shown = present_if_visible(open_case, user)
            outcomes.append(conflict(shown) if shown is not None else case_not_opened())
            continue
        outcomes.extend(store_once(Case, [entry], [row], lambda c: present_if_visible(c, user)))
    return outcomes
