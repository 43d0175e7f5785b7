"""Looking up and seeding reference data."""

from __future__ import annotations

import sqlalchemy as sa

from app.directory.models import Agency, Site, Team
from app.extensions import db


def list_teams() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def list_agencies() -> list[Agency]:
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.name)))


def list_sites() -> list[Site]:
    return list(db.session.scalars(sa.select(Site).order_by(Site.name)))


def get_agency(agency_id: int) -> Agency | None:
    return db.session.get(Agency, agency_id)


def get_site(site_id: int) -> Site | None:
    return db.session.get(Site, site_id)


def upsert_by_name(model, name: str, **values) -> tuple[object, bool]:
    """Find a reference row by name or create it; returns (row, created). Keeps seeding idempotent."""
    row = db.session.scalar(sa.select(model).where(model.name == name))
    if row is not None:
        return row, False
    row = model(name=name, **values)
    db.session.add(row)
    db.session.flush()
    return row, True
