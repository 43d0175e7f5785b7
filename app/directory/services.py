"""Looking up and seeding reference data."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.directory.models import Agency, Site, Team
from app.extensions import db


def list_teams() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def list_agencies() -> list[Agency]:
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.name)))


def list_sites() -> list[Site]:
    return list(db.session.scalars(sa.select(Site).order_by(Site.name)))


def upsert_by_name(model, name: str, **values) -> tuple[object, bool]:
    """Find a reference row by name or create it; returns (row, created). Keeps seeding idempotent."""
    row = db.session.scalar(sa.select(model).where(model.name == name))
    if row is not None:
        return row, False
    row = model(name=name, **values)
    db.session.add(row)
    db.session.flush()
    return row, True


def agencies_for_needs(needs: Iterable[str]) -> list[tuple[Agency, list[str]]]:
    """Active agencies offering any of the needs, with the needs each covers: most needs covered first,
    then by name. Agencies are few (a city's partners), so the overlap is worked out here, not in SQL."""
    wanted = set(needs)
    if not wanted:
        return []
    found = []
    for agency in db.session.scalars(sa.select(Agency).where(Agency.active.is_(True))):
        covered = sorted(wanted & set(agency.services or []))
        if covered:
            found.append((agency, covered))
    return sorted(found, key=lambda pair: (-len(pair[1]), pair[0].name))
