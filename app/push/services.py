"""Push subscriptions: subscribing a signed-in user's browser, unsubscribing, forgetting dead ones.

Services flush; the request (or job) commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.auth.models import User
from app.errors import ApiError
from app.extensions import db
from app.push import endpoints, vapid
from app.push.models import PushDelivery, PushSubscription
from app.records import utcnow

# Browsers (phones, a desk computer) one user receives alerts on; a new one beyond this drops the oldest.
SUBSCRIPTIONS_PER_USER = 10


def public_key() -> str:
    return vapid.public_key_b64url()


def subscribe(user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store the browser's subscription for `user`. The same endpoint again updates it.

    An endpoint that changes hands (someone else signs in on a shared phone) is deleted, with what was
    still due to it, and subscribed anew, audited: alerts for the previous owner must not reach the new
    one. A user keeps at most SUBSCRIPTIONS_PER_USER browsers; the oldest go first.
    """
    endpoint = _acceptable(endpoint)
    existing = db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
                                 .with_for_update())
    if existing is not None and existing.user_id == user.id:
        existing.p256dh, existing.auth = p256dh, auth
        db.session.flush()
        return existing
    previous = (existing.id, existing.user_id) if existing is not None else None
    if previous is not None:
        forget(previous[0])
    subscription = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth,
                                    created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(subscription)
    except IntegrityError:
        # Another request stored the same endpoint a moment ago; the phone's retry will update it.
        raise ApiError(409, "conflict", "This browser was being subscribed twice at once; try again.") from None
    if previous is not None:
        record("push.subscription_moved", target_type="user", target_id=previous[1], actor_id=user.id,
               deleted_subscription=previous[0], new_subscription=subscription.id)
    _drop_oldest_beyond_cap(user.id)
    return subscription


def _drop_oldest_beyond_cap(user_id: int) -> None:
    """Bounded per user, so one account cannot make every alert fan out to endless endpoints. Two
    subscribes racing may leave one too many for a moment; the next subscribe trims it."""
    beyond = db.session.scalars(
        sa.select(PushSubscription.id).where(PushSubscription.user_id == user_id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
        .offset(SUBSCRIPTIONS_PER_USER)).all()
    for subscription_id in beyond:
        forget(subscription_id)


def unsubscribe(user: User, endpoint: str) -> None:
    """Remove the caller's subscription for `endpoint`; someone else's, or none, is left as it is."""
    subscription = db.session.scalar(sa.select(PushSubscription).where(
        PushSubscription.endpoint == endpoint.strip(), PushSubscription.user_id == user.id))
    if subscription is not None:
        forget(subscription.id)


def forget(subscription_id: int) -> None:
    """Delete a subscription and what was still due to it (unsubscribed, or the push service said gone).

    By id, with plain DELETEs: the row may already be gone (the user unsubscribed during a send).
    """
    db.session.execute(sa.delete(PushDelivery).where(PushDelivery.subscription_id == subscription_id))
    db.session.execute(sa.delete(PushSubscription).where(PushSubscription.id == subscription_id)
                       .execution_options(synchronize_session="fetch"))


class DeliveryTarget(NamedTuple):
    """Plain values, not the row: the job sends after its transaction has ended."""

    endpoint: str
    p256dh: str
    auth: str
    owner_active: bool


def forget_all(user_id: int) -> int:
    """Delete every subscription of a user (signed out everywhere, or deactivated); returns how many."""
    ids = list(db.session.scalars(sa.select(PushSubscription.id).where(PushSubscription.user_id == user_id)))
    for subscription_id in ids:
        forget(subscription_id)
    return len(ids)


def on_signed_out_everywhere(user_id: int, **_kwargs) -> int:
    """auth's signed_out_everywhere (connected in app/wiring.py): a user signed out everywhere (deactivated,
    password reset, lost phone) gets no more alerts on the phones they were signed in on."""
    return forget_all(user_id)


def delivery_targets(subscription_ids: list[int]) -> dict[int, DeliveryTarget]:
    """Where each subscription's messages go, by id; a subscription that is gone is missing."""
    subscriptions, users = PushSubscription.__table__, User.__table__
    rows = db.session.execute(
        sa.select(subscriptions.c.id, subscriptions.c.endpoint, subscriptions.c.p256dh, subscriptions.c.auth,
                  users.c.active)
        .join(users, users.c.id == subscriptions.c.user_id).where(subscriptions.c.id.in_(subscription_ids)))
    return {row[0]: DeliveryTarget(row[1], row[2], row[3], bool(row[4])) for row in rows}


def mark_reachable(subscription_ids: list[int], at: datetime) -> None:
    if subscription_ids:
        subscriptions = PushSubscription.__table__
        db.session.execute(sa.update(subscriptions).where(subscriptions.c.id.in_(subscription_ids))
                           .values(last_success_at=at))


def _acceptable(endpoint: str) -> str:
    try:
        return endpoints.check(endpoint, current_app.config["PUSH_ENDPOINT_ALLOWLIST"],
                               allow_http=current_app.config["PUSH_ALLOW_HTTP"])
    except endpoints.EndpointRefused as exc:
        raise ApiError(400, "validation_error", str(exc), fields={"endpoint": [str(exc)]}) from None
