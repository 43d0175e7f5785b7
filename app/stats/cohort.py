"""GET /stats/cohort: the heavy-users measure across every case opened in a window.

Each case contributes the same per-case months as GET /cases/<id> (app/cases/measures.py: `months`
months of encounters each side of the intake day, counted from that day, the intake day itself apart).
`before_total` / `after_total` add those up over the cases; `before_median` / `after_median` are the
medians of the per-case totals; `change_pct` is (after − before) / before × 100. After-months still
running count what they hold so far: `complete_12_months` and `complete_24_months` say how many cases
have that many whole months behind them, so a reader can tell a real drop from a short follow-up.
"""

from __future__ import annotations

from datetime import date
from statistics import median
from typing import Any

import sqlalchemy as sa

from app.audit.services import record
from app.cases.measures import measure_from_days, window
from app.cases.models import Case
from app.cases.window import add_months
from app.encounters import services as encounters
from app.extensions import db
from app.records import local_day, utcnow
from app.stats.periods import open_period


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def cohort(program: str | None, intake_from: date | None, intake_to: date | None, months: int) -> dict[str, Any]:
    """{"cases", "people", "months", "before_median", "after_median", "before_total", "after_total",
    "change_pct", "complete_12_months", "complete_24_months"} (plus the window, `intake_from`/`intake_to`)."""
    start, end = open_period(intake_from, intake_to, Case.opened_on, ("intake_from", "intake_to"))
    today = local_day(utcnow())
    query = sa.select(Case.person_id, Case.opened_on).where(Case.opened_on.between(start, end))
    if program:
        query = query.where(Case.program == program)
    cases = db.session.execute(query.order_by(Case.opened_on, Case.id)).all()
    before, after = [], []
    # Every case's people in one query per 500 (not one per case), over the days all their windows span.
    per_person = encounters.daily_counts_for_people(
        sorted({str(person_id) for person_id, _day in cases}), window(start, months)[0], window(end, months)[1]) \
        if cases else {}
    for person_id, opened_on in cases:
        measure = measure_from_days(per_person.get(str(person_id), {}), opened_on, months, today)
        before.append(measure["before_total"])
        after.append(measure["after_total"])
    before_total, after_total = sum(before), sum(after)
    record("stats.cohort", target_type="stats", intake_from=start.isoformat(), intake_to=end.isoformat(),
           months=months, program_given=bool(program), cases=len(cases))
    return {
        "intake_from": start, "intake_to": end, "program": program,
        "cases": len(cases), "people": len({str(person_id) for person_id, _day in cases}), "months": months,
        "before_median": _median(before), "after_median": _median(after),
        "before_total": before_total, "after_total": after_total,
        "change_pct": round((after_total - before_total) / before_total * 100, 1) if before_total else None,
        "complete_12_months": sum(1 for _p, day in cases if add_months(day, 12) < today),
        "complete_24_months": sum(1 for _p, day in cases if add_months(day, 24) < today),
    }
