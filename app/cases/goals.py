"""Goals of a case plan: setting them, moving them set → in progress → met | dropped, and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.cases import services as cases
from app.cases.models import Case, CaseGoal, CaseGoalEvent
from app.cases.schemas import GoalSchema
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
from app.entries.store import apply_changes, replayed, store_once
from app.extensions import db
from app.records import local_day

LIFECYCLE = Lifecycle({"set": {"in_progress", "met", "dropped"}, "in_progress": {"met", "dropped"},
                       "met": (), "dropped": ()})

_schema = GoalSchema()


def history(goal_ids: list[str]) -> dict[str, list[CaseGoalEvent]]:
    """Every status change of these goals in the order applied, by goal id."""
    found: dict[str, list[CaseGoalEvent]] = {goal_id: [] for goal_id in goal_ids}
    if goal_ids:
        for event in db.session.scalars(sa.select(CaseGoalEvent).where(CaseGoalEvent.goal_id.in_(goal_ids))
                                        .order_by(CaseGoalEvent.id)):
            found[str(event.goal_id)].append(event)
    return found


def for_case(case_id: str) -> list[CaseGoal]:
    return list(db.session.scalars(sa.select(CaseGoal).where(CaseGoal.case_id == case_id)
                                   .order_by(CaseGoal.set_on, CaseGoal.received_at, CaseGoal.id)))


def view(goal: CaseGoal, events: list[CaseGoalEvent] | None = None) -> dict[str, Any]:
    """A goal with its history, for GoalSchema."""
    body = {name: getattr(goal, name) for name in _schema.fields if name != "history"}
    body["history"] = events if events is not None else history([str(goal.id)])[str(goal.id)]
    return body


def present(goal: CaseGoal) -> dict[str, Any]:
    return _schema.dump(view(goal))


def find_visible(user: User, goal_id: str, *, for_update: bool = False) -> CaseGoal | None:
    """A goal of a case the user may see."""
    statement = (sa.select(CaseGoal).join(Case, Case.id == CaseGoal.case_id)
                 .where(CaseGoal.id == goal_id, cases.visible_clause(user)))
    if for_update:
        statement = statement.with_for_update(of=CaseGoal).execution_options(populate_existing=True)
    return db.session.scalar(statement)


def find_in_case(user: User, case_id: str, goal_id: str) -> CaseGoal | None:
    """A goal by its case and id, as in /cases/<case_id>/goals/<goal_id>."""
    goal = find_visible(user, goal_id)
    return goal if goal is not None and str(goal.case_id) == case_id else None


def _present_if_visible(goal: CaseGoal, user: User) -> dict[str, Any] | None:
    return _present_if_visible_id(str(goal.id), user)


def _present_if_visible_id(goal_id: str, user: User) -> dict[str, Any] | None:
    goal = find_visible(user, goal_id)
    return present(goal) if goal is not None else None


# --- new goals ---------------------------------------------------------------------------------

def _goal_row(entry: Entry, writer: Writer) -> dict[str, Any]:
    data = entry.data
    cases.changeable_case(writer.user, data["case_id"])
    set_at = data.get("set_at") or writer.now
    set_on = local_day(set_at)
    if data.get("target_date") is not None and data["target_date"] < set_on:
        raise Refused(rejected("validation_error", "The target date is before the day the goal was set.",
                               {"target_date": ["Must not be before the day the goal is set."]}))
    return {
        "id": entry.id, "case_id": data["case_id"], "description": data["description"],
        "status": data.get("status") or "set", "set_on": set_on, "target_date": data.get("target_date"),
        "status_changed_at": set_at, "author_id": writer.user.id, "team_id": writer.user.team_id,
        "device_id": writer.device_id, "received_at": writer.now, "entry_hash": entry.hash, "change_seq": 0,
    }


def ingest(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """case_goal entries: a new goal on a case that is not closed, stored once per UUID."""
    user = writer.user
    outcomes = []
    for entry in entries:
        earlier = replayed(CaseGoal, entry, lambda g: _present_if_visible(g, user), user.id)
        if earlier is not None:
            outcomes.append(earlier)
            continue
        try:
            row = _goal_row(entry, writer)
        except Refused as refused:
            outcomes.append(refused.outcome)
            continue
        outcomes.extend(store_once(CaseGoal, [entry], [row], lambda g: _present_if_visible(g, user)))
    return outcomes


# --- status changes ----------------------------------------------------------------------------

def change_status(user: User, goal_id: str, *, status: str, note: str | None, at: datetime,
                  entry_id: str | None = None, entry_hash: str | None = None) -> CaseGoal:
    """Move a goal along its lifecycle, keeping the change in its history. Raises Refused otherwise."""
    goal = find_visible(user, goal_id, for_update=True)
    if goal is None:
        raise Refused(missing("goal_id", "goal"))
    if entry_id is not None:
        # The same update, delivered twice at once: the other delivery took the lock first.
        earlier = db.session.scalar(sa.select(CaseGoalEvent).where(CaseGoalEvent.entry_id == entry_id))
        if earlier is not None:
            raise Refused(answer_taken_id(earlier.entry_hash, entry_hash, lambda: present(goal),
                                          own=earlier.actor_id == user.id))
    cases.changeable_case(user, str(goal.case_id))
    if not LIFECYCLE.is_legal(goal.status, status):
        allowed = ", ".join(LIFECYCLE.allowed(goal.status)) or "none"
        raise invalid_transition(f"A goal that is {goal.status} cannot become {status} (allowed: {allowed}).",
                                 "status", f"Not allowed from {goal.status}.")
    db.session.add(CaseGoalEvent(entry_id=entry_id, entry_hash=entry_hash, goal_id=goal.id,
                                 from_status=goal.status, to_status=status, note=note, actor_id=user.id, at=at))
    goal.status = status
    goal.status_changed_at = at
    db.session.flush()
    return goal


def ingest_updates(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """case_goal_update entries, one at a time in order (each may depend on the one before)."""
    return apply_changes(entries, writer, history=CaseGoalEvent, record_field="goal_id",
                         present=_present_if_visible_id, change=lambda entry: change_status(
                             writer.user, entry.data["goal_id"], status=entry.data["status"],
                             note=entry.data.get("note"), at=entry.data.get("occurred_at") or writer.now,
                             entry_id=entry.id, entry_hash=entry.hash))
