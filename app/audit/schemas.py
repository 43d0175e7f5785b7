"""Audit events as the admin-only API shows them, and the filters."""

from marshmallow import Schema, fields, validate

from app.fields import record_id


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    outcome = fields.String()
    remote_addr = fields.String(allow_none=True)
    detail = fields.Dict()


class AuditQuerySchema(Schema):
    actor_id = record_id()
    action = fields.String(validate=validate.Length(max=60))
    target_type = fields.String(validate=validate.Length(max=40))
    target_id = fields.String(validate=validate.Length(max=64))
    outcome = fields.String(validate=validate.Length(max=20))
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema), required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    total = fields.Integer(required=True)
