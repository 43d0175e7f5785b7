"""The unit's published figures for a period, overall and by team (DESIGN.md's table, counted exactly)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app

from app.directory.models import Team
from app.extensions import db
from app.records import UtcDateTime, service_zone
from app.stats import rollup
from app.stats.services import period_days

# Published figure name for each encounter kind ("2,837 interactions", "951 calls ... primary").
KIND_FIGURES = {
    "interaction": "interactions",
    "primary_response": "primary_responses",
    "consultation": "consultations",
    "on_scene_assist": "on_scene_assists",
    "shelter_check_in": "shelter_check_ins",
}
FIGURES = (*KIND_FIGURES.values(), "referrals", "case_intakes", "distinct_people_engaged")
ROLLUP_FIGURES = {**KIND_FIGURES, "referrals_made": "referrals"}


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=service_zone())


# The distinct-people figures, counted by the database (people, not records: they cannot be added
# up from the rollup). Each count is one walk along an index that holds the period's rows in the
# order the count needs, so a year of records is never sorted or hashed:
#   figure                    per team: (team, person, when)         overall: (person, when)
#   distinct_people_engaged   ix_encounters_team_person_occurred     ix_encounters_person_occurred
#   (both end in `voided`, so leaving voided encounters out needs no table lookups)
#   case_intakes              ix_cases_team_person_opened            ix_cases_person_opened
# SQLite counts DISTINCT as the rows pass along such an index, but it has to be named (INDEXED BY):
# by its estimates it takes a day index and sorts the year in a temporary B-tree (seconds at a
# million encounters). PostgreSQL 15 sorts for every count(DISTINCT) whatever the order, so it gets
# a GROUP BY of the same rows, ORDER BY its key: asked only to group, it would rather hash the
# year's 450,000 (team, person) pairs, spilling past work_mem (0.9 s instead of 0.12 s here).
class _PeopleCount(NamedTuple):
    table: str
    where: str  # the rows of the period
    params: tuple[sa.BindParameter, ...]  # its parameters, typed
    team_index: str  # (team_id, person_id, when): SQLite walks it for the count per team
    person_index: str  # (person_id, when): and this one for the count overall


_PEOPLE_COUNTS = {
    "distinct_people_engaged": _PeopleCount(
        "encounters", "occurred_at >= :after AND occurred_at < :before AND person_id IS NOT NULL AND NOT voided",
        (sa.bindparam("after", type_=UtcDateTime), sa.bindparam("before", type_=UtcDateTime)),
        "ix_encounters_team_person_occurred", "ix_encounters_person_occurred"),
    "case_intakes": _PeopleCount(
        "cases", "opened_on BETWEEN :start AND :end",
        (sa.bindparam("start", type_=sa.Date), sa.bindparam("end", type_=sa.Date)),
        "ix_cases_team_person_opened", "ix_cases_person_opened"),
}


def _count_people(count: _PeopleCount, *, by_team: bool) -> sa.TextClause:
    """SELECT [team_id,] the number of distinct person_id among the period's rows [per team]."""
    team, by = ("team_id, ", " GROUP BY team_id") if by_team else ("", "")
    if db.session.get_bind().dialect.name == "sqlite":
        index = count.team_index if by_team else count.person_index
        sql = f"SELECT {team}count(DISTINCT person_id) FROM {count.table} INDEXED BY {index} WHERE {count.where}{by}"
    else:
        sql = (f"SELECT {team}count(*) FROM (SELECT {team}person_id FROM {count.table} WHERE {count.where} "
               f"GROUP BY {team}person_id ORDER BY {team}person_id) AS people{by}")
    return sa.text(sql).bindparams(*count.params)


def _distinct_people(start: date, end: date) -> dict[str, tuple[dict[int | None, int], int]]:
    """{figure: ({team_id or None: people}, people overall)} for distinct_people_engaged and case_intakes.

    Encounters are bounded by occurred_at at local midnights (the column both of their indexes
    carry): the same local days as occurred_on, which the ingest sets to local_day(occurred_at).
    """
    period = {"start": start, "end": end, "after": _local_midnight(start),
              "before": _local_midnight(end + timedelta(days=1))}
    counted = {}
    for figure, count in _PEOPLE_COUNTS.items():
        per_team = {team_id: n for team_id, n in db.session.execute(_count_people(count, by_team=True), period)}
        counted[figure] = (per_team, db.session.scalar(_count_people(count, by_team=False), period))
    return counted


def published_figures(start: date, end: date) -> dict[str, Any]:
    """{"timezone", "from", "to", "overall": {figures}, "by_team": [{"team_id", "team_name", figures}]}.

    case_intakes counts people (a person accepted twice in the period counts once) and
    distinct_people_engaged counts identified people met; both are distinct counts, so the overall
    figure can be less than the sum over teams when two teams met the same person.
    """
    period_days(start, end)
    figures: dict[int | None, dict[str, int]] = {}

    def put(team_id: int | None, name: str, value: int) -> None:
        figures.setdefault(team_id, dict.fromkeys(FIGURES, 0))[name] = value

    for team_id, measure, n in rollup.counts_by_team(start, end):
        if measure in ROLLUP_FIGURES:
            put(team_id, ROLLUP_FIGURES[measure], n)
    people = _distinct_people(start, end)
    for name, (per_team, _everyone) in people.items():
        for team_id, n in per_team.items():
            put(team_id, name, n)

    overall = {name: sum(team[name] for team in figures.values()) for name in FIGURES}
    overall.update({name: everyone for name, (_per_team, everyone) in people.items()})
    return {
        "timezone": current_app.config["TIMEZONE"],
        "date_from": start,
        "date_to": end,
        "overall": overall,
        "by_team": _team_rows(figures),
    }


def _team_rows(figures: dict[int | None, dict[str, int]]) -> list[dict[str, Any]]:
    """Every team (zeros included), by name; then entries made without a team (supervisors), if any."""
    rows = []
    for team in db.session.scalars(sa.select(Team).order_by(Team.name)):
        rows.append({"team_id": team.id, "team_name": team.name,
                     **figures.get(team.id, dict.fromkeys(FIGURES, 0))})
    if None in figures:
        rows.append({"team_id": None, "team_name": None, **figures[None]})
    return rows
