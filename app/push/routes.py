"""HTTP endpoints of the push domain (see docs/api.md › Push alerts)."""

from __future__ import annotations

from app.auth.guard import current_user, signed_in
from app.errors import ErrorSchema
from app.push import services
from app.push.schemas import (
    SubscribedSchema,
    SubscriptionSchema,
    UnsubscribeSchema,
    VapidPublicKeySchema,
)
from app.rest import ApiBlueprint

blp = ApiBlueprint("push", __name__, url_prefix="/push", description="Web Push alerts")


@blp.route("/vapid-public-key", methods=["GET"])
@blp.response(200, VapidPublicKeySchema)
def vapid_public_key():
    """The server's VAPID public key, for pushManager.subscribe({applicationServerKey})."""
    return {"public_key": services.public_key()}


@blp.route("/subscriptions", methods=["POST"])
@signed_in()
@blp.arguments(SubscriptionSchema)
@blp.response(201, SubscribedSchema)
@blp.alt_response(400, schema=ErrorSchema, description="validation_error: not an accepted push service")
@blp.alt_response(401, schema=ErrorSchema, description="not_authenticated")
def subscribe(body):
    """Receive alerts on this browser; subscribing the same endpoint again updates it."""
    keys = body["keys"]
    return services.subscribe(current_user(), body["endpoint"], keys["p256dh"], keys["auth"])


@blp.route("/subscriptions", methods=["DELETE"])
@signed_in()
@blp.arguments(UnsubscribeSchema)
@blp.response(204)
@blp.alt_response(401, schema=ErrorSchema, description="not_authenticated")
def unsubscribe(body):
    """Stop alerts to this browser (answers 204 also when there was nothing to remove)."""
    services.unsubscribe(current_user(), body["endpoint"])
