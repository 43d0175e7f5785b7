"""HTTP endpoints of the push domain (see docs/api.md)."""

from app.rest import ApiBlueprint

blp = ApiBlueprint("push", __name__, url_prefix="/push", description="push")
