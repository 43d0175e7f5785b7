"""A person the teams meet (an alias in display_name is enough; legal names are optional), and the
history of the changes made to them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import UUID, FieldRecord, UtcDateTime, utcnow


class Person(FieldRecord, Model):
    __tablename__ = "persons"
    __table_args__ = (
        sa.CheckConstraint("birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)",
                           name="birth_year_range"),
    )

    # Null only on a duplicate merged into another person (it keeps no identifying fields).
    display_name: Mapped[str | None] = mapped_column(sa.String(120))
    given_name: Mapped[str | None] = mapped_column(sa.String(120))
    family_name: Mapped[str | None] = mapped_column(sa.String(120))
    birth_year: Mapped[int | None] = mapped_column(sa.Integer)
    gender: Mapped[str | None] = mapped_column(sa.String(40))
    description: Mapped[str | None] = mapped_column(sa.String(1000))
    consent_to_share: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Street names the person goes by (at most 10).
    aliases: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list, server_default=sa.text("'[]'"))
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1, server_default=sa.text("1"))
    # The person kept when this one was merged into it as a duplicate; null otherwise.
    merged_into: Mapped[str | None] = mapped_column(UUID, sa.ForeignKey("persons.id"))
    # Lower-cased names and aliases, for search without a function index.
    search_text: Mapped[str] = mapped_column(sa.String(1400), nullable=False, default="")


class PersonChange(Model):
    """One applied person_update: which fields it set (names only), by whom, when; entry_id is the
    phone's UUID of the entry (the idempotency key)."""

    __tablename__ = "person_changes"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "version", name="uq_person_changes_person_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str | None] = mapped_column(UUID, unique=True)
    entry_hash: Mapped[str | None] = mapped_column(sa.String(64))
    person_id: Mapped[str] = mapped_column(UUID, sa.ForeignKey("persons.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    fields: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
