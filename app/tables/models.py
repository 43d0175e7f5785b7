"""Situation tables, their members (agencies and police teams) and chairs; situations presented to a
table, the agencies that assist with one, and the notes of the agencies that act."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import UUID, FieldRecord, UtcDateTime, enum_check, utcnow
from app.vocabulary import AGE_BANDS, SITUATION_CLOSURE_REASONS, SITUATION_STATUSES


class SituationTable(Model):
    __tablename__ = "situation_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False, unique=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)


class TableMember(Model):
    """One member of a table: an agency, or a police team (exactly one of the two)."""

    __tablename__ = "situation_table_members"
    __table_args__ = (
        sa.CheckConstraint("(agency_id IS NULL) <> (team_id IS NULL)", name="agency_or_team"),
        sa.UniqueConstraint("table_id", "agency_id", name="uq_table_members_agency"),
        sa.UniqueConstraint("table_id", "team_id", name="uq_table_members_team"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(sa.ForeignKey("situation_tables.id"), nullable=False, index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"), index=True)


class TableChair(Model):
    __tablename__ = "situation_table_chairs"

    table_id: Mapped[int] = mapped_column(sa.ForeignKey("situation_tables.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True, index=True)


class Situation(FieldRecord, Model):
    """A situation of acutely elevated risk. `summary`, `protective_factors`, `age_band`, `gender`,
    `person_id`, `rationale` and `entry_hash` are set to NULL when the threshold is not met (erased)."""

    __tablename__ = "situations"
    __table_args__ = (
        enum_check("status", "status", SITUATION_STATUSES),
        enum_check("age_band", "age_band", AGE_BANDS),
        enum_check("close_reason", "close_reason", SITUATION_CLOSURE_REASONS),
        sa.CheckConstraint("(originating_agency_id IS NULL) <> (originating_team_id IS NULL)",
                           name="one_originator"),
        sa.CheckConstraint("status <> 'rejected' OR (summary IS NULL AND person_id IS NULL AND age_band IS NULL "
                           "AND gender IS NULL AND protective_factors IS NULL AND rationale IS NULL)",
                           name="rejected_is_erased"),
        sa.Index("ix_situations_table_status", "table_id", "status", "presented_on"),
    )

    table_id: Mapped[int] = mapped_column(sa.ForeignKey("situation_tables.id"), nullable=False)
    originating_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    originating_team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"))
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="presented")
    risk_factors: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    protective_factors: Mapped[list | None] = mapped_column(sa.JSON(none_as_null=True))
    age_band: Mapped[str | None] = mapped_column(sa.String(10))
    gender: Mapped[str | None] = mapped_column(sa.String(40))
    summary: Mapped[str | None] = mapped_column(sa.String(1000))
    person_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("persons.id"), index=True)
    presented_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lead_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    lead_team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"))
    rationale: Mapped[str | None] = mapped_column(sa.String(1000))
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    close_reason: Mapped[str | None] = mapped_column(sa.String(40))
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The person's case the acting agencies work it in: an existing case linked, or one opened from the
    # situation (POST /situations/<id>/case). Shown to the acting agencies only.
    case_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("cases.id"), index=True)


class SituationAssist(Model):
    """An agency the table asked to assist the lead with a situation."""

    __tablename__ = "situation_assisting_agencies"

    situation_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("situations.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), primary_key=True)


class SituationNote(FieldRecord, Model):
    """The intervention's notes: written and read by the lead and assisting agencies only."""

    __tablename__ = "situation_notes"

    situation_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("situations.id"), nullable=False, index=True)
    body: Mapped[str] = mapped_column(sa.String(4000), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
