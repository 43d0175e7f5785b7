"""An encounter entry from the phone, its corrections (amend, void), and an encounter record as the API
returns it."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from marshmallow.constants import missing
from webargs.fields import DelimitedList

from app.fields import Moment, Uuid, codes, record_id, text
from app.rest import PageArgs, page_schema
from app.vocabulary import ENCOUNTER_KINDS, KINDS_WITH_CALL_NUMBER, NEEDS, OUTCOMES, RISK_FLAGS


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(allow_none=True, validate=validate.Range(min=0, max=100_000))


class EncounterEntrySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ENCOUNTER_KINDS))
    occurred_at = Moment(required=True)
    person_id = Uuid(allow_none=True)
    call_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=40))
    site_id = record_id(allow_none=True)
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
        problems = kind_problems(data)
        if problems:
            raise ValidationError(problems)


def kind_problems(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The fields an encounter of its kind lacks (a new one, or one as an amendment would leave it)."""
    kind = data.get("kind")
    if kind in KINDS_WITH_CALL_NUMBER and not data.get("call_number"):
        return {"call_number": ["A call number (the dispatch event number) is required for this kind."]}
    if kind == "shelter_check_in" and not data.get("site_id"):
        return {"site_id": ["Choose the shelter or site of the check-in."]}
    return {}


def _optional(field: fields.Field) -> fields.Field:
    """The same field and rules, but left out when not given: an amendment sets only what it names."""
    optional = copy.deepcopy(field)
    optional.required = False
    optional.load_default = missing
    return optional


# The encounter fields an amendment may set: every field of the encounter entry (its id is the record's).
AMENDABLE_FIELDS = tuple(EncounterEntrySchema._declared_fields)

_CORRECTION_FIELDS: dict[str, fields.Field] = {
    "base_version": fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1),
                                   metadata={"description": "the encounter's version the change was made on"}),
    "reason": fields.String(required=True, validate=validate.Length(min=1, max=400)),
}

# PATCH /encounters/<id>: base_version, reason and any encounter field.
EncounterAmendSchema = Schema.from_dict(
    {**_CORRECTION_FIELDS, **{name: _optional(f) for name, f in EncounterEntrySchema._declared_fields.items()}},
    name="EncounterAmend")
# The encounter_amend entry: the same, naming the encounter.
EncounterAmendEntrySchema = Schema.from_dict(
    {"encounter_id": Uuid(required=True), **copy.deepcopy(EncounterAmendSchema._declared_fields)},
    name="EncounterAmendEntry")


class EncounterVoidSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=400))


class EncounterVoidEntrySchema(EncounterVoidSchema):
    encounter_id = Uuid(required=True)


_REQUEST_ID = {"id": Uuid(metadata={"description": "optional idempotency key (a retried request is no change)"})}
EncounterAmendRequestSchema = Schema.from_dict({**_REQUEST_ID, **copy.deepcopy(EncounterAmendSchema._declared_fields)},
                                               name="EncounterAmendRequest")


class EncounterVoidRequestSchema(EncounterVoidSchema):
    id = Uuid(metadata={"description": "optional idempotency key (a retried request is no change)"})


class AmendmentSchema(Schema):
    version = fields.Integer(required=True)
    at = Moment(required=True)
    by = fields.Integer(required=True, attribute="actor_id")
    reason = fields.String(required=True)
    field_names = fields.List(fields.String(), required=True, data_key="fields", attribute="fields",
                              metadata={"description": "names of the fields set (never their values)"})


class EncounterSchema(Schema):
    id = Uuid(required=True)
    kind = fields.String(required=True)
    occurred_at = Moment(required=True)
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
    received_at = Moment()
    version = fields.Integer(required=True)
    voided = fields.Boolean(required=True)
    void_reason = fields.String(allow_none=True)
    amendments = fields.List(fields.Nested(AmendmentSchema), required=True)

    def _location(self, encounter):
        if encounter.lat is None:
            return None
        return {"lat": encounter.lat, "lon": encounter.lon, "accuracy_m": encounter.accuracy_m}


class EncounterQuerySchema(PageArgs):
    from_ = Moment(data_key="from")
    to = Moment()
    kind = fields.String(validate=validate.OneOf(ENCOUNTER_KINDS))
    person_id = Uuid()
    team_id = record_id()
    author_id = record_id(metadata={"description": "only the encounters this user logged (e.g. the caller's own)"})
    include_voided = fields.Boolean(load_default=False,
                                    metadata={"description": "supervisors and admins: list voided encounters too"})


EncounterPageSchema = page_schema(EncounterSchema, "EncounterPage")


class CodeList(DelimitedList):
    """Codes, comma-separated, in a query parameter; an empty parameter is refused (leave it out)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "":
            raise ValidationError("Leave the parameter out when there are no codes.")
        return super()._deserialize(value, attr, data, **kwargs)


class TriageQuerySchema(Schema):
    needs = CodeList(fields.String(validate=validate.OneOf(NEEDS)), load_default=list,
                     metadata={"description": "needs codes, comma-separated"})
    risk_flags = CodeList(fields.String(validate=validate.OneOf(RISK_FLAGS)), load_default=list,
                          metadata={"description": "risk flag codes, comma-separated"})


class SuggestedAgencySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    services = fields.List(fields.String(), required=True)
    matched_needs = fields.List(fields.String(), required=True, metadata={"description": "best match first"})


class TriageSchema(Schema):
    level = fields.Integer(required=True, metadata={"description": "1 immediate … 4 routine"})
    label = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True, metadata={"description": "the codes that decided it"})
    suggested_agencies = fields.List(fields.Nested(SuggestedAgencySchema), required=True)


class TriageRuleSchema(Schema):
    level = fields.Integer(required=True)
    label = fields.String(required=True)
    any_risk_flags = fields.List(fields.String())
    any_needs = fields.List(fields.String())


class TriageRulesSchema(Schema):
    about = fields.String(attribute="_about", data_key="_about", allow_none=True)
    levels = fields.List(fields.Nested(TriageRuleSchema), required=True)
