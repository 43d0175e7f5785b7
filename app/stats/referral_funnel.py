"""GET /stats/referrals: the follow-through of referrals made in a period, per partner agency.

By status now: `made`, `pending`, `declined`, `withdrawn`, `completed`, `no_show`; `accepted` counts
every referral ever accepted (accepted_at set: completed, no-show and withdrawn-after-accepting
included); `overdue` is the part of `pending` past its deadline (app/referrals/deadlines.py).
Median hours from made_at to accepted_at, and from made_at to the move to completed.
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


def _hours(later: datetime | None, earlier: datetime) -> float:
    assert later is not None  # selected where set
    return (as_utc(later) - as_utc(earlier)).total_seconds() / 3600


def _median(values: list[float]) -> float | None:
    return round(median(values), 2) if values else None


def referral_funnel(start: date | None, end: date | None, agency_id: int | None = None) -> dict[str, Any]:
    """{"from", "to", "agencies": [{agency_id, name, counts..., median_hours_to_accept, ..._to_complete}]}:
    every agency (zeros included) by name, or only `agency_id`."""
    start, end = open_period(start, end, Referral.made_on)
    in_period: list[sa.ColumnElement[bool]] = [Referral.made_on.between(start, end)]
    if agency_id is not None:
        in_period.append(Referral.agency_id == agency_id)
    now = utcnow()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))

    by_status = sa.select(Referral.agency_id, Referral.status, sa.func.count()).where(*in_period) \
        .group_by(Referral.agency_id, Referral.status)
    for agency, status, n in db.session.execute(by_status):
        counts[agency]["made"] += n
        if status in STATUSES:
            counts[agency][status] += n
    ever_accepted = sa.select(Referral.agency_id, sa.func.count()).where(
        *in_period, Referral.accepted_at.is_not(None)).group_by(Referral.agency_id)
    for agency, n in db.session.execute(ever_accepted):
        counts[agency]["accepted"] = n
    overdue = sa.select(Referral.agency_id, sa.func.count()).where(
        *in_period, deadlines.overdue_clause(now)).group_by(Referral.agency_id)
    for agency, n in db.session.execute(overdue):
        counts[agency]["overdue"] = n

    to_accept: dict[int, list[float]] = defaultdict(list)
    for agency, made_at, accepted_at in db.session.execute(
            sa.select(Referral.agency_id, Referral.made_at, Referral.accepted_at)
            .where(*in_period, Referral.accepted_at.is_not(None))):
        to_accept[agency].append(_hours(accepted_at, made_at))
    to_complete: dict[int, list[float]] = defaultdict(list)
    for agency, made_at, completed_at in db.session.execute(
            sa.select(Referral.agency_id, Referral.made_at, ReferralEvent.at)
            .join(ReferralEvent, ReferralEvent.referral_id == Referral.id)
            .where(*in_period, ReferralEvent.to_status == "completed")):
        to_complete[agency].append(_hours(completed_at, made_at))

    agencies = sa.select(Agency).order_by(Agency.name, Agency.id)
    if agency_id is not None:
        agencies = agencies.where(Agency.id == agency_id)
    rows = [{"agency_id": agency.id, "name": agency.name, **counts[agency.id],
             "median_hours_to_accept": _median(to_accept[agency.id]),
             "median_hours_to_complete": _median(to_complete[agency.id])}
            for agency in db.session.scalars(agencies)]
    record("stats.referrals", target_type="stats", date_from=start.isoformat(), date_to=end.isoformat(),
           agency_id=agency_id)
    return {"date_from": start, "date_to": end, "agencies": rows}
