"""Open-ended report periods (Part 2 › Reporting): no 366-day cap; without `to` the period ends today
(local), without `from` it starts on the first day anything was recorded."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from app.errors import ApiError
from app.extensions import db
from app.records import local_day, service_zone, utcnow


def open_period(start: date | None, end: date | None, first_day: Any,
                names: tuple[str, str] = ("from", "to")) -> tuple[date, date]:
    """(from, to) with the missing ends filled: `to` today in the service's zone, `from` the earliest
    value of `first_day` (a local-day column), or `to` when nothing is recorded yet."""
    end = end or local_day(utcnow())
    if start is None:
        earliest = db.session.scalar(sa.select(sa.func.min(first_day)))
        start = min(earliest, end) if earliest is not None else end
    if start > end:
        first, last = names
        raise ApiError(400, "validation_error",
                       f"The start date ('{first}') must be on or before the end date ('{last}').",
                       fields={first: [f"Must be on or before '{last}'."]})
    return start, end


def local_midnight(day: date) -> datetime:
    """The instant a local day begins (a DST day is 23 or 25 hours long)."""
    return datetime.combine(day, time(), tzinfo=service_zone())


def instants(start: date, end: date) -> tuple[datetime, datetime]:
    """[first instant of start, first instant after end) for columns holding times, not days."""
    return local_midnight(start), local_midnight(end + timedelta(days=1))
