"""Looking up, seeding and administering reference data (teams, partner agencies, sites)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from app.audit.services import record
from app.auth.rules import BIDI_CONTROLS
from app.directory.models import Agency, Site, Team
from app.entries.clock import tick
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


# ---- administration: create, edit, deactivate (admins) --------------------------------------------------

class DirectoryRefused(Exception):
    """A reference-data change refused: the error code (validation_error, conflict), a sentence, the fields."""

    def __init__(self, code: str, message: str, fields: dict[str, list[str]]):
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields


# What each kind of reference data takes, and what the audit row names it.
EDITABLE = {
    Team: ("name", "division", "group", "active"),
    Agency: ("name", "short_name", "services", "phone", "active"),
    Site: ("name", "kind", "agency_id", "address", "active"),
}
KIND = {Team: "team", Agency: "agency", Site: "site"}
_PHONE = re.compile(r"\+?[0-9 ().-]{3,30}( ?(ext\.?|x) ?[0-9]{1,6})?", re.IGNORECASE)
_TEXT_FIELDS = ("name", "division", "short_name", "address")


def _check(model, row, values: dict[str, Any]) -> None:
    problems: dict[str, list[str]] = {}
    for name in _TEXT_FIELDS:
        if values.get(name) is not None:
            if not values[name].strip():
                problems[name] = ["Give a name." if name == "name" else "Leave it empty rather than blank."]
            elif any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI_CONTROLS for c in values[name]):
                problems[name] = ["Remove control and text-direction characters."]
    if "name" in values and values["name"] is None:
        problems["name"] = ["Give a name."]
    if values.get("phone") and _PHONE.fullmatch(values["phone"].strip()) is None:
        problems["phone"] = ["Give a phone number: digits, spaces, + ( ) - and an extension (ext 12)."]
    if values.get("agency_id") is not None:
        agency = db.session.get(Agency, values["agency_id"])
        if agency is None or (not agency.active and (row is None or row.agency_id != values["agency_id"])):
            problems["agency_id"] = ["No active partner agency has this id."]
    if problems:
        raise DirectoryRefused("validation_error", "Some fields are not valid: " + ", ".join(sorted(problems)) + ".",
                               problems)
    if values.get("name"):
        name = values["name"].strip()
        clash = db.session.scalar(sa.select(model.id).where(sa.func.lower(model.name) == name.lower()))
        if clash is not None and (row is None or clash != row.id):
            raise DirectoryRefused("conflict", f"A {KIND[model]} named '{name}' already exists.",
                                   {"name": ["This name is already used."]})


def _apply(row, values: dict[str, Any]) -> dict[str, Any]:
    changed = {}
    for name, value in values.items():
        value = value.strip() or None if isinstance(value, str) and name != "name" else value
        value = value.strip() if isinstance(value, str) else value
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed[name] = value
    return changed


def create_reference(model, values: dict[str, Any]):
    """A new team, agency or site; phones receive it through /sync/changes (its change number)."""
    _check(model, None, values)
    row = model(**{"active": True, **({"services": []} if model is Agency else {})})
    _apply(row, {k: v for k, v in values.items() if k in EDITABLE[model]})
    row.change_seq = tick()
    db.session.add(row)
    db.session.flush()
    record(f"{KIND[model]}.create", target_type=KIND[model], target_id=row.id)
    return row


def update_reference(model, row, values: dict[str, Any]):
    """Edit or (active: false) deactivate: a deactivated one stays on the records that have it but cannot
    be chosen for new ones; phones learn of it through /sync/changes."""
    _check(model, row, values)
    changed = _apply(row, {k: v for k, v in values.items() if k in EDITABLE[model]})
    if changed:
        row.change_seq = tick()
        db.session.flush()
    action = "deactivate" if changed.get("active") is False else "update"
    record(f"{KIND[model]}.{action}", target_type=KIND[model], target_id=row.id, fields=sorted(changed))
    return row


def changed_since(model, since: int, upto: int) -> list:
    """Reference rows changed after one change number, up to another (the changes feed)."""
    return list(db.session.scalars(sa.select(model).where(model.change_seq > since, model.change_seq <= upto)
                                   .order_by(model.name)))
