"""Case management entries (intake, goals, notes, transitions, closure) and cases as the API returns them."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.fields import Day, Moment, Uuid, record_id, text
from app.rest import PageArgs, page_schema
from app.vocabulary import CASE_STATUSES, GOAL_STATUSES

# A new goal starts as set or already in progress; met and dropped are reached by an update.
NEW_GOAL_STATUSES = ("set", "in_progress")


def _required_text(max_length: int) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=max_length))


def _user_id(**kwargs) -> fields.Integer:
    return record_id(allow_none=True, **kwargs)


# --- entries (POST /sync) and the matching REST bodies ------------------------------------------

class CaseIntakeEntrySchema(Schema):
    person_id = Uuid(required=True)
    referral_id = Uuid(allow_none=True)
    lead_user_id = _user_id(metadata={"description": "the lead navigator; default: the writer"})
    officer_id = _user_id(metadata={"description": "the lead officer; default: the writer if an officer"})
    program = text(160)
    notes = text(4000)
    opened_at = Moment(allow_none=True, metadata={"description": "intake time on the phone"})
    review_due_on = Day(allow_none=True, metadata={"description": "default: intake + CASE_REVIEW_DAYS"})
    tracking_until = Day(allow_none=True,
                                 metadata={"description": "default: intake + CASE_TRACKING_MONTHS (24)"})


class CaseIntakeRequestSchema(CaseIntakeEntrySchema):
    id = Uuid(metadata={"description": "the case's UUID (idempotency key); made by the server when absent"})


class GoalRequestSchema(Schema):
    id = Uuid(metadata={"description": "the goal's UUID (idempotency key); made by the server when absent"})
    description = _required_text(1000)
    target_date = Day(allow_none=True)
    status = fields.String(allow_none=True, validate=validate.OneOf(NEW_GOAL_STATUSES))
    set_at = Moment(allow_none=True, metadata={"description": "when the goal was set on the phone"})


class CaseGoalEntrySchema(GoalRequestSchema):
    class Meta:
        exclude = ("id",)

    case_id = Uuid(required=True)


class GoalUpdateRequestSchema(Schema):
    id = Uuid(metadata={"description": "the update's UUID (idempotency key); made by the server when absent"})
    status = fields.String(required=True, validate=validate.OneOf(GOAL_STATUSES))
    note = text(2000)
    occurred_at = Moment(allow_none=True, metadata={"description": "when changed on the phone"})


class CaseGoalUpdateEntrySchema(GoalUpdateRequestSchema):
    class Meta:
        exclude = ("id",)

    goal_id = Uuid(required=True)


class NoteRequestSchema(Schema):
    id = Uuid(metadata={"description": "the note's UUID (idempotency key); made by the server when absent"})
    body = _required_text(4000)
    at = Moment(allow_none=True, metadata={"description": "when written on the phone"})


class CaseNoteEntrySchema(NoteRequestSchema):
    class Meta:
        exclude = ("id",)

    case_id = Uuid(required=True)


class TransitionRequestSchema(Schema):
    id = Uuid(metadata={"description": "the transition's UUID (idempotency key); made by the server when absent"})
    agency_id = record_id(required=True)
    program = _required_text(160)
    transitioned_at = Moment(allow_none=True)


class CaseTransitionEntrySchema(TransitionRequestSchema):
    class Meta:
        exclude = ("id",)

    case_id = Uuid(required=True)


class ClosureRequestSchema(Schema):
    id = Uuid(metadata={"description": "the closure's UUID (idempotency key); made by the server when absent"})
    reason = _required_text(400)
    closed_at = Moment(allow_none=True)


class CaseClosureEntrySchema(ClosureRequestSchema):
    class Meta:
        exclude = ("id",)

    case_id = Uuid(required=True)


class CaseUpdateSchema(Schema):
    """PATCH /cases/<id>: the next review, the lead officer, the end of the tracking window."""

    review_due_on = Day(allow_none=True)
    officer_id = _user_id()
    tracking_until = Day()

    @validates_schema
    def _something_to_change(self, data, **_kwargs):
        if not data:
            raise ValidationError("Send at least one of review_due_on, officer_id, tracking_until.")


# --- queries ---------------------------------------------------------------------------------

class CaseQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    due = fields.Boolean(metadata={"description": "true: review due (review_due_on <= today) or "
                                                  "past the tracking window (tracking_until < today)"})
    person_id = Uuid()


class CaseReadQuerySchema(Schema):
    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=36),
                            metadata={"description": "months counted each side of intake"})


# --- records as returned ---------------------------------------------------------------------

class CaseSchema(Schema):
    id = Uuid(required=True)
    person_id = Uuid(required=True)
    referral_id = Uuid(allow_none=True)
    lead_user_id = fields.Integer(allow_none=True)
    lead_name = fields.String(allow_none=True, metadata={"description": "the lead navigator's display name"})
    officer_id = fields.Integer(allow_none=True)
    officer_name = fields.String(allow_none=True, metadata={"description": "the lead officer's display name"})
    agency_id = fields.Integer(allow_none=True)
    program = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    status = fields.String()
    opened_at = Moment()
    review_due_on = Day(allow_none=True)
    tracking_until = Day()
    closed_at = Moment(allow_none=True)
    close_reason = fields.String(allow_none=True)
    closed_by_id = fields.Integer(allow_none=True)
    author_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    received_at = Moment()


class CaseSummarySchema(CaseSchema):
    review_due = fields.Boolean(required=True, metadata={"description": "not closed and review_due_on <= today"})
    window_ended = fields.Boolean(required=True, metadata={"description": "not closed and tracking_until < today"})


CasePageSchema = page_schema(CaseSummarySchema, "CasePage")


class GoalEventSchema(Schema):
    from_status = fields.String()
    to_status = fields.String()
    note = fields.String(allow_none=True)
    actor_id = fields.Integer()
    at = Moment()


class GoalSchema(Schema):
    id = Uuid(required=True)
    case_id = Uuid(required=True)
    description = fields.String(required=True)
    status = fields.String(required=True)
    set_on = Day()
    target_date = Day(allow_none=True)
    status_changed_at = Moment()
    author_id = fields.Integer()
    received_at = Moment()
    history = fields.List(fields.Nested(GoalEventSchema))


class NoteSchema(Schema):
    id = Uuid(required=True)
    case_id = Uuid(required=True)
    body = fields.String(required=True)
    at = Moment()
    author_id = fields.Integer()
    received_at = Moment()


class TransitionSchema(Schema):
    id = Uuid(required=True)
    case_id = Uuid(required=True)
    agency_id = fields.Integer(required=True)
    program = fields.String(required=True)
    transitioned_at = Moment()
    author_id = fields.Integer()
    received_at = Moment()


class TimelineItemSchema(Schema):
    type = fields.String(required=True, metadata={
        "description": "case_opened, encounter, referral, goal_set, goal_status, transition, case_closed"})
    id = fields.String(required=True, metadata={"description": "the record's id (the goal's for goal items)"})
    on = Day(required=True, metadata={"description": "the service's local day"})
    at = Moment(allow_none=True)
    kind = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    triage_level = fields.Integer(allow_none=True)
    service = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    program = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class MonthCountSchema(Schema):
    month = fields.Integer(required=True, metadata={"description": "-1 the month before intake, 1 the month after"})
    first_day = Day(required=True)
    last_day = Day(required=True)
    count = fields.Integer(required=True)
    complete = fields.Boolean(required=True, metadata={"description": "false while the month has not ended"})


class EncountersPerMonthSchema(Schema):
    months = fields.Integer(required=True)
    intake_on = Day(required=True)
    intake_day = fields.Integer(required=True, metadata={"description": "encounters on the intake day itself"})
    before = fields.List(fields.Nested(MonthCountSchema), required=True)
    after = fields.List(fields.Nested(MonthCountSchema), required=True)
    before_total = fields.Integer(required=True)
    after_total = fields.Integer(required=True)
    complete_months_after = fields.Integer(required=True)


class CaseDetailSchema(CaseSchema):
    goals = fields.List(fields.Nested(GoalSchema), required=True)
    case_notes = fields.List(fields.Nested(NoteSchema), required=True)
    transitions = fields.List(fields.Nested(TransitionSchema), required=True)
    timeline = fields.List(fields.Nested(TimelineItemSchema), required=True)
    encounters_per_month = fields.Nested(EncountersPerMonthSchema, required=True)
    situation_ids = fields.List(Uuid(), metadata={
        "description": "situation-table situations linked to this case, shown only to the agencies that act on them"})
