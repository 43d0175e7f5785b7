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
