"""The rules for the times an entry carries, the same on /sync and over REST.

A phone's clock may run a little fast or slow, and a phone may be offline for days: a time is
accepted from 1900-01-01 (the schemas' Moment field, app/fields.py) up to CLOCK_SKEW_SECONDS ahead
of the server's clock, and a change to a
record may be dated before the record's last change by at most that same allowance (two phones a
few minutes apart must not refuse each other's work, a date years back must not rewrite history).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CLOCK_SKEW_SECONDS = 600


@dataclass(frozen=True)
class TimeProblem:
    """Why a time was refused: the error code, a sentence for a person, and the field's message."""

    code: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)


def check_times(data: Mapping[str, Any], names: Iterable[str], now: datetime) -> TimeProblem | None:
    """The first time among `names` in `data` too far ahead of `now` (the schemas' Moment field has
    already kept every time between 1900 and 2999: app/fields.py)."""
    for name in names:
        value = data.get(name)
        if value is None:
            continue
        if (value - now).total_seconds() > CLOCK_SKEW_SECONDS:
            return TimeProblem("clock_skew", "The time is in the future: check the device's clock and resend.",
                               {name: ["More than 10 minutes ahead of the server's clock."]})
    return None


def earlier_than_allowed(value: datetime, latest: datetime) -> bool:
    """True when `value` is before `latest` by more than the clock-skew allowance (out of order)."""
    return (latest - value).total_seconds() > CLOCK_SKEW_SECONDS
