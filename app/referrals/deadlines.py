"""Referral deadlines: a pending referral not accepted or declined within REFERRAL_RESPONSE_HOURS of
being made (emergent 1, urgent 24, routine 72 by default) is overdue."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import CursorResult

from app.extensions import db
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


# Escalation: step 1 at the deadline (the agency's navigators alerted again), step 2 one more response
# period later, still unanswered (the referring team's supervisors). Step n is due at made_at + n x hours.
ESCALATION_STEPS = (1, 2)


def escalation_due_clause(step: int, now: datetime) -> sa.ColumnElement[bool]:
    """SQL: pending, escalated to step - 1 so far, and made more than `step` response periods before now."""
    return sa.and_(Referral.status == "pending", Referral.escalation_step == step - 1, sa.or_(*(
        sa.and_(Referral.urgency == urgency, Referral.made_at < now - timedelta(hours=hours * step))
        for urgency, hours in response_hours().items())))


def take_escalation_step(referral_id: str, step: int) -> bool:
    """Move a referral to `step` if nobody has yet (a compare-and-set: of two sweeps racing, one wins;
    on PostgreSQL the loser waits for the winner's row lock, then finds the step taken). True: this
    caller took it, and must announce it in the same transaction."""
    # An UPDATE's result is a CursorResult (it has the row count); Session.execute is typed for any statement.
    moved = cast(CursorResult, db.session.execute(
        sa.update(Referral).where(Referral.id == referral_id, Referral.status == "pending",
                                  Referral.escalation_step == step - 1)
        .values(escalation_step=step).execution_options(synchronize_session=False)))
    return bool(moved.rowcount)
