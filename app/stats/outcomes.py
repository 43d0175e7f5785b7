"""GET /stats/outcomes: what happened after contact (diversions, transports, ...), over non-voided
encounters of a period, overall and by kind.

An encounter holds a list of outcome codes; each code it holds counts it once. The codes are unnested
by the database (json_each on SQLite, json_array_elements_text on PostgreSQL), so a five-year period
is counted without loading its encounters.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from app.audit.services import record
from app.encounters.models import Encounter
from app.extensions import db
from app.stats.periods import open_period
from app.vocabulary import ENCOUNTER_KINDS, OUTCOMES


def _unnested_counts(start: date, end: date, team_id: int | None) -> sa.TextClause:
    team = " AND e.team_id = :team_id" if team_id is not None else ""
    where = f"e.occurred_on BETWEEN :start AND :end AND NOT e.voided{team}"
    if db.session.get_bind().dialect.name == "sqlite":
        source = "encounters AS e, json_each(e.outcome) AS o"
        code = "o.value"
    else:
        source = "encounters AS e CROSS JOIN LATERAL json_array_elements_text(e.outcome) AS o(code)"
        code = "o.code"
    params: list[sa.BindParameter[Any]] = [sa.bindparam("start", type_=sa.Date), sa.bindparam("end", type_=sa.Date)]
    if team_id is not None:
        params.append(sa.bindparam("team_id", type_=sa.Integer))
    return sa.text(f"SELECT e.kind, {code} AS code, count(*) FROM {source} WHERE {where} "
                   f"GROUP BY e.kind, {code}").bindparams(*params)


def outcomes(start: date | None, end: date | None, team_id: int | None = None) -> dict[str, Any]:
    """{"from", "to", "outcomes": {code: n}, "by_kind": {kind: {code: n}}}, every code and kind listed."""
    start, end = open_period(start, end, Encounter.occurred_on)
    by_kind = {kind: dict.fromkeys(OUTCOMES, 0) for kind in ENCOUNTER_KINDS}
    values: dict[str, Any] = {"start": start, "end": end}
    if team_id is not None:
        values["team_id"] = team_id
    for kind, code, n in db.session.execute(_unnested_counts(start, end, team_id), values):
        if kind in by_kind and code in by_kind[kind]:
            by_kind[kind][code] = int(n)
    overall = {code: sum(counts[code] for counts in by_kind.values()) for code in OUTCOMES}
    record("stats.outcomes", target_type="stats", date_from=start.isoformat(), date_to=end.isoformat(),
           team_id=team_id)
    return {"date_from": start, "date_to": end, "outcomes": overall, "by_kind": by_kind}
