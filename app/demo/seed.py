"""Demo data: the unit's partner agencies, teams, shelters and one user per role. Idempotent."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from app.auth.models import User
from app.auth.services import create_user
from app.directory.models import Agency, Site, Team
from app.directory.services import upsert_by_name
from app.extensions import db

AGENCIES = [
    ("The Mustard Seed", "Mustard Seed", ["food", "housing", "employment", "id_documents", "income"]),
    ("George Spady Society", "Spady", ["addictions", "mental_health", "medical", "housing"]),
    ("Bent Arrow Traditional Healing Society", "Bent Arrow", ["family", "employment", "mental_health", "other"]),
    ("Radius Community Health and Healing", "Radius", ["medical", "addictions", "mental_health"]),
    ("Esquao Institute for the Advancement of Aboriginal Women", "Esquao", ["family", "safety", "legal", "other"]),
    ("Hope Mission", "Hope Mission", ["housing", "food", "addictions", "transportation"]),
    ("Boyle Street Community Services", "Boyle Street", ["housing", "id_documents", "income", "mental_health", "legal"]),
]

# The core team (downtown, since 2021) and the divisions' branch teams: the published figures group them.
TEAMS = [
    ("Downtown HELP", "Downtown Division", "core"),
    ("Northeast HELP", "Northeast Division", "branch"),
    ("West HELP", "West Division", "branch"),
    ("Southeast HELP", "Southeast Division", "branch"),
    ("Southwest HELP", "Southwest Division", "branch"),
    ("North HELP", "North Division", "branch"),
]

SITES = [
    ("Herb Jamieson Centre", "shelter", "Hope Mission", "Downtown Edmonton"),
    ("Hope Mission Women's Shelter", "shelter", "Hope Mission", "Downtown Edmonton"),
    ("George Spady Centre", "shelter", "George Spady Society", "Downtown Edmonton"),
    ("Mustard Seed Drop-in", "drop_in", "The Mustard Seed", "Downtown Edmonton"),
    ("Boyle Street Drop-in", "drop_in", "Boyle Street Community Services", "Boyle Street, Edmonton"),
    ("Radius Community Clinic", "clinic", "Radius Community Health and Healing", "Central Edmonton"),
]

# Demo sign-ins, printed by `flask seed-demo` and listed in the README. Never use in production.
DEMO_USERS = [
    ("officer", "officer", "bright-river-4100", "Downtown HELP", None, "Demo Officer"),
    ("navigator", "navigator", "quiet-harbour-5200", "Downtown HELP", "Hope Mission", "Demo Navigator"),
    ("supervisor", "supervisor", "steady-lantern-63", None, None, "Demo Supervisor"),
    ("admin", "admin", "amber-compass-74", None, None, "Demo Admin"),
]


def seed_reference_data() -> dict[str, int]:
    """Agencies, teams and sites; returns how many of each were created now."""
    created = {"agencies": 0, "teams": 0, "sites": 0}
    for name, short, services in AGENCIES:
        _row, new = upsert_by_name(Agency, name, short_name=short, services=services, active=True)
        created["agencies"] += new
    for name, division, group in TEAMS:
        _row, new = upsert_by_name(Team, name, division=division, group=group)
        created["teams"] += new
    for name, kind, agency_name, address in SITES:
        agency = db.session.execute(sa.select(Agency).where(Agency.name == agency_name)).scalar_one()
        _row, new = upsert_by_name(Site, name, kind=kind, agency_id=agency.id, address=address, active=True)
        created["sites"] += new
    return created


def seed_demo_users(*, random_passwords: bool = False) -> list[tuple[str, str | None, str, bool]]:
    """One user per role; returns (username, password, role, created_now) for printing.

    With `random_passwords` (a server that is not in development) the README's published passwords
    are not used: each new account gets a random one, returned only here; an account that already
    exists comes back with None.
    """
    out: list[tuple[str, str | None, str, bool]] = []
    for username, role, published, team, agency, display in DEMO_USERS:
        exists = db.session.scalar(sa.select(User.id).where(User.username == username)) is not None
        password: str | None
        if exists:
            password = None if random_passwords else published
        else:
            password = secrets.token_urlsafe(15) if random_passwords else published
            create_user(username, role, password, team=team, agency=agency, display_name=display)
        out.append((username, password, role, not exists))
    return out
