"""Case management over REST: intake, the case list and view, goals, notes, transitions, closure.

Writes run through the same services as the case_* sync entry types; every read of a case is audited.
"""

from __future__ import annotations

from app.audit.services import record, record_despite_rollback
from app.auth import policy
from app.auth.guard import current_user, signed_in
from app.cases import goals, lifecycle, notes, services, timeline
from app.cases.models import CaseGoal
from app.cases.schemas import (
    CaseDetailSchema,
    CaseIntakeRequestSchema,
    CasePageSchema,
    CaseQuerySchema,
    CaseReadQuerySchema,
    CaseSchema,
    CaseUpdateSchema,
    ClosureRequestSchema,
    GoalRequestSchema,
    GoalSchema,
    GoalUpdateRequestSchema,
    NoteRequestSchema,
    NoteSchema,
    TransitionRequestSchema,
    TransitionSchema,
)
from app.entries.outcomes import Refused
from app.entries.pipeline import submit
from app.errors import ApiError, ErrorSchema, refusal
from app.records import local_day, utcnow
from app.rest import ApiBlueprint

blp = ApiBlueprint("cases", __name__, url_prefix="/cases", description="Case management")

REPLAYED = "The same id and content again: nothing changed, the stored record is returned."


def _case_or_404(user, case_id: str):
    case = services.find_visible(user, case_id)
    if case is None:
        raise ApiError(404, "not_found", "No such case.")
    return case


def _goal_or_404(user, goal_id: str) -> CaseGoal:
    goal = goals.find_visible(user, goal_id)
    if goal is None:
        raise ApiError(404, "not_found", "No such goal.")
    return goal


def _created(body, created: bool):
    return body, 201 if created else 200


@blp.route("", methods=["POST"])
@signed_in(policy.can_log_entries)
@blp.arguments(CaseIntakeRequestSchema)
@blp.response(201, CaseSchema)
@blp.alt_response(200, schema=CaseSchema, description=REPLAYED)
@blp.alt_response(409, schema=ErrorSchema, description="conflict: the person has an open case (in `current`)")
def open_case(intake):
    """Accept a person into case management (the case_intake entry type), usually from an accepted referral."""
    user = current_user()
    case_id, created = submit("case_intake", user, intake, intake.pop("id", None))
    return _created(_case_or_404(user, case_id), created)


@blp.route("")
@signed_in()
@blp.arguments(CaseQuerySchema, location="query")
@blp.response(200, CasePageSchema)
def list_cases(args):
    """Cases the caller may see; `due=true`: review due or past the tracking window (the supervisor list)."""
    user = current_user()
    page = services.search(user, today=local_day(utcnow()), **args)
    record("case.list", target_type="case", results=[str(c["id"]) for c in page["items"]])
    return page


@blp.route("/<uuid:case_id>")
@signed_in()
@blp.arguments(CaseReadQuerySchema, location="query")
@blp.response(200, CaseDetailSchema)
def get_case(args, case_id):
    """A case with its goals, notes, transitions, the person's timeline and encounters per month around intake."""
    user = current_user()
    case = services.find_visible(user, str(case_id))
    if case is None:
        record_despite_rollback("case.read", target_type="case", target_id=str(case_id), outcome="not_found")
        raise ApiError(404, "not_found", "No such case.")
    record("case.read", target_type="case", target_id=case_id)
    return timeline.detail(user, case, months=args["months"], today=local_day(utcnow()))


@blp.route("/<uuid:case_id>", methods=["PATCH"])
@signed_in(policy.can_log_entries)
@blp.arguments(CaseUpdateSchema)
@blp.response(200, CaseSchema)
@blp.alt_response(409, schema=ErrorSchema, description="invalid_transition: the case is closed")
def update_case(changes, case_id):
    """Set the next review date, the lead officer or the end of the tracking window."""
    try:
        case = lifecycle.update(current_user(), str(case_id), changes)
    except Refused as refused:
        error = refused.outcome.error or {"code": refused.outcome.status}
        record_despite_rollback("case.update", target_type="case", target_id=str(case_id), outcome=error["code"][:20],
                                via="rest", fields=sorted(changes))
        raise refusal(refused.outcome) from None
    record("case.update", target_type="case", target_id=str(case_id), via="rest", fields=sorted(changes))
    return case


