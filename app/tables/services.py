"""Situation tables: creating them, their members (agencies and police teams) and chairs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.directory.models import Agency, Team
from app.entries.outcomes import Refused, rejected
from app.extensions import db
from app.tables import access
from app.tables.models import SituationTable, TableChair, TableMember


def view(user: User, table: SituationTable) -> dict[str, Any]:
    members = access.member_rows(table.id)
    chairs = sorted(db.session.scalars(sa.select(TableChair.user_id).where(TableChair.table_id == table.id)))
    return {"id": table.id, "name": table.name, "active": table.active, "created_at": table.created_at,
            "agency_ids": sorted(m.agency_id for m in members if m.agency_id is not None),
            "team_ids": sorted(m.team_id for m in members if m.team_id is not None),
            "chair_user_ids": chairs, "chair": user.id in chairs}


def _check_ids(model: Any, ids: list[int], field_name: str) -> None:
    found = set(db.session.scalars(sa.select(model.id).where(model.id.in_(ids)))) if ids else set()
    unknown = sorted(set(ids) - found)
    if unknown:
        raise Refused(rejected("validation_error", "Some ids name nothing.",
                               {field_name: [f"Unknown: {', '.join(map(str, unknown))}."]}))


def _name_taken(name: str, table_id: int | None) -> None:
    other = db.session.scalar(sa.select(SituationTable.id).where(SituationTable.name == name))
    if other is not None and other != table_id:
        raise Refused(rejected("conflict", "A table with this name exists.", {"name": ["Already used."]}))


def _set_members(table_id: int, data: dict[str, Any]) -> None:
    if "agency_ids" in data:
        _check_ids(Agency, data["agency_ids"], "agency_ids")
        db.session.execute(sa.delete(TableMember).where(TableMember.table_id == table_id,
                                                        TableMember.agency_id.is_not(None)))
        db.session.add_all(TableMember(table_id=table_id, agency_id=a) for a in sorted(set(data["agency_ids"])))
    if "team_ids" in data:
        _check_ids(Team, data["team_ids"], "team_ids")
        db.session.execute(sa.delete(TableMember).where(TableMember.table_id == table_id,
                                                        TableMember.team_id.is_not(None)))
        db.session.add_all(TableMember(table_id=table_id, team_id=t) for t in sorted(set(data["team_ids"])))
    if "chair_user_ids" in data:
        _check_ids(User, data["chair_user_ids"], "chair_user_ids")
        db.session.execute(sa.delete(TableChair).where(TableChair.table_id == table_id))
        db.session.add_all(TableChair(table_id=table_id, user_id=u) for u in sorted(set(data["chair_user_ids"])))
    db.session.flush()


def create(data: dict[str, Any]) -> SituationTable:
    _name_taken(data["name"], None)
    table = SituationTable(name=data["name"], active=True)
    db.session.add(table)
    db.session.flush()
    _set_members(table.id, data)
    return table


def update(table_id: int, data: dict[str, Any]) -> SituationTable | None:
    table = db.session.get(SituationTable, table_id)
    if table is None:
        return None
    if "name" in data:
        _name_taken(data["name"], table.id)
        table.name = data["name"]
    if "active" in data:
        table.active = data["active"]
    _set_members(table.id, data)
    return table
