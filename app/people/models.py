"""A person the teams meet. An alias in display_name is enough; legal names are optional."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import FieldRecord, UtcDateTime


class Person(FieldRecord, Model):
    __tablename__ = "persons"
    __table_args__ = (
        sa.CheckConstraint("birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)",
                           name="birth_year_range"),
    )

    display_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    given_name: Mapped[str | None] = mapped_column(sa.String(120))
    family_name: Mapped[str | None] = mapped_column(sa.String(120))
    birth_year: Mapped[int | None] = mapped_column(sa.Integer)
    gender: Mapped[str | None] = mapped_column(sa.String(40))
    description: Mapped[str | None] = mapped_column(sa.String(1000))
    consent_to_share: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Lower-cased names and alias, for search without a function index.
    search_text: Mapped[str] = mapped_column(sa.String(400), nullable=False, default="")
