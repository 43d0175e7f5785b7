"""Who is alerted: a new referral goes to the receiving agency's navigators, a status change to the
referrer. Nobody is alerted about a change they made themselves."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.push.models import PendingAlert
from app.push.services import subscriptions_of
from app.referrals.models import Referral, ReferralEvent


def subscription_ids(alert: PendingAlert) -> list[int]:
    """The subscriptions this alert goes to, read now (not when the alert was decided)."""
    referral = db.session.get(Referral, alert.referral_id)
    if referral is None:
        return []
    if alert.kind == "referral.created":
        users = set(db.session.scalars(sa.select(User.id).where(
            User.role == "navigator", User.agency_id == referral.agency_id, User.active.is_(True))))
        users.discard(referral.author_id)
    else:
        users = set(db.session.scalars(sa.select(User.id).where(User.id == referral.author_id,
                                                                User.active.is_(True))))
        actor = db.session.scalar(sa.select(ReferralEvent.actor_id).where(
            ReferralEvent.referral_id == referral.id, ReferralEvent.version == alert.referral_version))
        users.discard(actor)
    return [s.id for s in subscriptions_of(users)]

