"""Teams, agencies and sites as the API and the phone see them."""

from marshmallow import Schema, fields


class TeamSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    division = fields.String(allow_none=True)


class AgencySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(allow_none=True)
    services = fields.List(fields.String(), required=True)
    phone = fields.String(allow_none=True)
    active = fields.Boolean(required=True)


class SiteSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    agency_id = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
