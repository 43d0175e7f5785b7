"""One encounter logged by a team member (occurred_on is its day in the service's time zone), and each
correction or void of it (`EncounterChange`, keyed by the entry that made it)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.records import UUID, FieldRecord, UtcDateTime, enum_check, utcnow
from app.vocabulary import ENCOUNTER_KINDS


class Encounter(FieldRecord, Model):
    __tablename__ = "encounters"
    __table_args__ = (
        enum_check("kind", "kind", ENCOUNTER_KINDS),
        sa.CheckConstraint("triage_level BETWEEN 1 AND 4", name="triage_level_range"),
        sa.CheckConstraint("duration_minutes IS NULL OR duration_minutes BETWEEN 0 AND 1440",
                           name="duration_range"),
        sa.CheckConstraint("kind NOT IN ('primary_response', 'on_scene_assist') OR call_number IS NOT NULL",
                           name="call_number_required"),
        sa.CheckConstraint("kind <> 'shelter_check_in' OR site_id IS NOT NULL", name="site_required"),
        sa.Index("ix_encounters_team_occurred", "team_id", "occurred_at"),
        sa.Index("ix_encounters_day_kind", "occurred_on", "kind"),
        sa.Index("ix_encounters_team_day_kind", "team_id", "occurred_on", "kind"),
        # `voided` last: the published figures count people from these indexes alone (no table lookups).
        sa.Index("ix_encounters_person_occurred", "person_id", "occurred_at", "voided"),
        # People met by each team (the published figures): walked in order, never sorted; overall, the one above.
        sa.Index("ix_encounters_team_person_occurred", "team_id", "person_id", "occurred_at", "voided"),
        # One call's primary responses (calls for service are counted by call number: app/stats/distinct.py).
        sa.Index("ix_encounters_call_number", "call_number"),
    )

    kind: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    occurred_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    person_id: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("persons.id"))
    call_number: Mapped[str | None] = mapped_column(sa.String(40))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id"))
    needs: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    risk_flags: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    outcome: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    triage_level: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    triage_computed: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    duration_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    description: Mapped[str | None] = mapped_column(sa.String(1000))
    notes: Mapped[str | None] = mapped_column(sa.String(4000))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1, server_default="1")
    voided: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    void_reason: Mapped[str | None] = mapped_column(sa.String(400))

    amendments: Mapped[list[EncounterChange]] = relationship(
        primaryjoin="and_(EncounterChange.encounter_id == Encounter.id, EncounterChange.action == 'amend')",
        order_by="EncounterChange.version", lazy="selectin", viewonly=True)


CHANGE_ACTIONS = ("amend", "void")


class EncounterChange(Model):
    """One amendment or void; entry_id is the UUID of the encounter_amend / encounter_void entry (the
    idempotency key), `fields` the names of the fields it set (never their values)."""

    __tablename__ = "encounter_changes"
    __table_args__ = (
        enum_check("action", "action", CHANGE_ACTIONS),
        sa.UniqueConstraint("encounter_id", "version", name="uq_encounter_changes_encounter_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(UUID, unique=True, nullable=False)
    entry_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    encounter_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("encounters.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(400), nullable=False)
    fields: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)



