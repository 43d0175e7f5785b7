"""Calendar arithmetic of a case's tracking window: months after intake, the default review date."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from flask import current_app, has_app_context

DEFAULT_TRACKING_MONTHS = 24
DEFAULT_REVIEW_DAYS = 90


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier); the 31st becomes the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _setting(name: str, default: int) -> int:
    if not has_app_context():
        return default
    return int(current_app.config.get(name) or default)


def tracking_months() -> int:
    """How long a case is tracked after intake (CASE_TRACKING_MONTHS, default 24)."""
    return _setting("CASE_TRACKING_MONTHS", DEFAULT_TRACKING_MONTHS)


def review_days() -> int:
    """Days from intake to the first review (CASE_REVIEW_DAYS, default 90)."""
    return _setting("CASE_REVIEW_DAYS", DEFAULT_REVIEW_DAYS)


def default_tracking_until(opened_on: date) -> date:
    return add_months(opened_on, tracking_months())


def default_review_due_on(opened_on: date) -> date:
    return opened_on + timedelta(days=review_days())


def tracking_until_for_insert(context: Any) -> date:
    """Column default for rows inserted without a window (bulk loads): intake + the tracking months."""
    return default_tracking_until(context.get_current_parameters()["opened_on"])
