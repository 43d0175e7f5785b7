"""Teams, partner agencies and the sites (shelters, drop-ins) where navigators check in."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import enum_check
from app.vocabulary import SITE_KINDS, TEAM_GROUPS


class Team(Model):
    __tablename__ = "teams"
    # "group" is an SQL keyword: quoted in the check (a null group passes it).
    __table_args__ = (sa.CheckConstraint('"group" IN (' + ", ".join(f"'{g}'" for g in TEAM_GROUPS) + ")",
                                         name="group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    division: Mapped[str | None] = mapped_column(sa.String(120))
    # core (the downtown HELP teams) or branch (a division's own team): the reporting groups by it.
    group: Mapped[str | None] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0, index=True)


class Agency(Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True, nullable=False)
    short_name: Mapped[str | None] = mapped_column(sa.String(60))
    # Needs codes this agency serves: drives the triage suggestions.
    services: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0, index=True)


class Site(Model):
    __tablename__ = "sites"
    __table_args__ = (enum_check("kind", "kind", SITE_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="shelter")
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0, index=True)
