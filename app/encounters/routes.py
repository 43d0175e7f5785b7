"""GET /encounters (filters, paginated) and GET /encounters/<id>."""

from __future__ import annotations

from app.auth.guard import current_user, signed_in
from app.encounters import services
from app.encounters.schemas import EncounterPageSchema, EncounterQuerySchema, EncounterSchema
from app.errors import ApiError
from app.rest import ApiBlueprint

blp = ApiBlueprint("encounters", __name__, url_prefix="/encounters", description="Encounters")


@blp.route("")
@signed_in()
@blp.arguments(EncounterQuerySchema, location="query")
@blp.response(200, EncounterPageSchema)
def list_encounters(args):
    """Encounters the caller may see, newest first; `from`/`to` bound occurred_at."""
    return services.search(current_user(), from_=args.get("from_"), to=args.get("to"), kind=args.get("kind"),
                           person_id=args.get("person_id"), team_id=args.get("team_id"),
                           page=args["page"], per_page=args["per_page"])


@blp.route("/<uuid:encounter_id>")
@signed_in()
@blp.response(200, EncounterSchema)
def get_encounter(encounter_id):
    """One encounter (404 when it does not exist or the caller may not see it)."""
    encounter = services.find_visible(current_user(), str(encounter_id))
    if encounter is None:
        raise ApiError(404, "not_found", "No such encounter.")
    return encounter
