"""The unit's published figures for any period, overall, by team and by group (Part 2 › Reporting).

"2,837 interactions, primary responders to 951 calls for service, 943 consultations, 579 on-scene
assists": the counts of records come from the daily rollup (additive: a team's figure is the sum of
its days, a group's the sum of its teams); the distinct figures (people engaged, people taken in,
calls for service) from app/stats/distinct.py, exact for any period and any scope (a person met by two
teams of a group counts once in the group; two officers on one call count it once). Referrals
completed are counted on the local day of their move to completed (referrals.completed_on, set with
that move; an index on (completed_on, team_id) answers alone).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.audit.services import record
from app.cases.models import Case
from app.directory.models import Team
from app.encounters.models import Encounter
from app.errors import ApiError
from app.extensions import db
from app.referrals.models import Referral
from app.stats import distinct, distinct_period, rollup
from app.stats.export import csv_text
from app.stats.periods import open_period

# Published figure name for each encounter kind ("2,837 interactions", "951 calls ... primary").
KIND_FIGURES = {
    "interaction": "interactions",
    "primary_response": "primary_responses",
    "consultation": "consultations",
    "on_scene_assist": "on_scene_assists",
    "shelter_check_in": "shelter_check_ins",
}
ROLLUP_FIGURES = {**KIND_FIGURES, "referrals_made": "referrals_made", "referrals_accepted": "referrals_accepted"}
DISTINCT_FIGURES = {distinct.PEOPLE: "people_engaged", distinct.INTAKES: "case_intakes",
                    distinct.CALLS: "calls_for_service"}
FIGURES = ("interactions", "primary_responses", "calls_for_service", "consultations", "on_scene_assists",
           "shelter_check_ins", "referrals_made", "referrals_accepted", "referrals_completed", "case_intakes",
           "people_engaged")
ADDITIVE = tuple(name for name in FIGURES if name not in DISTINCT_FIGURES.values())


def first_day() -> date | None:
    """The first local day anything was recorded (an encounter, a referral, a case)."""
    days = [db.session.scalar(sa.select(sa.func.min(column)))
            for column in (Encounter.occurred_on, Referral.made_on, Case.opened_on)]
    held = [day for day in days if day is not None]
    return min(held) if held else None


def published_figures(start: date | None, end: date | None, team_id: int | None = None,
                      group: str | None = None) -> dict[str, Any]:
    """{"timezone", "from", "to", <figures>, "by_team": [...], "by_group": [...]}; audited.

    `team_id` or `group` narrows every part to that team or group (by_group is then the group's row,
    or empty for a team filter)."""
    if start is None and end is not None:
        earliest = first_day()
        start = min(earliest, end) if earliest is not None else end
    elif start is None:
        start = first_day()
    start, end = open_period(start, end, Encounter.occurred_on)
    teams = list(db.session.scalars(sa.select(Team).order_by(Team.name, Team.id)))
    if team_id is not None and all(team.id != team_id for team in teams):
        raise ApiError(400, "validation_error", f"There is no team with id {team_id}.",
                       fields={"team_id": ["Unknown team."]})

    additive: dict[int | None, dict[str, int]] = {}

    def add(team: int | None, name: str, n: int) -> None:
        additive.setdefault(team, dict.fromkeys(ADDITIVE, 0))[name] += n

    for team, measure, n in rollup.counts_by_team(start, end):
        if measure in ROLLUP_FIGURES:
            add(team, ROLLUP_FIGURES[measure], n)
    completed = (sa.select(Referral.team_id, sa.func.count()).where(Referral.completed_on.between(start, end))
                 .group_by(Referral.team_id))
    for team, n in db.session.execute(completed):
        add(team, "referrals_completed", n)
    people = distinct_period.counts(start, end)

    def figures(scope: str, members: list[int | None]) -> dict[str, Any]:
        row = {name: sum(additive.get(member, {}).get(name, 0) for member in members) for name in ADDITIVE}
        row.update({name: people[measure][scope] for measure, name in DISTINCT_FIGURES.items()})
        return {name: row[name] for name in FIGURES}

    by_team: list[dict[str, Any]] = [{"team_id": team.id, "name": team.name, "group": team.group,
                **figures(distinct.team_scope(team.id), [team.id])} for team in teams]
    if None in additive or any(people[measure][distinct.team_scope(None)] for measure in people):
        by_team.append({"team_id": None, "name": None, "group": None,
                        **figures(distinct.team_scope(None), [None])})
    members: dict[str | None, list[int | None]] = {}
    for row in by_team:
        members.setdefault(row["group"], []).append(row["team_id"])
    by_group = [{"group": name, **figures(distinct.group_scope(name), members[name])}
                for name in sorted(members, key=lambda g: (g is None, g or ""))]

    if team_id is not None:
        by_team = [row for row in by_team if row["team_id"] == team_id]
        overall = {name: by_team[0][name] for name in FIGURES}
        by_group = []
    elif group is not None:
        by_team = [row for row in by_team if row["group"] == group]
        by_group = [row for row in by_group if row["group"] == group]
        overall = {name: by_group[0][name] for name in FIGURES} if by_group else dict.fromkeys(FIGURES, 0)
    else:
        overall = figures(distinct.UNIT, list(additive) + [row["team_id"] for row in by_team
                                                           if row["team_id"] not in additive])
    record("stats.summary", target_type="stats", date_from=start.isoformat(), date_to=end.isoformat(),
           team_id=team_id, group=group)
    return {"timezone": current_app.config["TIMEZONE"], "date_from": start, "date_to": end, **overall,
            "by_team": by_team, "by_group": by_group}


CSV_COLUMNS = ("row", "team_id", "name", "group", *FIGURES)


def summary_csv(report: dict[str, Any]) -> str:
    """A header row of the figure names, one row overall ("all") and one per team ("team")."""
    rows = [{"row": "all", "team_id": "", "name": "", "group": "", **{n: report[n] for n in FIGURES}}]
    rows += [{"row": "team", **{k: ("" if team[k] is None else team[k]) for k in CSV_COLUMNS[1:]}}
             for team in report["by_team"]]
    return csv_text(CSV_COLUMNS, rows)
