"""An encounter entry from the phone, and an encounter record as the API returns it."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.fields import Uuid, codes, text
from app.vocabulary import ENCOUNTER_KINDS, KINDS_WITH_CALL_NUMBER, NEEDS, OUTCOMES, RISK_FLAGS


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(allow_none=True, validate=validate.Range(min=0, max=100_000))


class EncounterEntrySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ENCOUNTER_KINDS))
    occurred_at = fields.AwareDateTime(required=True)
    person_id = Uuid(allow_none=True)
    call_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    site_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    needs = codes(NEEDS, load_default=list)
    triage_level = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=4))
    risk_flags = codes(RISK_FLAGS, load_default=list)
    outcome = codes(OUTCOMES, load_default=list)
    location = fields.Nested(LocationSchema, allow_none=True)
    duration_minutes = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1440))
    description = text(1000)
    notes = text(4000)

    @validates_schema
    def _fields_of_the_kind(self, data, **_kwargs):
        kind = data.get("kind")
        if kind in KINDS_WITH_CALL_NUMBER and not data.get("call_number"):
            raise ValidationError("A call number (the dispatch event number) is required for this kind.",
                                  "call_number")
        if kind == "shelter_check_in" and not data.get("site_id"):
            raise ValidationError("Choose the shelter or site of the check-in.", "site_id")


class EncounterSchema(Schema):
    id = Uuid(required=True)
    kind = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    person_id = Uuid(allow_none=True)
    call_number = fields.String(allow_none=True)
    site_id = fields.Integer(allow_none=True)
    needs = fields.List(fields.String())
    triage_level = fields.Integer()
    triage_computed = fields.Integer()
    risk_flags = fields.List(fields.String())
    outcome = fields.List(fields.String())
    location = fields.Method("_location", allow_none=True)
    duration_minutes = fields.Integer(allow_none=True)
    description = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    author_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    received_at = fields.AwareDateTime()

    def _location(self, encounter):
        if encounter.lat is None:
            return None
        return {"lat": encounter.lat, "lon": encounter.lon, "accuracy_m": encounter.accuracy_m}


class EncounterQuerySchema(Schema):
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    kind = fields.String(validate=validate.OneOf(ENCOUNTER_KINDS))
    person_id = Uuid()
    team_id = fields.Integer()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EncounterPageSchema(Schema):
    items = fields.List(fields.Nested(EncounterSchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)
