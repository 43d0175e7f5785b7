"""A person's case: opened at intake, led by a navigator or officer, closed with a reason."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.records import UUID, FieldRecord, UtcDateTime, enum_check
from app.vocabulary import CASE_STATUSES


class Case(FieldRecord, db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        enum_check("status", "status", CASE_STATUSES),
        sa.Index("ix_cases_opened_on", "opened_on"),
        # At most one open case per person, whichever phone opened it.
        sa.Index("uq_cases_open_person", "person_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
    )

    person_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("persons.id"), nullable=False, index=True)
    referral_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("referrals.id"))
    lead_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    program: Mapped[str | None] = mapped_column(sa.String(160))
    notes: Mapped[str | None] = mapped_column(sa.String(4000))
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="open")
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    opened_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_reason: Mapped[str | None] = mapped_column(sa.String(400))
