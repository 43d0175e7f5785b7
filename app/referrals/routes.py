"""GET /referrals (inbox), GET /referrals/<id>, PATCH /referrals/<id> (lifecycle move)."""

from __future__ import annotations

from app.audit.services import record, record_despite_rollback
from app.auth import policy
from app.auth.guard import current_user, signed_in
from app.entries.clock import tick
from app.entries.outcomes import Refused, rejected
from app.entries.times import check_times
from app.errors import ApiError, ErrorSchema, refusal
from app.records import utcnow
from app.referrals import services
from app.referrals.schemas import ReferralQuerySchema, ReferralSchema, ReferralUpdateSchema
from app.rest import ApiBlueprint

blp = ApiBlueprint("referrals", __name__, url_prefix="/referrals", description="Referrals")


@blp.route("")
@signed_in()
@blp.arguments(ReferralQuerySchema, location="query")
@blp.response(200, ReferralSchema(many=True))
def list_referrals(args):
    """Referrals the caller may see; a navigator's agency inbox with `agency_id`."""
    user = current_user()
    found = services.search(user, **args)
    record("referral.list", target_type="referral", results=[str(r.id) for r in found])
    return [services.view(r, user) for r in found]


@blp.route("/<uuid:referral_id>")
@signed_in()
@blp.response(200, ReferralSchema)
def get_referral(referral_id):
    """One referral with its history and the person as the caller may see them (404 when not visible)."""
    user = current_user()
    referral = services.find_visible(user, str(referral_id))
    if referral is None:
        record_despite_rollback("referral.read", target_type="referral", target_id=str(referral_id),
                                outcome="not_found")
        raise ApiError(404, "not_found", "No such referral.")
    record("referral.read", target_type="referral", target_id=str(referral_id))
    return services.view(referral, user)


@blp.route("/<uuid:referral_id>", methods=["PATCH"])
@signed_in(policy.can_log_entries)
@blp.arguments(ReferralUpdateSchema)
@blp.response(200, ReferralSchema)
@blp.alt_response(409, schema=ErrorSchema, description="invalid_transition, or conflict with `current`")
def patch_referral(update, referral_id):
    """Move a referral: pending → accepted | declined | withdrawn; accepted → completed | no_show | withdrawn.

    Admins make no field changes (as on /sync); `occurred_at` passes the same time rules as on /sync.
    """
    user = current_user()
    now = utcnow()
    problem = check_times(update, ("occurred_at",), now)
    if problem is not None:
        raise refusal(rejected(problem.code, problem.message, problem.fields))
    tick()
    try:
        referral = services.change_status(user, str(referral_id), status=update["status"], note=update.get("note"),
                                          base_version=update.get("base_version"),
                                          at=update.get("occurred_at") or now)
    except Refused as refused:
        outcome = refused.outcome
        record_despite_rollback("referral.change", target_type="referral", target_id=str(referral_id),
                                outcome=outcome.error["code"] if outcome.error else "conflict", via="rest",
                                status=update["status"])
        raise refusal(outcome, conflict_message="The referral changed meanwhile; this change no longer applies."
                      ) from None
    record("referral.change", target_type="referral", target_id=str(referral_id), via="rest", status=update["status"])
    return services.view(referral, user)
