"""GET /encounters (filters, paginated), GET /encounters/<id>, and GET /triage (level and agencies).

Every read of encounters is audited with the ids returned (never their notes)."""

from __future__ import annotations

from app.audit.services import record, record_despite_rollback
from app.auth import policy
from app.auth.guard import current_user, signed_in
from app.encounters import services, triage
from app.encounters.schemas import (
    EncounterAmendRequestSchema,
    EncounterPageSchema,
    EncounterQuerySchema,
    EncounterSchema,
    EncounterVoidRequestSchema,
    TriageQuerySchema,
    TriageRulesSchema,
    TriageSchema,
)
from app.entries.pipeline import submit
from app.errors import ApiError, ErrorSchema
from app.rest import ApiBlueprint

blp = ApiBlueprint("encounters", __name__, url_prefix="/encounters", description="Encounters")
triage_blp = ApiBlueprint("triage", __name__, url_prefix="/triage", description="Triage")


@blp.route("")
@signed_in()
@blp.arguments(EncounterQuerySchema, location="query")
@blp.response(200, EncounterPageSchema)
def list_encounters(args):
    """Encounters the caller may see, newest first; `from`/`to` bound occurred_at. Audited (the ids listed).

    Voided encounters are left out; `include_voided=true` lists them too, for supervisors and admins
    only (anyone else: 403 forbidden, audited).
    """
    user = current_user()
    if args["include_voided"] and not policy.is_oversight(user):
        record_despite_rollback("encounter.list", target_type="encounter", outcome="forbidden", include_voided=True)
        raise ApiError(403, "forbidden", "Only supervisors and admins list voided encounters.")
    page = services.search(user, from_=args.get("from_"), to=args.get("to"), kind=args.get("kind"),
                           person_id=args.get("person_id"), team_id=args.get("team_id"),
                           author_id=args.get("author_id"), include_voided=args["include_voided"],
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


def _corrected(encounter_id: str):
    """The encounter after a correction the caller just made (so it is visible to them)."""
    encounter = services.find_visible(current_user(), encounter_id)
    if encounter is None:  # pragma: no cover  (submit refused an encounter the caller cannot see)
        raise ApiError(404, "not_found", "No such encounter.")
    return encounter


@blp.route("/<uuid:encounter_id>", methods=["PATCH"])
@signed_in(policy.can_log_entries)
@blp.arguments(EncounterAmendRequestSchema)
@blp.response(200, EncounterSchema)
@blp.alt_response(409, schema=ErrorSchema,
                  description="conflict (a stale base_version whose fields changed since; the encounter in "
                              "`current`), or invalid_transition (the encounter is voided)")
def amend_encounter(amendment, encounter_id):
    """Correct an encounter (the encounter_amend entry type): the fields given replace the stored ones,
    `version` +1, the change kept in `amendments`. The author or a supervisor; `id` (optional) makes a
    retried request idempotent."""
    entry_id = amendment.pop("id", None)
    submit("encounter_amend", current_user(), {**amendment, "encounter_id": str(encounter_id)}, entry_id)
    return _corrected(str(encounter_id))


@blp.route("/<uuid:encounter_id>/void", methods=["POST"])
@signed_in(policy.can_log_entries)
@blp.arguments(EncounterVoidRequestSchema)
@blp.response(200, EncounterSchema)
@blp.alt_response(409, schema=ErrorSchema, description="invalid_transition: the encounter is already voided")
def void_encounter(body, encounter_id):
    """Void an encounter (the encounter_void entry type): it stays readable, marked voided, and counts in
    no figure. The author or a supervisor."""
    entry_id = body.pop("id", None)
    submit("encounter_void", current_user(), {**body, "encounter_id": str(encounter_id)}, entry_id)
    return _corrected(str(encounter_id))


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
