"""GET /exports/encounters.csv: the de-identified evaluator export (supervisors and admins)."""

from __future__ import annotations

from flask import Response, stream_with_context

from app.auth.guard import signed_in
from app.auth.policy import can_read_stats
from app.rest import ApiBlueprint
from app.stats import evaluator_export
from app.stats.schemas import OpenPeriodArgs

blp = ApiBlueprint("exports", __name__, url_prefix="/exports",
                   description="De-identified exports for evaluators, for supervisors")


@blp.route("/encounters.csv")
@signed_in(can_read_stats)
@blp.arguments(OpenPeriodArgs, location="query", as_kwargs=True)
@blp.response(200, {"type": "string"}, content_type="text/csv",
              description="Header row `person_key,week,team,kind,needs,risk_flags,outcome,triage_level,age_band`, "
                          "then one row per non-voided encounter of the period.")
def encounters_csv(date_from=None, date_to=None):
    """One row per non-voided encounter whose local day is in the period, de-identified: `person_key` a
    pseudonym stable within this export only (empty for anonymous encounters), `week` the ISO week,
    lists joined by `;`, `age_band` 10-year bands from the birth year. No names, aliases, notes,
    descriptions, call numbers, sites, coordinates or times. Every export is audited (`export.encounters`)."""
    filename, _rows, pieces = evaluator_export.encounters_csv(date_from, date_to)
    # Streamed: the audit event is committed with the request (after_request) before the first piece.
    return Response(stream_with_context(pieces), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
