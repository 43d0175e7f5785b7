"""HTTP endpoints of the stats domain (see docs/api.md)."""

from app.rest import ApiBlueprint

blp = ApiBlueprint("stats", __name__, url_prefix="/stats", description="stats")
