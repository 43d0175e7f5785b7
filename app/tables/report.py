"""The centre of responsibility's report: counts over a table's situations in a period (by the day
each was presented). De-identified by construction: it reads only codes, ids of agencies and teams,
statuses and days from the situations, never the summary, the person or the notes."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.records import local_day
from app.tables.models import Situation, SituationAssist, SituationTable
from app.vocabulary import SITUATION_STATUSES

# The only columns the report reads.
_COLUMNS = (Situation.id, Situation.status, Situation.risk_factors, Situation.lead_agency_id, Situation.lead_team_id,
            Situation.close_reason, Situation.presented_on, Situation.decided_on, Situation.closed_on,
            Situation.originating_agency_id, Situation.originating_team_id)


def period(table: SituationTable, start: date | None, end: date | None, today: date) -> tuple[date, date]:
    if start is None:
        first = db.session.scalar(sa.select(sa.func.min(Situation.presented_on)).where(Situation.table_id == table.id))
        start = min(filter(None, (first, local_day(table.created_at))))
    return start, end or today


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _by_count(counter: Counter) -> dict[str, int]:
    return {str(key): n for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))}


def build(table: SituationTable, start: date, end: date) -> dict[str, Any]:
    rows = db.session.execute(sa.select(*_COLUMNS).where(
        Situation.table_id == table.id, Situation.presented_on >= start, Situation.presented_on <= end)).all()
    ids = [r.id for r in rows]
    assisting: Counter = Counter()
    if ids:
        for (agency_id,) in db.session.execute(sa.select(SituationAssist.agency_id)
                                               .where(SituationAssist.situation_id.in_(ids))):
            assisting[agency_id] += 1
    by_status = dict.fromkeys(SITUATION_STATUSES, 0)
    risk: Counter = Counter()
    leads: Counter = Counter()
    lead_teams: Counter = Counter()
    reasons: Counter = Counter()
    originators: Counter = Counter()
    to_decision, to_close = [], []
    for r in rows:
        by_status[r.status] += 1
        risk.update(r.risk_factors or [])
        if r.lead_agency_id is not None:
            leads[r.lead_agency_id] += 1
        if r.lead_team_id is not None:
            lead_teams[r.lead_team_id] += 1
        if r.close_reason:
            reasons[r.close_reason] += 1
        if r.decided_on is not None:
            to_decision.append((r.decided_on - r.presented_on).days)
        if r.closed_on is not None:
            to_close.append((r.closed_on - r.presented_on).days)
        originators[("agency_id", r.originating_agency_id) if r.originating_agency_id is not None
                    else ("team_id", r.originating_team_id)] += 1
    met = by_status["open"] + by_status["closed"]
    decided = met + by_status["rejected"]
    return {
        "table_id": table.id, "from_": start, "to": end, "total": len(rows), "by_status": by_status,
        "threshold_met_share": round(met / decided, 4) if decided else None,
        "risk_factors": _by_count(risk), "lead_agencies": _by_count(leads), "lead_teams": _by_count(lead_teams),
        "assisting_agencies": _by_count(assisting), "closure_reasons": _by_count(reasons),
        "median_days_to_decision": _median(to_decision), "median_days_to_close": _median(to_close),
        "by_originator": [{kind: member_id, "situations": n} for (kind, member_id), n
                          in sorted(originators.items(), key=lambda kv: (-kv[1], kv[0]))],
    }


def as_csv(report: dict[str, Any]) -> str:
    """One measure per line: section, key, value (a spreadsheet reads it as it is)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "key", "value"])
    writer.writerow(["period", "from", report["from_"].isoformat()])
    writer.writerow(["period", "to", report["to"].isoformat()])
    writer.writerow(["total", "situations", report["total"]])
    for section in ("by_status", "risk_factors", "lead_agencies", "lead_teams", "assisting_agencies",
                    "closure_reasons"):
        for key, n in report[section].items():
            writer.writerow([section, key, n])
    for measure in ("threshold_met_share", "median_days_to_decision", "median_days_to_close"):
        value = report[measure]
        writer.writerow(["measure", measure, "" if value is None else value])
    for item in report["by_originator"]:
        kind = "agency_id" if "agency_id" in item else "team_id"
        writer.writerow(["by_originator", f"{kind}:{item[kind]}", item["situations"]])
    return out.getvalue()
