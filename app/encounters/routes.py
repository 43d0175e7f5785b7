"""GET /encounters (filters, paginated), GET /encounters/<id>, and GET /triage (level and agencies).

Every read of encounters is audited with the ids returned (never their notes)."""

from __future__ import annotations

from app.audit.services import record, record_despite_rollback
from app.auth.guard import current_user, signed_in
from app.encounters import services, triage
from app.encounters.schemas import (
    EncounterPageSchema,
    EncounterQuerySchema,
    EncounterSchema,
    TriageQuerySchema,
    TriageRulesSchema,
    TriageSchema,
)
from app.errors import ApiError
from app.rest import ApiBlueprint

blp = ApiBlueprint("encounters", __name__, url_prefix="/encounters", description="Encounters")
triage_blp = ApiBlueprint("triage", __name__, url_prefix="/triage", description="Triage")


@blp.route("")
@signed_in()
@blp.arguments(EncounterQuerySchema, location="query")
@blp.response(200, EncounterPageSchema)
def list_encounters(args):
    """Encounters the caller may see, newest first; `from`/`to` bound occurred_at. Audited (the ids listed)."""
    page = services.search(current_user(), from_=args.get("from_"), to=args.get("to"), kind=args.get("kind"),
                           person_id=args.get("person_id"), team_id=args.get("team_id"),
                           page=args["page"], per_page=args["per_page"])
    record("encounter.list", target_type="encounter", results=[str(e.id) for e in page["items"]])
    return page


@blp.route("/<uuid:encounter_id>")
@signed_in()
@blp.response(200, EncounterSchema)
def get_encounter(encounter_id):
    """One encounter (404 when it does not exist or the caller may not see it). Audited, a refusal too."""
    encounter = services.find_visible(current_user(), str(encounter_id))
    if encounter is None:
        record_despite_rollback("encounter.read", target_type="encounter", target_id=str(encounter_id),
                                outcome="not_found")
        raise ApiError(404, "not_found", "No such encounter.")
    record("encounter.read", target_type="encounter", target_id=str(encounter_id))
    return encounter


@triage_blp.route("")
@signed_in()
@triage_blp.arguments(TriageQuerySchema, location="query")
@triage_blp.response(200, TriageSchema)
def get_triage(args):
    """The level the rules give for these needs and risk flags, and the agencies serving the needs."""
    return services.triage_advice(args["needs"], args["risk_flags"])


@triage_blp.route("/rules")
@signed_in()
@triage_blp.response(200, TriageRulesSchema)
def get_triage_rules():
    """The rule file in force (the same the full /sync/changes snapshot carries)."""
    return triage.rules()