@blp.route("/<uuid:case_id>/goals", methods=["POST"])
@signed_in(policy.can_log_entries)
@blp.arguments(GoalRequestSchema)
@blp.response(201, GoalSchema)
@blp.alt_response(200, schema=GoalSchema, description=REPLAYED)
@blp.alt_response(409, schema=ErrorSchema, description="invalid_transition: the case is closed; or conflict")
def add_goal(goal, case_id):
    """Set a goal (the case_goal entry type)."""
    user = current_user()
    entry_id = goal.pop("id", None)
    goal_id, created = submit("case_goal", user, {**goal, "case_id": str(case_id)}, entry_id)
    return _created(goals.view(_goal_or_404(user, goal_id)), created)


@blp.route("/<uuid:case_id>/goals/<uuid:goal_id>", methods=["PATCH"])
@signed_in(policy.can_log_entries)
@blp.arguments(GoalUpdateRequestSchema)
@blp.response(200, GoalSchema)
@blp.alt_response(409, schema=ErrorSchema, description="invalid_transition: not allowed from the goal's status")
def update_goal(update, case_id, goal_id):
    """Move a goal: set → in_progress | met | dropped; in_progress → met | dropped (the case_goal_update type)."""
    user = current_user()
    if goals.find_in_case(user, str(case_id), str(goal_id)) is None:
        raise ApiError(404, "not_found", "No such goal.")
    entry_id = update.pop("id", None)
    submit("case_goal_update", user, {**update, "goal_id": str(goal_id)}, entry_id)
    return goals.view(_goal_or_404(user, str(goal_id)))


@blp.route("/<uuid:case_id>/notes", methods=["POST"])
@signed_in(policy.can_log_entries)
@blp.arguments(NoteRequestSchema)
@blp.response(201, NoteSchema)
@blp.alt_response(200, schema=NoteSchema, description=REPLAYED)
@blp.alt_response(409, schema=ErrorSchema, description="conflict: the id holds another note")
def add_note(note, case_id):
    """Write a case note (the case_note entry type)."""
    user = current_user()
    entry_id = note.pop("id", None)
    note_id, created = submit("case_note", user, {**note, "case_id": str(case_id)}, entry_id)
    return _created(notes.find_visible(user, note_id), created)


@blp.route("/<uuid:case_id>/transitions", methods=["POST"])
@signed_in(policy.can_log_entries)
@blp.arguments(TransitionRequestSchema)
@blp.response(201, TransitionSchema)
@blp.alt_response(200, schema=TransitionSchema, description=REPLAYED)
@blp.alt_response(409, schema=ErrorSchema, description="invalid_transition: the case is closed; or conflict")
def add_transition(transition, case_id):
    """Hand the person on to a longer-term program; the case becomes transitioned (the case_transition type)."""
    user = current_user()
    entry_id = transition.pop("id", None)
    transition_id, created = submit("case_transition", user, {**transition, "case_id": str(case_id)},
                                             entry_id)
    return _created(lifecycle.find_transition(user, transition_id), created)


@blp.route("/<uuid:case_id>/close", methods=["POST"])
@signed_in(policy.can_log_entries)
@blp.arguments(ClosureRequestSchema)
@blp.response(200, CaseSchema)
@blp.alt_response(409, schema=ErrorSchema, description="invalid_transition: the case is already closed")
def close_case(closure, case_id):
    """Close an open or transitioned case with a reason (the case_closure entry type)."""
    user = current_user()
    entry_id = closure.pop("id", None)
    submit("case_closure", user, {**closure, "case_id": str(case_id)}, entry_id)
    return _case_or_404(user, str(case_id))
