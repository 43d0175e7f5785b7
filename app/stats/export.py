"""Daily counts as CSV: a header row, one row per day, a totals row; the same numbers as the JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

TOTAL_LABEL = "total"


def daily_csv(report: dict[str, Any], keys: Sequence[str]) -> str:
    """Render a daily_counts report; spreadsheets open it directly (plain ISO dates, integers)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", *keys])
    for day in report["days"]:
        writer.writerow([day["date"], *(day[key] for key in keys)])
    writer.writerow([TOTAL_LABEL, *(report["totals"][key] for key in keys)])
    return out.getvalue()


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a leading apostrophe."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def csv_text(columns: Sequence[str], rows: list[dict[str, Any]]) -> str:
    """A header row of `columns`, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in columns])
    return out.getvalue()
