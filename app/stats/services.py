"""Daily counts for supervisors: every day of a period, in the service's time zone, with totals.

A day is the local calendar day of when something happened (occurred_on, made_on, accepted_on,
opened_on are computed at write time and counted into the daily rollup then), so a late sync lands
on the day it happened and DST days with 23 or 25 hours need no special handling here.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app

from app.audit.services import record
from app.auth.models import User
from app.directory.models import Team
from app.errors import ApiError
from app.extensions import db
from app.records import local_day, utcnow
from app.stats import rollup
from app.stats.export import daily_csv
from app.stats.models import MEASURES

MAX_DAYS = 366
COUNT_KEYS = MEASURES


def period_days(start: date, end: date) -> list[date]:
    """Every day from start to end inclusive, after checking the period is one the API answers."""
    if start > end:
        raise ApiError(400, "validation_error", "The start date ('from') must be on or before the end date ('to').",
                       fields={"from": ["Must be on or before 'to'."]})
    length = (end - start).days + 1
    if length > MAX_DAYS:
        raise ApiError(400, "validation_error",
                       f"Ask for at most {MAX_DAYS} days at a time; this period has {length} days.",
                       fields={"to": [f"The period may span at most {MAX_DAYS} days."]})
    return [start + timedelta(days=n) for n in range(length)]


def _check_filters(team_id: int | None, user_id: int | None) -> None:
    """An unknown team or user is a mistake worth saying, not a silent column of zeros."""
    if team_id is not None and db.session.get(Team, team_id) is None:
        raise ApiError(400, "validation_error", f"There is no team with id {team_id}.",
                       fields={"team_id": ["Unknown team."]})
    if user_id is not None and db.session.get(User, user_id) is None:
        raise ApiError(400, "validation_error", f"There is no user with id {user_id}.",
                       fields={"user_id": ["Unknown user."]})


DEFAULT_DAYS = 30


def default_period(start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked for, each missing end filled in: `to` today (local, live), `from` 29 days before it.

    Today's counts are live: the rollup is written in the transaction that stores a record, so an
    entry synced a second ago is already counted on its local day.
    """
    end = end or local_day(utcnow())
    return start or end - timedelta(days=DEFAULT_DAYS - 1), end


def daily_counts(start: date, end: date, *, team_id: int | None = None,
                 user_id: int | None = None) -> dict[str, Any]:
    """{"timezone", "days": [{"date" (ISO), <measures>}], "totals": {<measures>}}; user_id means the author.

    Read from the daily rollup: a year is a few thousand rows whatever the number of records.
    """
    days = period_days(start, end)
    _check_filters(team_id, user_id)
    table = {day: dict.fromkeys(COUNT_KEYS, 0) for day in days}
    for day, measure, n in rollup.counts_by_day(start, end, team_id=team_id, user_id=user_id):
        table[day][measure] = n
    totals = {key: sum(counts[key] for counts in table.values()) for key in COUNT_KEYS}
    return {
        "timezone": current_app.config["TIMEZONE"],
        "date_from": start,
        "date_to": end,
        "days": [{"date": day.isoformat(), **counts} for day, counts in table.items()],
        "totals": totals,
    }


def export_daily_csv(start: date, end: date, *, team_id: int | None = None,
                     user_id: int | None = None) -> tuple[str, str]:
    """(filename, CSV text) of the daily counts; every export is audited (what was asked, not what it held)."""
    report = daily_counts(start, end, team_id=team_id, user_id=user_id)
    record("stats.export", target_type="stats", format="csv", date_from=start.isoformat(),
           date_to=end.isoformat(), team_id=team_id, user_id=user_id)
    suffix = "".join(f"-{name}{value}" for name, value in (("team", team_id), ("user", user_id)) if value)
    return f"help-daily-{start.isoformat()}-{end.isoformat()}{suffix}.csv", daily_csv(report, COUNT_KEYS)
