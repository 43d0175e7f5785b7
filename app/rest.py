"""The API's blueprint class and shared schemas: 400 for invalid input, one error shape documented."""

from __future__ import annotations

from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate
from webargs.flaskparser import FlaskParser


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    """Documents the error body in the OpenAPI spec."""

    error = fields.Nested(ErrorBodySchema, required=True)


class ApiParser(FlaskParser):
    # API.md answers invalid input with 400 validation_error, not webargs' default 422.
    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()


class HelpApi(Api):
    """flask-smorest's Api, documenting our error body instead of its own."""

    ERROR_SCHEMA = ErrorSchema


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
