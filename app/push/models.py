"""Push subscriptions of signed-in users, and alerts waiting for the queue (the alert outbox)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.records import UUID, UtcDateTime, enum_check, utcnow

ALERT_KINDS = ("referral.created", "referral.updated")


class PushSubscription(db.Model):
    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1000), nullable=False, unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    auth: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PendingAlert(db.Model):
    """An alert decided on commit; kept until it has been handed to the queue."""

    __tablename__ = "pending_alerts"
    __table_args__ = (enum_check("kind", "kind", ALERT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    referral_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("referrals.id"), nullable=False)
    referral_version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
