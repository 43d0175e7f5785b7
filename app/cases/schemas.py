"""Case intake entries and case records."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.fields import Uuid, text


class CaseIntakeEntrySchema(Schema):
    person_id = Uuid(required=True)
    referral_id = Uuid(allow_none=True)
    lead_user_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    program = text(160)
    notes = text(4000)
    opened_at = fields.AwareDateTime(allow_none=True, metadata={"description": "intake time on the phone"})


class CaseSchema(Schema):
    id = Uuid(required=True)
    person_id = Uuid(required=True)
    referral_id = Uuid(allow_none=True)
    lead_user_id = fields.Integer(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    program = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    status = fields.String()
    opened_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    close_reason = fields.String(allow_none=True)
    author_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    received_at = fields.AwareDateTime()
