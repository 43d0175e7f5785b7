"""GET /exports/encounters.csv: the de-identified export for evaluators, one row per non-voided encounter.

What a row may hold is a closed list (EXPORT_COLUMNS), each value from a vocabulary, a number or a
coarse bucket: a pseudonym for the person (an HMAC of the person's id under a key made for this export
and then forgotten: stable within one export, unrelated to the next), the ISO week of the local day,
the team's name, kind, needs, risk flags, outcome, triage level and a 10-year age band from the birth
year. Names, aliases, notes, descriptions, call numbers, sites, coordinates and exact times are never
read, so they cannot leak (tests/test_evaluator_export.py plants a canary in each of them).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.audit.services import record
from app.directory.models import Team
from app.encounters.models import Encounter
from app.extensions import db
from app.people.models import Person
from app.stats.periods import open_period

EXPORT_COLUMNS = ("person_key", "week", "team", "kind", "needs", "risk_flags", "outcome", "triage_level",
                  "age_band")
LIST_SEPARATOR = ";"


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def age_band(birth_year: int | None, day: date) -> str:
    """`30-39` for someone 30 to 39 in the encounter's year; empty when the birth year is unknown or odd."""
    if birth_year is None:
        return ""
    age = day.year - birth_year
    if not 0 <= age < 130:
        return ""
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def _codes(values: Any) -> str:
    return LIST_SEPARATOR.join(sorted(str(v) for v in (values or [])))


def encounters_csv(start: date | None, end: date | None) -> tuple[str, int, Iterator[str]]:
    """(filename, rows, the file in pieces). Rows are sorted by week, team, kind and pseudonym, not by
    time, so their order says nothing finer than the week either.

    The export is audited (with its number of rows) in the request's own transaction, before any of it
    is sent; the pieces are then read a week at a time, in day order (ix_encounters_day_kind), so the
    file never sits whole in memory. Iterate them inside the request (flask.stream_with_context)."""
    start, end = open_period(start, end, Encounter.occurred_on)
    key = secrets.token_bytes(32)  # this export's; never stored
    in_period = (Encounter.occurred_on.between(start, end), Encounter.voided.is_(False))
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(Encounter).where(*in_period)) or 0
    record("export.encounters", target_type="export", date_from=start.isoformat(), date_to=end.isoformat(),
           rows=rows)
    query = (sa.select(Encounter.person_id, Encounter.occurred_on, Team.name, Encounter.kind, Encounter.needs,
                       Encounter.risk_flags, Encounter.outcome, Encounter.triage_level, Person.birth_year)
             .outerjoin(Team, Team.id == Encounter.team_id)
             .outerjoin(Person, Person.id == Encounter.person_id)
             .where(*in_period).order_by(Encounter.occurred_on))
    return f"help-encounters-{start.isoformat()}-{end.isoformat()}.csv", rows, _pieces(query, key)


def _pieces(query: sa.Select, key: bytes) -> Iterator[str]:
    """The header, then each ISO week's rows sorted (days arrive in order, so weeks do, in the order
    their names sort: the same file as sorting every row at once)."""
    def pseudonym(person_id: str | None) -> str:
        if person_id is None:
            return ""
        return hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()[:16]

    def written(rows: list[tuple[str, ...]]) -> str:
        rows.sort(key=lambda row: (row[1], row[2], row[3], row[0], row[4:]))
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(rows)
        return out.getvalue()

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(EXPORT_COLUMNS)
    yield out.getvalue()
    week_rows: list[tuple[str, ...]] = []
    week = None
    for person_id, day, team, kind, needs, risks, outcome, triage, birth_year \
            in db.session.execute(query.execution_options(yield_per=5000)):
        this_week = iso_week(day)
        if this_week != week and week_rows:
            yield written(week_rows)
            week_rows = []
        week = this_week
        week_rows.append((pseudonym(person_id), this_week, team or "", kind, _codes(needs), _codes(risks),
                          _codes(outcome), triage, age_band(birth_year, day)))
    if week_rows:
        yield written(week_rows)
