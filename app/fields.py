"""Marshmallow fields and validators shared by the entry schemas."""

from __future__ import annotations

import uuid

from marshmallow import ValidationError, fields, validate


class Uuid(fields.UUID):
    """A UUID in canonical lower-case text, as stored."""

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(uuid.UUID(str(value)))


def codes(vocabulary: tuple[str, ...], **kwargs) -> fields.List:
    """A list of codes from a vocabulary, each at most once."""
    return fields.List(fields.String(validate=validate.OneOf(vocabulary)), validate=_unique, **kwargs)


def _unique(values: list) -> None:
    if len(values) != len(set(values)):
        raise ValidationError("List each code once.")


def text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), allow_none=True, **kwargs)


MAX_ID = 2**31 - 1


def record_id(**kwargs) -> fields.Integer:
    """A database id (team, agency, site, user): a positive 32-bit integer, so no query overflows."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)
