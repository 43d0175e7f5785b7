"""Marshmallow fields and validators shared by the entry schemas."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from marshmallow import ValidationError, fields, validate


class Uuid(fields.UUID):
    """A UUID in canonical lower-case text, as stored."""

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(uuid.UUID(str(value)))


class Codes(fields.List):
    """A list of codes from a vocabulary: a list of strings, each one of the vocabulary's codes.

    A list whose items are all known codes is taken as it is; any other value goes through
    marshmallow's List and String fields and the OneOf validator, which give the errors. Same result,
    but the common case skips a field call and a validator call per item (the lists were 60 % of
    validating an encounter).
    """

    def __init__(self, vocabulary: tuple[str, ...], **kwargs):
        super().__init__(fields.String(validate=validate.OneOf(vocabulary)), **kwargs)
        self._known = frozenset(vocabulary)

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is list and all(type(item) is str and item in self._known for item in value):
            return list(value)
        return super()._deserialize(value, attr, data, **kwargs)


def codes(vocabulary: tuple[str, ...], **kwargs) -> fields.List:
    """A list of codes from a vocabulary, each at most once."""
    return Codes(vocabulary, validate=_unique, **kwargs)


def _unique(values: list) -> None:
    if len(values) != len(set(values)):
        raise ValidationError("List each code once.")


def text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), allow_none=True, **kwargs)


MAX_ID = 2**31 - 1


def record_id(**kwargs) -> fields.Integer:
    """A database id (team, agency, site, user): a positive 32-bit integer, so no query overflows."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


# Times and days the API takes: from 1900 up to the end of 2999. Earlier or later values are typing
# mistakes, and would overflow the local-day arithmetic (a day after 9999-12-31 does not exist).
EARLIEST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_AFTER_LAST = datetime(3000, 1, 1, tzinfo=UTC)
_OUT_OF_RANGE = "Must be between 1900-01-01 and 2999-12-31."


class Moment(fields.AwareDateTime):
    """An instant with its UTC offset (RFC 3339), between 1900 and 2999."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            in_utc = moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(_OUT_OF_RANGE) from None
        if not _EARLIEST <= in_utc < _AFTER_LAST:
            raise ValidationError(_OUT_OF_RANGE)
        return moment


class Day(fields.Date):
    """A calendar day (YYYY-MM-DD), between 1900 and 2999."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST_DAY <= day <= LAST_DAY:
            raise ValidationError(_OUT_OF_RANGE)
        return day
