"""A case's lifecycle: open → transitioned (to a longer-term program) → closed, and open → closed;
also the changes a case takes while active (next review, lead officer, end of the tracking window)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.cases import services as cases
from app.cases.models import Case, CaseTransition
from app.cases.schemas import TransitionSchema
from app.directory.models import Agency
from app.entries.clock import tick
from app.entries.outcomes import (
    Entry,
    Outcome,
    Refused,
    Writer,
    answer_taken_id,
    invalid_transition,
    missing,
    rejected,
)
from app.entries.states import Lifecycle
from app.entries.store import apply_once, replayed, store_once
from app.extensions import db
from app.records import as_utc, local_day

# A transitioned case may be handed on again (a second program) before it closes.
LIFECYCLE = Lifecycle({"open": {"transitioned", "closed"}, "transitioned": {"transitioned", "closed"}, "closed": ()})

_transition_schema = TransitionSchema()


def present_transition(transition: CaseTransition) -> dict[str, Any]:
    return _transition_schema.dump(transition)


def transitions_for_case(case_id: str) -> list[CaseTransition]:
    return list(db.session.scalars(sa.select(CaseTransition).where(CaseTransition.case_id == case_id)
                                   .order_by(CaseTransition.transitioned_at, CaseTransition.id)))


def find_transition(user: User, transition_id: str) -> CaseTransition | None:
    """A transition of a case the user may see."""
    return db.session.scalar(sa.select(CaseTransition).join(Case, Case.id == CaseTransition.case_id)
                             .where(CaseTransition.id == transition_id, cases.visible_clause(user)))


def _case_for_move(user: User, case_id: str, target: str, *, entry_id: str | None = None,
                   entry_hash: str | None = None) -> Case:
    case = cases.find_visible(user, case_id, for_update=True)
    if case is None:
        raise Refused(missing("case_id", "case"))
    if entry_id is not None and str(case.closure_entry_id) == entry_id:
        # The same closure delivered twice at once: the other delivery took the row lock first.
        raise Refused(answer_taken_id(case.closure_entry_hash, entry_hash, lambda: cases.present(case),
                                      own=case.closed_by_id == user.id))
    if not LIFECYCLE.is_legal(case.status, target):
        raise invalid_transition(f"A {case.status} case cannot become {target}.", "case_id",
                                 f"The case is {case.status}.")
    return case


def _not_before_intake(case: Case, at, field_name: str) -> None:
    if as_utc(at) < case.opened_at:
        raise Refused(rejected("validation_error", "That time is before the case was opened.",
                               {field_name: ["Must not be before the intake."]}))


# --- transitions to a longer-term program ------------------------------------------------------

def _transition_row(entry: Entry, writer: Writer, seq: int) -> tuple[Case, dict[str, Any]]:
    data = entry.data
    case = _case_for_move(writer.user, data["case_id"], "transitioned")
    agency = db.session.get(Agency, data["agency_id"])
    if agency is None or not agency.active:
        raise Refused(missing("agency_id", "partner agency"))
    at = data.get("transitioned_at") or writer.now
    _not_before_intake(case, at, "transitioned_at")
    return case, {
        "id": entry.id, "case_id": data["case_id"], "agency_id": agency.id, "program": data["program"],
        "transitioned_at": at, "transitioned_on": local_day(at), "author_id": writer.user.id,
        "team_id": writer.user.team_id, "device_id": writer.device_id, "received_at": writer.now,
        "entry_hash": entry.hash, "change_seq": seq,
    }


def _transition_if_visible(transition: CaseTransition, user: User) -> dict[str, Any] | None:
    visible = find_transition(user, str(transition.id)) is not None
    return present_transition(transition) if visible else None


def ingest_transitions(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """case_transition entries: the case becomes transitioned; the transition is kept once per UUID."""
    user = writer.user
    seq = tick()
    outcomes = []
    for entry in entries:
        earlier = replayed(CaseTransition, entry, lambda t: _transition_if_visible(t, user), user.id)
        if earlier is not None:
            outcomes.append(earlier)
            continue
        try:
            case, row = _transition_row(entry, writer, seq)
        except Refused as refused:
            outcomes.append(refused.outcome)
            continue
        [outcome] = store_once(CaseTransition, [entry], [row], lambda t: _transition_if_visible(t, user))
        if outcome.status == "created":
            case.status = "transitioned"
            case.change_seq = seq
            db.session.flush()
        outcomes.append(outcome)
    return outcomes


# --- closure -----------------------------------------------------------------------------------

def close(user: User, case_id: str, *, reason: str, at, seq: int, entry_id: str | None = None,
          entry_hash: str | None = None) -> Case:
    """Close an open or transitioned case with a reason. Raises Refused otherwise."""
    case = _case_for_move(user, case_id, "closed", entry_id=entry_id, entry_hash=entry_hash)
    _not_before_intake(case, at, "closed_at")
    case.status = "closed"
    case.closed_at = at
    case.close_reason = reason
    case.closed_by_id = user.id
    case.closure_entry_id = entry_id
    case.closure_entry_hash = entry_hash
    case.change_seq = seq
    db.session.flush()
    return case


def ingest_closures(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """case_closure entries; the closure's UUID is kept on the case, so a replay is a duplicate."""
    user = writer.user
    seq = tick()
    outcomes = []
    for entry in entries:
        closed = db.session.scalar(sa.select(Case).where(Case.closure_entry_id == entry.id))
        if closed is not None:
            outcomes.append(answer_taken_id(closed.closure_entry_hash, entry.hash,
                                            partial(cases.present_if_visible, closed, user),
                                            own=closed.closed_by_id == user.id))
            continue
        data = entry.data
        outcomes.append(apply_once(partial(
            close, user, data["case_id"], reason=data["reason"], at=data.get("closed_at") or writer.now,
            seq=seq, entry_id=entry.id, entry_hash=entry.hash)))
    return outcomes


# --- changes while active (PATCH /cases/<id>) ----------------------------------------------------

def update(user: User, case_id: str, changes: dict[str, Any]) -> Case:
    """Set the next review date, the lead officer or the end of the tracking window of an active case."""
    seq = tick()
    case = cases.changeable_case(user, case_id)
    if "officer_id" in changes:
        officer_id = changes["officer_id"]
        case.officer_id = cases.lead_officer(officer_id).id if officer_id is not None else None
    if "review_due_on" in changes:
        case.review_due_on = changes["review_due_on"]
    if "tracking_until" in changes:
        tracking_until: date = changes["tracking_until"]
        if tracking_until <= case.opened_on:
            raise Refused(rejected("validation_error", "The tracking window must end after the intake day.",
                                   {"tracking_until": ["Must be after the intake day."]}))
        case.tracking_until = tracking_until
    case.change_seq = seq
    db.session.flush()
    return case
