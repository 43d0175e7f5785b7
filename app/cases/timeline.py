"""The case view: a case with its goals, notes and transitions, the person's timeline, and the
before/after measure of the draw on services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.auth.models import User
from app.cases import goals, lifecycle, measures, notes
from app.cases.models import Case
from app.cases.schemas import CaseSchema
from app.encounters import services as encounters
from app.records import local_day
from app.referrals import services as referrals
from app.tables import access as tables

_CASE_FIELDS = tuple(CaseSchema().fields)


def _item(type_: str, id_: Any, on: date, at: datetime | None, **detail: Any) -> dict[str, Any]:
    return {"type": type_, "id": str(id_), "on": on, "at": at, **detail}


def timeline(user: User, case: Case, case_goals, history, transitions) -> list[dict[str, Any]]:
    """The person's encounters and referrals (those the reader may see) and this case's milestones,
    oldest first. A goal set is known only by its day: it comes first within that day, or just after the
    case's opening when that is the same day (a goal cannot be set on a case not yet open)."""
    items = [_item("case_opened", case.id, case.opened_on, case.opened_at, program=case.program,
                   agency_id=case.agency_id)]
    items += [_item("encounter", e.id, e.occurred_on, e.occurred_at, kind=e.kind, triage_level=e.triage_level)
              for e in encounters.for_person(user, str(case.person_id))]
    items += [_item("referral", r.id, r.made_on, r.made_at, service=r.service, agency_id=r.agency_id,
                    status=r.status) for r in referrals.for_person(user, str(case.person_id))]
    for goal in case_goals:
        items.append(_item("goal_set", goal.id, goal.set_on, None, description=goal.description))
        items += [_item("goal_status", goal.id, local_day(event.at), event.at, status=event.to_status,
                        description=goal.description) for event in history[str(goal.id)]]
    items += [_item("transition", t.id, t.transitioned_on, t.transitioned_at, agency_id=t.agency_id,
                    program=t.program) for t in transitions]
    if case.closed_at is not None:
        items.append(_item("case_closed", case.id, local_day(case.closed_at), case.closed_at,
                           description=case.close_reason))

    # Times are kept to the second: what happened in the opening's second comes after the opening and a
    # goal set that day (a goal moved the moment it was set would otherwise list before it was set).
    def order(item: dict[str, Any]) -> tuple:
        if item["at"] is not None:
            return (item["on"], 1, item["at"], 0 if item["type"] == "case_opened" else 2)
        if item["on"] == case.opened_on:
            return (item["on"], 1, case.opened_at, 1)
        return (item["on"], 0, case.opened_at, 0)

    return sorted(items, key=order)


def detail(user: User, case: Case, *, months: int, today: date) -> dict[str, Any]:
    """Everything GET /cases/<id> shows, for CaseDetailSchema."""
    case_goals = goals.for_case(str(case.id))
    history = goals.history([str(g.id) for g in case_goals])
    transitions = lifecycle.transitions_for_case(str(case.id))
    body = {name: getattr(case, name) for name in _CASE_FIELDS}
    body["goals"] = [goals.view(g, history[str(g.id)]) for g in case_goals]
    body["case_notes"] = notes.for_case(str(case.id))
    body["transitions"] = transitions
    body["timeline"] = timeline(user, case, case_goals, history, transitions)
    body["situation_ids"] = tables.acting_situation_ids(user, str(case.id))
    body["encounters_per_month"] = measures.encounters_per_month(str(case.person_id), case.opened_on, months,
                                                                 today)
    return body
