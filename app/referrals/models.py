"""A referral of a person to a partner agency, and every status change it went through."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import UUID, FieldRecord, UtcDateTime, enum_check, utcnow
from app.vocabulary import NEEDS, REFERRAL_STATUSES, URGENCIES


class Referral(FieldRecord, Model):
    __tablename__ = "referrals"
    __table_args__ = (
        enum_check("status", "status", REFERRAL_STATUSES),
        enum_check("urgency", "urgency", URGENCIES),
        enum_check("service", "service", NEEDS),
        sa.Index("ix_referrals_agency_status", "agency_id", "status"),
        sa.Index("ix_referrals_made_on", "made_on"),
        sa.Index("ix_referrals_accepted_on", "accepted_on"),
        # Referrals completed in a period, per team (the published figures): read from the index alone.
        sa.Index("ix_referrals_completed_on_team", "completed_on", "team_id"),
    )

    person_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("persons.id"), nullable=False, index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), nullable=False)
    encounter_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("encounters.id"))
    service: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    urgency: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="routine")
    consent_obtained: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    notes: Mapped[str | None] = mapped_column(sa.String(4000))
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="pending")
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    made_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    made_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_on: Mapped[date | None] = mapped_column(sa.Date)
    # The local day of the move to completed (a final status: at most one such move), kept with it.
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    # Re-alerts of an overdue referral taken so far (app/push/overdue.py): 1 the agency re-alerted,
    # 2 the referring team's supervisors alerted. Moved only by a compare-and-set, so each step once.
    escalation_step: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0, server_default="0")


class ReferralEvent(Model):
    """One status change; entry_id is the phone's UUID of the referral_update (idempotency key)."""

    __tablename__ = "referral_events"
    __table_args__ = (
        enum_check("from_status", "from_status", REFERRAL_STATUSES),
        enum_check("to_status", "to_status", REFERRAL_STATUSES),
        sa.UniqueConstraint("referral_id", "version", name="uq_referral_events_referral_version"),
        # Referrals completed in a period (the published figures count them on the day of that move).
        sa.Index("ix_referral_events_to_status_at", "to_status", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str | None] = mapped_column(UUID, unique=True)
    entry_hash: Mapped[str | None] = mapped_column(sa.String(64))
    referral_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("referrals.id"), nullable=False, index=True)
    from_status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    to_status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
