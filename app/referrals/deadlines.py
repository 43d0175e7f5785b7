"""Referral deadlines: a pending referral not accepted or declined within REFERRAL_RESPONSE_HOURS of
being made (emergent 1, urgent 24, routine 72 by default) is overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.records import as_utc
from app.referrals.models import Referral


def response_hours() -> dict[str, float]:
    """{urgency: hours} from the configuration."""
    return dict(current_app.config["REFERRAL_RESPONSE_HOURS"])


def deadline(urgency: str, made_at: datetime) -> datetime:
    """When a referral of this urgency made at this time is due an answer."""
    return as_utc(made_at) + timedelta(hours=response_hours()[urgency])


def is_overdue(status: str, urgency: str, made_at: datetime, now: datetime) -> bool:
    return status == "pending" and deadline(urgency, made_at) < now


def overdue_clause(now: datetime) -> sa.ColumnElement[bool]:
    """SQL: pending and past its deadline at `now` (one bound cut-off per urgency, so an index on
    made_at serves both databases alike)."""
    return sa.and_(Referral.status == "pending", sa.or_(*(
        sa.and_(Referral.urgency == urgency, Referral.made_at < now - timedelta(hours=hours))
        for urgency, hours in response_hours().items())))
