"""Person entries from the phone (a new person, an update), and a person as each role may see it."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.fields import Moment, Uuid, text

MAX_ALIASES = 10


def aliases(**kwargs) -> fields.List:
    """Street names the person goes by: at most 10, each 1–80 characters."""
    return fields.List(fields.String(validate=validate.Length(min=1, max=80)),
                       validate=validate.Length(max=MAX_ALIASES), **kwargs)


class PersonEntrySchema(Schema):
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    given_name = text(120)
    family_name = text(120)
    birth_year = fields.Integer(allow_none=True, validate=validate.Range(min=1900, max=2100))
    gender = text(40)
    description = text(1000)
    # No load_default: an entry stored before aliases existed keeps its content hash on replay.
    aliases = aliases()
    consent_to_share = fields.Boolean(load_default=False)
    consent_recorded_at = Moment(allow_none=True)


class _PersonChangeFields(Schema):
    """The fields given replace the stored ones; the fields left out stay as they are."""

    base_version = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    display_name = fields.String(validate=validate.Length(min=1, max=120))
    given_name = text(120)
    family_name = text(120)
    birth_year = fields.Integer(allow_none=True, validate=validate.Range(min=1900, max=2100))
    gender = text(40)
    description = text(1000)
    aliases = aliases()
    consent_to_share = fields.Boolean()
    consent_recorded_at = Moment(allow_none=True)

    @validates_schema
    def _changes_something(self, data, **_kwargs):
        if not set(data) - {"id", "person_id", "base_version"}:
            raise ValidationError("Give at least one field to change.")


class PersonUpdateEntrySchema(_PersonChangeFields):
    person_id = Uuid(required=True)


class PersonUpdateRequestSchema(_PersonChangeFields):
    """PATCH /persons/<id>: the person_update entry's data without person_id (the path names it)."""

    id = Uuid(metadata={"description": "the change's idempotency key, as a phone's entry id; optional"})


class PersonChangeSchema(Schema):
    version = fields.Integer()
    at = Moment()
    by = fields.Integer(attribute="actor_id")
    field_names = fields.List(fields.String(), attribute="fields", data_key="fields",
                              metadata={"description": "the names of the fields set (no values)"})


class PersonSchema(Schema):
    """Identifying fields (aliases included) are null when the reader's agency has no consent to see them."""

    id = Uuid(required=True)
    display_name = fields.String(allow_none=True)
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    gender = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    aliases = fields.List(fields.String(), allow_none=True)
    consent_to_share = fields.Boolean()
    consent_recorded_at = Moment(allow_none=True)
    identity_shared = fields.Boolean(metadata={"description": "false: identifying fields withheld (no consent)"})
    version = fields.Integer()
    merged_into = Uuid(allow_none=True, metadata={"description": "the person kept when this one was merged"})
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
    history = fields.List(fields.Nested(PersonChangeSchema), metadata={"description": "changes, oldest first"})


class DuplicatesArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class DuplicatePairSchema(Schema):
    a = fields.Nested(PersonSchema, required=True)
    b = fields.Nested(PersonSchema, required=True)
    score = fields.Float(required=True, metadata={"description": "0..1, higher is likelier (docs/duplicates.md)"})
    reasons = fields.List(fields.String(), required=True, metadata={
        "description": "same_name, similar_name, shared_alias, alias_is_name, same_birth_year, birth_year_within_1"})


class DuplicatesSchema(Schema):
    items = fields.List(fields.Nested(DuplicatePairSchema), required=True)


class MergeRequestSchema(Schema):
    duplicate_id = Uuid(required=True, metadata={"description": "the person merged into the one in the path"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                           metadata={"description": "why they are the same person (not kept in the audit log)"})
