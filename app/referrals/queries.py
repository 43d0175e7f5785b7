"""Read-only questions other domains ask about referrals (who was referred where, under consent)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.referrals.models import Referral


def persons_referred_to(agency_id: int) -> sa.Select:
    """A subquery of the person ids referred to an agency: its navigators may see those people."""
    return sa.select(Referral.person_id).where(Referral.agency_id == agency_id)


def agency_has_consent(person_id: str, agency_id: int) -> bool:
    """True when a referral of this person to this agency was made with consent to share identity."""
    return db.session.scalar(
        sa.select(sa.literal(True)).where(
            Referral.person_id == person_id, Referral.agency_id == agency_id, Referral.consent_obtained.is_(True)
        ).limit(1)
    ) is not None




def agencies_without_referral_consent(person_id: str) -> set[int]:
    """The agencies this person was referred to, none of those referrals with consent: they see the
    person masked unless the person's own consent is on record."""
    referred = set(db.session.scalars(sa.select(Referral.agency_id).where(Referral.person_id == person_id)))
    consented = set(db.session.scalars(sa.select(Referral.agency_id).where(
        Referral.person_id == person_id, Referral.consent_obtained.is_(True))))
    return referred - consented
