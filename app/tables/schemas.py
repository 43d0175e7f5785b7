"""Situation tables, situations (the `situation` entry type), decisions, notes, closure and the COR report."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.fields import Day, Moment, Uuid, codes, record_id, text
from app.people.schemas import PersonSchema
from app.vocabulary import (
    AGE_BANDS,
    PROTECTIVE_FACTORS,
    RISK_FACTORS,
    SITUATION_CLOSURE_REASONS,
    SITUATION_STATUSES,
)


def _ids(**kwargs) -> fields.List:
    return fields.List(record_id(), validate=validate.Length(max=100), **kwargs)


# --- tables --------------------------------------------------------------------------------------

class TableRequestSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    agency_ids = _ids(load_default=list)
    team_ids = _ids(load_default=list)
    chair_user_ids = _ids(load_default=list)


class TableUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    agency_ids = _ids()
    team_ids = _ids()
    chair_user_ids = _ids()
    active = fields.Boolean()

    @validates_schema
    def _something_to_change(self, data, **_kwargs):
        if not data:
            raise ValidationError("Send at least one field to change.")


class TableSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    active = fields.Boolean(required=True)
    agency_ids = fields.List(fields.Integer(), required=True)
    team_ids = fields.List(fields.Integer(), required=True)
    chair_user_ids = fields.List(fields.Integer(), required=True)
    chair = fields.Boolean(required=True, metadata={"description": "the caller chairs this table"})
    created_at = Moment()


# --- situations ----------------------------------------------------------------------------------

class SituationRequestSchema(Schema):
    """Filter 1: the originating agency's de-identified presentation."""

    id = Uuid(metadata={"description": "the situation's UUID (idempotency key); made by the server when absent"})
    risk_factors = codes(RISK_FACTORS, required=True, metadata={"description": "at least one"})
    protective_factors = codes(PROTECTIVE_FACTORS, load_default=list)
    age_band = fields.String(allow_none=True, validate=validate.OneOf(AGE_BANDS))
    gender = text(40)
    summary = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                            metadata={"description": "de-identified: no names, addresses or dates of birth"})
    person_id = Uuid(allow_none=True, metadata={"description": "the person, never shown to the table"})
    presented_on = Day(allow_none=True, metadata={"description": "default: today"})


    @validates_schema
    def _a_risk_factor(self, data, **_kwargs):
        if not data.get("risk_factors"):
            raise ValidationError("Name at least one risk factor.", "risk_factors")


class SituationEntrySchema(SituationRequestSchema):
    class Meta:
        exclude = ("id",)

    table_id = record_id(required=True)


class DecisionRequestSchema(Schema):
    """Filter 3: the chair's decision."""

    threshold_met = fields.Boolean(required=True)
    lead_agency_id = record_id(allow_none=True)
    lead_team_id = record_id(allow_none=True)
    assisting_agency_ids = _ids(load_default=list)
    rationale = text(1000)

    @validates_schema
    def _lead_when_met(self, data, **_kwargs):
        leads = [name for name in ("lead_agency_id", "lead_team_id") if data.get(name) is not None]
        if data["threshold_met"]:
            if len(leads) != 1:
                raise ValidationError("Name one lead: an agency or a police team.", "lead_agency_id")
            if data.get("lead_agency_id") in data["assisting_agency_ids"]:
                raise ValidationError("The lead agency does not also assist.", "assisting_agency_ids")
            if len(set(data["assisting_agency_ids"])) != len(data["assisting_agency_ids"]):
                raise ValidationError("List each agency once.", "assisting_agency_ids")
        elif leads or data["assisting_agency_ids"]:
            raise ValidationError("A situation that does not meet the threshold has no lead or assisting agencies.",
                                  "threshold_met")


class SituationNoteRequestSchema(Schema):
    id = Uuid(metadata={"description": "the note's UUID (idempotency key); made by the server when absent"})
    body = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    at = Moment(allow_none=True, metadata={"description": "when written on the phone"})


class SituationCloseRequestSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(SITUATION_CLOSURE_REASONS))
    closed_on = Day(allow_none=True, metadata={"description": "default: today"})


class SituationCaseRequestSchema(Schema):
    """Link an open situation to an existing case of its person (`case_id`), or open one (no `case_id`)."""

    case_id = Uuid(metadata={"description": "an existing case of the situation's person, visible to the caller"})
    open = fields.Boolean(metadata={"description": "true (or no `case_id`): open a case for the person"})
    id = Uuid(metadata={"description": "the new case's UUID (idempotency key) when opening; made by the server "
                                      "when absent"})
    program = text(160)
    notes = text(4000)

    @validates_schema
    def _link_or_open(self, data, **_kwargs):
        if data.get("case_id"):
            extra = sorted(name for name in ("id", "program", "notes") if data.get(name) is not None)
            if data.get("open") or extra:
                raise ValidationError("Either link an existing case (`case_id`) or open one, not both.", "case_id")
        elif data.get("open") is False:
            raise ValidationError("Name the case to link, or open a case.", "case_id")


class SituationQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(SITUATION_STATUSES))


class SituationNoteSchema(Schema):
    id = Uuid(required=True)
    situation_id = Uuid(required=True)
    body = fields.String(required=True)
    at = Moment()
    author_id = fields.Integer()
    received_at = Moment()


class SituationSchema(Schema):
    """As the caller may see it: table members the de-identified fields; the lead and assisting
    agencies of a situation that met the threshold also `person` and `notes`."""

    id = Uuid(required=True)
    table_id = fields.Integer(required=True)
    status = fields.String(required=True)
    originating_agency_id = fields.Integer(allow_none=True)
    originating_team_id = fields.Integer(allow_none=True)
    risk_factors = fields.List(fields.String(), required=True)
    protective_factors = fields.List(fields.String(), allow_none=True)
    age_band = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    presented_on = Day(required=True)
    decided_on = Day(allow_none=True)
    threshold_met = fields.Boolean(allow_none=True)
    lead_agency_id = fields.Integer(allow_none=True)
    lead_team_id = fields.Integer(allow_none=True)
    assisting_agency_ids = fields.List(fields.Integer())
    rationale = fields.String(allow_none=True)
    closed_on = Day(allow_none=True)
    close_reason = fields.String(allow_none=True)
    person_id = Uuid(metadata={"description": "only to whoever presented it, and to the acting agencies"})
    person = fields.Nested(PersonSchema, allow_none=True,
                           metadata={"description": "lead and assisting agencies only, once the threshold is met"})
    notes = fields.List(fields.Nested(SituationNoteSchema),
                        metadata={"description": "lead and assisting agencies only"})
    acting = fields.Boolean(metadata={"description": "the caller's agency or team leads or assists"})
    case_id = Uuid(allow_none=True, metadata={"description": "the person's case the situation is worked in "
                                                           "(lead and assisting agencies only)"})


# --- the centre of responsibility's report --------------------------------------------------------

class ReportQuerySchema(Schema):
    from_ = Day(data_key="from")
    to = Day()

    @validates_schema
    def _in_order(self, data, **_kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("`from` must not be after `to`.", "from")


class OriginatorCountSchema(Schema):
    agency_id = fields.Integer()
    team_id = fields.Integer()
    situations = fields.Integer(required=True)


class ReportSchema(Schema):
    table_id = fields.Integer(required=True)
    from_ = Day(data_key="from", required=True)
    to = Day(required=True)
    total = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    threshold_met_share = fields.Float(allow_none=True, required=True,
                                       metadata={"description": "met / decided; null before any decision"})
    risk_factors = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    lead_agencies = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    lead_teams = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    assisting_agencies = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    closure_reasons = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    median_days_to_decision = fields.Float(allow_none=True, required=True)
    median_days_to_close = fields.Float(allow_none=True, required=True)
    by_originator = fields.List(fields.Nested(OriginatorCountSchema), required=True)
