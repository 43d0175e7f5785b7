"""The unit's published figures for a period, overall and by team (DESIGN.md's table, counted exactly)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.cases.models import Case
from app.directory.models import Team
from app.encounters.models import Encounter
from app.extensions import db
from app.records import service_zone
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


def _distinct_people(pairs: sa.Select) -> tuple[Counter, int]:
    """(people per team, people overall) from a select of (team_id, person_id)."""
    per_team: Counter = Counter()
    everyone = set()
    for team_id, person_id in db.session.execute(pairs.distinct()):
        per_team[team_id] += 1
        everyone.add(person_id)
    return per_team, len(everyone)


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
    # People, not records: distinct counts cannot be added up from the rollup. One pass each over
    # the distinct (team, person) pairs gives both the per-team and the overall figure.
    intakes = sa.select(Case.team_id, Case.person_id).where(Case.opened_on.between(start, end))
    # occurred_at bounds equal to [start, end] in local days, and narrow enough for the team index.
    met = sa.select(Encounter.team_id, Encounter.person_id).where(
        Encounter.occurred_at >= _local_midnight(start),
        Encounter.occurred_at < _local_midnight(end + timedelta(days=1)),
        Encounter.person_id.is_not(None))
    overall_people = {}
    for name, query in (("case_intakes", intakes), ("distinct_people_engaged", met)):
        per_team, everyone = _distinct_people(query)
        for team_id, n in per_team.items():
            put(team_id, name, n)
        overall_people[name] = everyone

    overall = {name: sum(team[name] for team in figures.values()) for name in FIGURES}
    overall.update(overall_people)
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
