"""The API's blueprint class and shared schemas: 400 for invalid input, one error shape documented."""

from __future__ import annotations

from flask_smorest import Api, Blueprint
from marshmallow import Schema, ValidationError, fields, missing, validate
from webargs.flaskparser import FlaskParser

from app.input_rules import bad_text_fields


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    # The error body's own key; marshmallow takes declared fields off the class, so the instance's
    # `fields` mapping is untouched, but its types cannot say so.
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))  # type: ignore[assignment]


class ErrorSchema(Schema):
    """Documents the error body in the OpenAPI spec."""

    error = fields.Nested(ErrorBodySchema, required=True)
    # A 409 conflict carries the record as stored, to a caller who may see it in full.
    current = fields.Dict(metadata={"description": "on a conflict: the stored record (when visible to the caller)"})


class ApiParser(FlaskParser):
    """webargs' parser, answering 400 (API.md), refusing NUL and broken Unicode in bodies and queries.

    A schema may name fields it checks itself (`TEXT_CHECKED_BY_SERVICE`): /sync checks each entry's
    text on its own, so one bad entry is rejected alone rather than failing the batch.
    """

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        data = super().load_json(req, schema)
        return _acceptable_text(data, schema)

    def load_querystring(self, req, schema):
        data = super().load_querystring(req, schema)
        return _acceptable_text(data, schema)


def _acceptable_text(data, schema):
    if data is missing:
        return data
    problems = bad_text_fields(data, getattr(schema, "TEXT_CHECKED_BY_SERVICE", ()))
    if problems:
        raise ValidationError(problems)
    return data


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()


class DocumentedObject(fields.Mapping):
    """A JSON object taken and given as it is, like `fields.Dict()`, that the OpenAPI document
    describes by a schema: a marshmallow schema class, or the name of a component the factory
    registers (the sync entries, one per registered entry type).

    For bodies a service checks piece by piece (a bad /sync entry is rejected alone, not the batch)
    and for records a service has already dumped (the changes feed): typed in the spec, not re-checked.
    """

    mapping_type = dict

    def __init__(self, documented_as: type[Schema] | str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.documented_as = documented_as


def documented_object2properties(self, field, **kwargs) -> dict:
    """apispec attribute function: a DocumentedObject is a reference to its schema (no `type`: the
    field maps to none, so the reference is the whole description)."""
    if not isinstance(field, DocumentedObject):
        return {}
    if isinstance(field.documented_as, str):
        ref = self.spec.components.get_ref("schema", field.documented_as)
    else:
        ref = self.resolve_nested_schema(field.documented_as)
    ret = kwargs.get("ret", {})
    # In OpenAPI 3.0 a $ref's siblings are ignored: keep a description beside it through allOf.
    return {"allOf": [ref]} if ret else dict(ref)


class HelpApi(Api):
    """flask-smorest's Api, documenting our error body instead of its own, and DocumentedObject."""

    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *, spec_kwargs=None) -> None:
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.ma_plugin.map_to_openapi_type(DocumentedObject, None, None)
        self.ma_plugin.converter.add_attribute_function(documented_object2properties)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """{"items": [...], "page", "pages", "total"}: the paginated list body of API.md."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "pages": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        },
        name=name,
    )
