"""Audit events (ids only, never personal details) and disclosures of identity to agencies."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import UUID, UtcDateTime, utcnow


class AuditEvent(Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_at", "at"),
        sa.Index("ix_audit_events_target", "target_type", "target_id"),
        sa.Index("ix_audit_events_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="ok")
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)


class Disclosure(Model):
    """Identifying fields of a person made visible to a partner agency, and the consent behind it."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("persons.id"), nullable=False, index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), nullable=False)
    referral_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("referrals.id"))
    disclosed_by: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    fields: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    consent_basis: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
