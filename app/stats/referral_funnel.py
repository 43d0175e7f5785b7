"""GET /stats/referrals: the follow-through of referrals made in a period, per partner agency.

By status now: `made`, `pending`, `declined`, `withdrawn`, `completed`, `no_show`; `accepted` counts
every referral ever accepted (accepted_at set: completed, no-show and withdrawn-after-accepting
included); `overdue` is the part of `pending` past its deadline (app/referrals/deadlines.py).
Median hours from made_at to accepted_at, and from made_at to the move to completed: the database
finds each agency's middle one or two referrals, so no more than two rows per agency reach Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from statistics import median
from typing import Any

import sqlalchemy as sa

from app.audit.services import record
from app.directory.models import Agency
from app.extensions import db
from app.records import as_utc, utcnow
from app.referrals import deadlines
from app.referrals.models import Referral, ReferralEvent
from app.stats.periods import open_period

STATUSES = ("pending", "declined", "withdrawn", "completed", "no_show")
COUNTS = ("made", "pending", "accepted", "declined", "withdrawn", "completed", "no_show", "overdue")


def _hours(later: datetime, earlier: datetime) -> float:
    return (as_utc(later) - as_utc(earlier)).total_seconds() / 3600


def _elapsed(later: Any, earlier: Any) -> sa.ColumnElement[Any]:
    """SQL: later - earlier, exactly (an order for the median, never rounded): an interval on PostgreSQL;
    on SQLite, where SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC, whole microseconds."""
    if db.session.get_bind().dialect.name == "postgresql":
        return later - earlier

    def micros(column: Any) -> sa.ColumnElement[int]:
        return (sa.cast(sa.func.strftime("%s", column), sa.Integer) * 1_000_000
                + sa.cast(sa.func.substr(column, 21, 6), sa.Integer))
    return micros(later) - micros(earlier)


def _medians(selected: sa.Select, agency: Any, later: Any, earlier: Any) -> dict[int, float]:
    """{agency: median hours from `earlier` to `later`} over the rows `selected` filters, rounded as shown.

    The database ranks each agency's rows by the time between and hands back only the middle one or
    two (row_number and count windows, on both databases); the hours are then worked out from those rows
    exactly as statistics.median over every row would (the mean of the two middle ones)."""
    ranked = selected.with_only_columns(
        agency.label("agency"), later.label("later"), earlier.label("earlier"),
        sa.func.row_number().over(partition_by=agency, order_by=_elapsed(later, earlier)).label("rank"),
        sa.func.count().over(partition_by=agency).label("size")).subquery()
    middle = sa.select(ranked.c.agency, ranked.c.later, ranked.c.earlier).where(
        ranked.c.rank.in_([(ranked.c.size + 1) // 2, ranked.c.size // 2 + 1])).order_by(ranked.c.agency, ranked.c.rank)
    hours: dict[int, list[float]] = defaultdict(list)
    for agency_id, later_at, earlier_at in db.session.execute(middle):
        hours[agency_id].append(_hours(later_at, earlier_at))
    return {agency_id: round(median(values), 2) for agency_id, values in hours.items()}


def referral_funnel(start: date | None, end: date | None, agency_id: int | None = None) -> dict[str, Any]:
    """{"from", "to", "agencies": [{agency_id, name, counts..., median_hours_to_accept, ..._to_complete}]}:
    every agency (zeros included) by name, or only `agency_id`."""
    start, end = open_period(start, end, Referral.made_on)
    in_period: list[sa.ColumnElement[bool]] = [Referral.made_on.between(start, end)]
    if agency_id is not None:
        in_period.append(Referral.agency_id == agency_id)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))

    def how_many(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    # One pass over the period's referrals: by status, ever accepted, overdue now.
    by_status = (sa.select(Referral.agency_id, Referral.status, sa.func.count(),
                           how_many(Referral.accepted_at.is_not(None)), how_many(deadlines.overdue_clause(utcnow())))
                 .where(*in_period).group_by(Referral.agency_id, Referral.status))
    for agency, status, n, accepted, overdue in db.session.execute(by_status):
        row = counts[agency]
        row["made"] += n
        if status in STATUSES:
            row[status] += n
        row["accepted"] += int(accepted)
        row["overdue"] += int(overdue)

    to_accept = _medians(sa.select(Referral.id).where(*in_period, Referral.accepted_at.is_not(None)),
                         Referral.agency_id, Referral.accepted_at, Referral.made_at)
    to_complete = _medians(sa.select(Referral.id).join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
                           .where(*in_period, ReferralEvent.to_status == "completed"),
                           Referral.agency_id, ReferralEvent.at, Referral.made_at)

    agencies = sa.select(Agency).order_by(Agency.name, Agency.id)
    if agency_id is not None:
        agencies = agencies.where(Agency.id == agency_id)
    rows = [{"agency_id": agency.id, "name": agency.name, **counts[agency.id],
             "median_hours_to_accept": to_accept.get(agency.id),
             "median_hours_to_complete": to_complete.get(agency.id)}
            for agency in db.session.scalars(agencies)]
    record("stats.referrals", target_type="stats", date_from=start.isoformat(), date_to=end.isoformat(),
           agency_id=agency_id)
    return {"date_from": start, "date_to": end, "agencies": rows}
