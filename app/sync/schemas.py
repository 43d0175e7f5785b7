"""The /sync request and response bodies, and the per-entry envelope."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.cases.schemas import CaseSchema
from app.entries.openapi import SYNC_ENTRY
from app.fields import Moment
from app.people.schemas import PersonSchema
from app.referrals.schemas import ReferralSchema
from app.rest import DocumentedObject

MAX_ENTRIES = 500


class SyncRequestSchema(Schema):
    TEXT_CHECKED_BY_SERVICE = ("entries",)  # each entry's text is checked on its own (app/entries/pipeline.py)
    device_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    # Entries are checked one by one by the pipeline, so one bad entry is rejected alone: here each is
    # only an object, documented as the oneOf of the entry types (app/entries/openapi.py).
    entries = fields.List(DocumentedObject(SYNC_ENTRY), required=True)


class EntryErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    # The error body's own key; marshmallow takes declared fields off the class, so the instance's
    # `fields` mapping is untouched, but its types cannot say so.
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))  # type: ignore[assignment]


class EntryResultSchema(Schema):
    id = fields.Raw(required=True, metadata={"description": "the entry's id as sent"})
    status = fields.String(required=True, validate=validate.OneOf(["created", "duplicate", "rejected", "conflict"]))
    error = fields.Nested(EntryErrorSchema)
    current = fields.Dict(metadata={"description": "the stored record (conflict only)"})


class SyncResponseSchema(Schema):
    results = fields.List(fields.Nested(EntryResultSchema), required=True)
    server_time = Moment(required=True)


class ChangesQuerySchema(Schema):
    since = fields.String(validate=validate.Regexp(r"^[0-9]{1,18}$", error="Pass back a cursor this server gave."),
                          metadata={"description": "a cursor from an earlier answer, passed back as given"})
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))


class ChangesSchema(Schema):
    cursor = fields.String(required=True)
    has_more = fields.Boolean(required=True)
    agencies = fields.List(fields.Dict(), required=True)
    sites = fields.List(fields.Dict(), required=True)
    teams = fields.List(fields.Dict(), required=True)
    # Dumped by the domains' services (changes.py): documented by the schemas they dump with.
    persons = fields.List(DocumentedObject(PersonSchema), required=True)
    referrals = fields.List(DocumentedObject(ReferralSchema), required=True)
    cases = fields.List(DocumentedObject(CaseSchema), required=True)
    triage_rules = fields.Dict(metadata={"description": "the triage rules, in the full snapshot"})
