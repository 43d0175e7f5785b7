"""Audit events as the admin-only API shows them, and the filters."""

from marshmallow import Schema, fields, validate

from app.fields import Moment, record_id
from app.rest import PageArgs, page_schema


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = Moment()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    outcome = fields.String()
    remote_addr = fields.String(allow_none=True)
    detail = fields.Dict()


class AuditQuerySchema(PageArgs):
    actor_id = record_id()
    action = fields.String(validate=validate.Length(max=60))
    target_type = fields.String(validate=validate.Length(max=40))
    target_id = fields.String(validate=validate.Length(max=64))
    outcome = fields.String(validate=validate.Length(max=20))
    from_ = Moment(data_key="from")
    to = Moment()


AuditPageSchema = page_schema(AuditEventSchema, "AuditPage")


class DisclosureSchema(Schema):
    id = fields.Integer()
    person_id = fields.String()
    agency_id = fields.Integer()
    referral_id = fields.String(allow_none=True)
    disclosed_by = fields.Integer()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")
    consent_basis = fields.String()
    at = Moment()
