"""Push subscriptions of signed-in users, alerts waiting for the queue (the alert outbox), and deliveries."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import UUID, UtcDateTime, enum_check, utcnow

# referral.overdue: the agency again, at the deadline; referral.escalated: the referring team's supervisors.
ALERT_KINDS = ("referral.created", "referral.updated", "referral.overdue", "referral.escalated", "situation.released")

# queued: a job is (or will be) on its way; sending: a worker holds the claim; waiting: the push service
# said "later" and a retry is scheduled; sent and failed are final.
DELIVERY_STATES = ("queued", "sending", "waiting", "sent", "failed")
UNFINISHED_STATES = ("queued", "sending", "waiting")


class PushSubscription(Model):
    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1000), nullable=False, unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    auth: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PendingAlert(Model):
    """An alert decided on commit; kept until it has been handed to the queue."""

    __tablename__ = "pending_alerts"
    __table_args__ = (enum_check("kind", "kind", ALERT_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    # The referral an alert is about; for situation.released, the situation instead.
    referral_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("referrals.id"))
    situation_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("situations.id"))
    referral_version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class PushDelivery(Model):
    """One alert to one subscription. The unique pair is what makes a job safe to run twice:
    a worker sends only after it has moved this row to `sending` itself (see app/push/jobs.py)."""

    __tablename__ = "push_deliveries"
    __table_args__ = (
        enum_check("state", "state", DELIVERY_STATES),
        sa.UniqueConstraint("alert_id", "subscription_id", name="uq_push_deliveries_alert_subscription"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(sa.ForeignKey("pending_alerts.id", ondelete="CASCADE"), nullable=False)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("push_subscriptions.id", ondelete="CASCADE"), nullable=False, index=True)
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="queued")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The push service's answer, for operators: a status code and its reason, never the payload.
    last_status: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
