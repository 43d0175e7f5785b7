"""A person's case: opened at intake, led by a navigator and an officer, with goals, notes and
transitions to longer-term programs, tracked for a window of months, closed with a reason."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, object_session

from app.cases.window import tracking_until_for_insert
from app.extensions import Model
from app.records import UUID, FieldRecord, UtcDateTime, enum_check, utcnow
from app.vocabulary import CASE_STATUSES, GOAL_STATUSES


class Case(FieldRecord, Model):
    __tablename__ = "cases"
    __table_args__ = (
        enum_check("status", "status", CASE_STATUSES),
        sa.CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL", name="closed_at_required"),
        sa.CheckConstraint("tracking_until > opened_on", name="tracking_after_intake"),
        sa.Index("ix_cases_opened_on", "opened_on"),
        # People taken in, by team and overall (the published figures): walked in order, never sorted.
        sa.Index("ix_cases_team_person_opened", "team_id", "person_id", "opened_on"),
        sa.Index("ix_cases_person_opened", "person_id", "opened_on"),
        sa.Index("ix_cases_status_review", "status", "review_due_on"),
        sa.Index("ix_cases_status_tracking", "status", "tracking_until"),
        # At most one open case per person, whichever phone opened it.
        sa.Index("uq_cases_open_person", "person_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
    )

    person_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("persons.id"), nullable=False, index=True)
    referral_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("referrals.id"))
    # The lead navigator (or whoever leads the case) and the lead officer.
    lead_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    program: Mapped[str | None] = mapped_column(sa.String(160))
    notes: Mapped[str | None] = mapped_column(sa.String(4000))
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="open")
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    opened_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    review_due_on: Mapped[date | None] = mapped_column(sa.Date)
    # The end of the tracking window (the heavy-users program tracks 12-24 months after intake).
    tracking_until: Mapped[date] = mapped_column(sa.Date, nullable=False, default=tracking_until_for_insert)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_reason: Mapped[str | None] = mapped_column(sa.String(400))
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The phone's UUID of the case_closure entry: a replayed closure is a duplicate, never a second one.
    closure_entry_id: Mapped[str | None] = mapped_column(UUID, unique=True)
    closure_entry_hash: Mapped[str | None] = mapped_column(sa.String(64))


class CaseGoal(FieldRecord, Model):
    """A goal of the case plan, with its current status; its history is in CaseGoalEvent."""

    __tablename__ = "case_goals"
    __table_args__ = (enum_check("status", "status", GOAL_STATUSES),)

    case_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("cases.id"), nullable=False, index=True)
    description: Mapped[str] = mapped_column(sa.String(1000), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="set")
    set_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    target_date: Mapped[date | None] = mapped_column(sa.Date)
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)


class CaseGoalEvent(Model):
    """One status change of a goal; entry_id is the phone's UUID of the case_goal_update."""

    __tablename__ = "case_goal_events"
    __table_args__ = (
        enum_check("from_status", "from_status", GOAL_STATUSES),
        enum_check("to_status", "to_status", GOAL_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str | None] = mapped_column(UUID, unique=True)
    entry_hash: Mapped[str | None] = mapped_column(sa.String(64))
    goal_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("case_goals.id"), nullable=False, index=True)
    from_status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    to_status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(2000))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)


class CaseNote(FieldRecord, Model):
    """A case note; the author is FieldRecord.author_id (from the session)."""

    __tablename__ = "case_notes"

    case_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("cases.id"), nullable=False, index=True)
    body: Mapped[str] = mapped_column(sa.String(4000), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class CaseTransition(FieldRecord, Model):
    """The person handed on to a longer-term program: which agency, which program, when."""

    __tablename__ = "case_transitions"

    case_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("cases.id"), nullable=False, index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), nullable=False)
    program: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    transitioned_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    transitioned_on: Mapped[date] = mapped_column(sa.Date, nullable=False)


def _staff_name(record: object, user_id: int | None) -> str | None:
    """A staff member's display name (the session's identity map keeps a list of cases to one read per person)."""
    from app.auth.models import User

    session = object_session(record)
    if user_id is None or session is None:
        return None
    user = session.get(User, user_id)
    return user.display_name if user is not None else None


# Who leads the case, by name, for the lists and the case page (staff, never the person's details).
Case.lead_name = property(lambda case: _staff_name(case, case.lead_user_id))
Case.officer_name = property(lambda case: _staff_name(case, case.officer_id))
