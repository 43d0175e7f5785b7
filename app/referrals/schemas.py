"""Referral entries and updates from the phone, and referrals as the API returns them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.fields import Moment, Uuid, record_id, text
from app.vocabulary import NEEDS, REFERRAL_STATUSES, URGENCIES


class ReferralEntrySchema(Schema):
    person_id = Uuid(required=True)
    agency_id = record_id(required=True)
    service = fields.String(required=True, validate=validate.OneOf(NEEDS))
    urgency = fields.String(load_default="routine", validate=validate.OneOf(URGENCIES))
    encounter_id = Uuid(allow_none=True)
    consent_obtained = fields.Boolean(load_default=False)
    notes = text(4000)
    made_at = Moment(allow_none=True, metadata={"description": "when made on the phone"})


class ReferralUpdateSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(REFERRAL_STATUSES))
    note = text(2000)
    base_version = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    occurred_at = Moment(allow_none=True, metadata={"description": "when changed on the phone"})


class ReferralUpdateEntrySchema(ReferralUpdateSchema):
    referral_id = Uuid(required=True)


class ReferralEventSchema(Schema):
    from_status = fields.String()
    to_status = fields.String()
    version = fields.Integer()
    note = fields.String(allow_none=True)
    actor_id = fields.Integer()
    at = Moment()


class ReferralSchema(Schema):
    id = Uuid(required=True)
    person_id = Uuid(required=True)
    agency_id = fields.Integer(required=True)
    service = fields.String()
    urgency = fields.String()
    encounter_id = Uuid(allow_none=True)
    consent_obtained = fields.Boolean()
    notes = fields.String(allow_none=True)
    made_at = Moment()
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    accepted_at = Moment(allow_none=True)
    updated_at = Moment()
    author_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    received_at = Moment()
    history = fields.List(fields.Nested(ReferralEventSchema))
    due_at = Moment(metadata={"description": "When the agency is due to accept or decline "
                                             "(made_at + REFERRAL_RESPONSE_HOURS for its urgency)."})
    overdue = fields.Boolean(metadata={"description": "Pending and past `due_at` when this answer was made."})
    person = fields.Dict(metadata={"description": "the person as the reader may see them"})


class ReferralQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(REFERRAL_STATUSES))
    agency_id = record_id()
    overdue = fields.Boolean(metadata={"description": "true: only pending referrals past their deadline; "
                                                      "false: only those that are not."})
