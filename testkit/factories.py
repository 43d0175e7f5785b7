"""Factories that make rows the way the app would, with sensible defaults and overrides."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from functools import lru_cache

from app.auth.models import User
from app.auth.passwords import hash_password
from app.directory.models import Agency, Site, Team
from app.extensions import db

PASSWORD = "field-test-password-1"
_counter = itertools.count(1)


@lru_cache(maxsize=4)
def password_hash(password: str = PASSWORD) -> str:
    """Hashing costs ~0.1 s by design; one hash per password serves the whole run."""
    return hash_password(password)


def new_id() -> str:
    return str(uuid.uuid4())


def make_team(name: str | None = None) -> Team:
    team = Team(name=name or f"Team {next(_counter)}", division="Test Division")
    db.session.add(team)
    db.session.flush()
    return team


def make_agency(name: str | None = None, services: list[str] | None = None) -> Agency:
    agency = Agency(name=name or f"Agency {next(_counter)}", short_name=None,
                    services=services if services is not None else ["housing"], active=True)
    db.session.add(agency)
    db.session.flush()
    return agency


def make_site(agency: Agency | None = None, name: str | None = None) -> Site:
    site = Site(name=name or f"Shelter {next(_counter)}", kind="shelter",
                agency_id=agency.id if agency else None, address="Downtown", active=True)
    db.session.add(site)
    db.session.flush()
    return site


def make_user(role: str = "officer", *, team: Team | None = None, agency: Agency | None = None,
              username: str | None = None, password: str = PASSWORD, active: bool = True) -> User:
    if role == "navigator" and agency is None:
        agency = make_agency()
    user = User(username=username or f"{role}{next(_counter)}", display_name=f"Test {role.title()}",
                role=role, team_id=team.id if team else None, agency_id=agency.id if agency else None,
                password_hash=password_hash(password), active=active)
    db.session.add(user)
    db.session.flush()
    return user


def at(text: str) -> datetime:
    """Parse an RFC 3339 string in tests."""
    return datetime.fromisoformat(text).astimezone(UTC)
