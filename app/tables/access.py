"""Who is what at a table: member (through their agency or police team), chair, and, once the
threshold is met, an acting agency (lead or assisting). The one place these rules live."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.tables.models import Situation, SituationAssist, SituationTable, TableChair, TableMember

# Statuses in which the acting agencies see the person and write notes.
DISCLOSED = ("open", "closed")


def member_clause(user: User) -> sa.ColumnElement[bool]:
    """Tables the user sits at through their agency (navigators) or police team (officers, supervisors)."""
    condition: sa.ColumnElement[bool] = sa.false()
    if user.role == "navigator" and user.agency_id is not None:
        condition = condition | (TableMember.agency_id == user.agency_id)
    if user.role in ("officer", "supervisor") and user.team_id is not None:
        condition = condition | (TableMember.team_id == user.team_id)
    return condition


def member_table_ids(user: User) -> set[int]:
    return set(db.session.scalars(sa.select(TableMember.table_id).where(member_clause(user))))


def chaired_table_ids(user: User) -> set[int]:
    return set(db.session.scalars(sa.select(TableChair.table_id).where(TableChair.user_id == user.id)))


def is_member(user: User, table_id: int) -> bool:
    return table_id in member_table_ids(user)


def is_chair(user: User, table_id: int) -> bool:
    return table_id in chaired_table_ids(user)


def at_table(user: User, table_id: int) -> bool:
    """Members and chairs take part in the table's discussion (stages 1-3)."""
    return is_member(user, table_id) or is_chair(user, table_id)


def readable_table_ids(user: User) -> set[int]:
    return member_table_ids(user) | chaired_table_ids(user)


def visible_tables(user: User) -> list[SituationTable]:
    statement = sa.select(SituationTable)
    if user.role != "admin":
        statement = statement.where(SituationTable.id.in_(readable_table_ids(user)))
    return list(db.session.scalars(statement.order_by(SituationTable.name, SituationTable.id)))


def assisting_agency_ids(situation_id: str) -> list[int]:
    return sorted(db.session.scalars(
        sa.select(SituationAssist.agency_id).where(SituationAssist.situation_id == situation_id)))


def is_lead(user: User, situation: Situation) -> bool:
    if user.role == "navigator" and user.agency_id is not None and user.agency_id == situation.lead_agency_id:
        return True
    return (user.role in ("officer", "supervisor") and user.team_id is not None
            and user.team_id == situation.lead_team_id)


def acts(user: User, situation: Situation) -> bool:
    """The lead or an assisting agency (or team) of a situation whose threshold was met."""
    if situation.status not in DISCLOSED:
        return False
    if is_lead(user, situation):
        return True
    return (user.role == "navigator" and user.agency_id is not None
            and user.agency_id in assisting_agency_ids(str(situation.id)))


def acting_situation_ids(user: User, case_id: str) -> list[str]:
    """The situations linked to a case that the user's agency (or team) acts on: a case shows its
    situations to them only, since the link ties the person to what the table discussed."""
    found = db.session.scalars(sa.select(Situation).where(Situation.case_id == case_id)
                               .order_by(Situation.presented_on, Situation.id))
    return [str(s.id) for s in found if acts(user, s)]


def report_reader(user: User, table_id: int) -> bool:
    return user.role in ("supervisor", "admin") or is_chair(user, table_id)


def member_rows(table_id: int) -> list[TableMember]:
    return list(db.session.scalars(sa.select(TableMember).where(TableMember.table_id == table_id)
                                   .order_by(TableMember.id)))
