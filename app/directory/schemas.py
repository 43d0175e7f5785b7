"""Teams, agencies and sites as the API and the phone see them."""

import copy

from marshmallow import Schema, fields, validate

from app.fields import record_id
from app.vocabulary import NEEDS, SITE_KINDS, TEAM_GROUPS


class TeamSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    division = fields.String(allow_none=True)
    # core or branch (null when not set): the reporting groups teams by it.
    group = fields.String(allow_none=True)
    active = fields.Boolean()


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


# ---- administration (admins): what POST and PATCH take --------------------------------------------------

class TeamWriteSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    division = fields.String(allow_none=True, validate=validate.Length(max=120))
    group = fields.String(allow_none=True, validate=validate.OneOf(TEAM_GROUPS))
    active = fields.Boolean()


class AgencyWriteSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    short_name = fields.String(allow_none=True, validate=validate.Length(max=60))
    services = fields.List(fields.String(validate=validate.OneOf(NEEDS)), validate=validate.Length(max=len(NEEDS)))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    active = fields.Boolean()


class SiteWriteSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    agency_id = record_id(allow_none=True)
    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean()


def _patch_of(schema: type[Schema], name: str) -> type[Schema]:
    """The same fields, none required: what PATCH takes (its own name in the OpenAPI document)."""
    optional = {}
    for field_name, declared in schema._declared_fields.items():
        field = copy.copy(declared)
        field.required = False
        optional[field_name] = field
    return Schema.from_dict(optional, name=name)


TeamPatchSchema = _patch_of(TeamWriteSchema, "TeamPatch")
AgencyPatchSchema = _patch_of(AgencyWriteSchema, "AgencyPatch")
SitePatchSchema = _patch_of(SiteWriteSchema, "SitePatch")
