"""A person entry from the phone, and a person as each role may see it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.fields import Moment, Uuid, text


class PersonEntrySchema(Schema):
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    given_name = text(120)
    family_name = text(120)
    birth_year = fields.Integer(allow_none=True, validate=validate.Range(min=1900, max=2100))
    gender = text(40)
    description = text(1000)
    consent_to_share = fields.Boolean(load_default=False)
    consent_recorded_at = Moment(allow_none=True)


class PersonSchema(Schema):
    """Identifying fields are null when the reader's agency has no consent to see them."""

    id = Uuid(required=True)
    display_name = fields.String(allow_none=True)
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    gender = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    consent_to_share = fields.Boolean()
    consent_recorded_at = Moment(allow_none=True)
    identity_shared = fields.Boolean(metadata={"description": "false: identifying fields withheld (no consent)"})
    author_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    received_at = Moment()


class PersonSearchArgs(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=120))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class TimelineSchema(PersonSchema):
    encounters = fields.List(Uuid())
    referrals = fields.List(Uuid())
    cases = fields.List(Uuid())
