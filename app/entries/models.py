"""The change clock: one row whose counter orders every change the feed hands out."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class ChangeClock(Model):
    __tablename__ = "change_clock"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
