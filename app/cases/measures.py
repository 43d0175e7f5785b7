"""The heavy-users measure of a case: the person's encounters per month before and after intake.

Months are counted from the intake day, not by calendar month, so both sides have the same length:
month -1 is the month of days up to the day before intake, month 1 the month of days after it. The
intake day itself is reported apart (it is usually the day of the contact that led to the intake,
and would tilt whichever side it was put in). Days are the service's local days of `occurred_at`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.cases.window import add_months
from app.encounters import services as encounters

ONE_DAY = timedelta(days=1)


def _bucket(month: int, first_day: date, last_day: date, per_day: dict[date, int], today: date) -> dict[str, Any]:
    count = sum(n for day, n in per_day.items() if first_day <= day <= last_day)
    return {"month": month, "first_day": first_day, "last_day": last_day, "count": count,
            "complete": last_day < today}


def window(intake_on: date, months: int) -> tuple[date, date]:
    """The first and last local day the measure counts."""
    return add_months(intake_on, -months), add_months(intake_on, months)


def encounters_per_month(person_id: str, intake_on: date, months: int, today: date) -> dict[str, Any]:
    """Counts for `months` months each side of intake; after-months still running are not complete."""
    return measure_from_days(encounters.daily_counts_for_person(person_id, *window(intake_on, months)),
                             intake_on, months, today)


def measure_from_days(per_day: dict[date, int], intake_on: date, months: int, today: date) -> dict[str, Any]:
    """encounters_per_month from the person's encounters per local day (days outside the window ignored)."""
    first, last = window(intake_on, months)
    per_day = {day: n for day, n in per_day.items() if first <= day <= last}
    before = [_bucket(-k, add_months(intake_on, -k), add_months(intake_on, 1 - k) - ONE_DAY, per_day, today)
              for k in range(months, 0, -1)]
    after = [_bucket(k, add_months(intake_on, k - 1) + ONE_DAY, add_months(intake_on, k), per_day, today)
             for k in range(1, months + 1)]
    return {
        "months": months, "intake_on": intake_on, "intake_day": per_day.get(intake_on, 0),
        "before": before, "after": after,
        "before_total": sum(b["count"] for b in before), "after_total": sum(a["count"] for a in after),
        "complete_months_after": sum(1 for a in after if a["complete"]),
    }
