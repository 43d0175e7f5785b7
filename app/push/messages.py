"""What an alert says. Push payloads pass through the browser vendors' services and sit on lock
screens, so they carry the referral's id, urgency and service need, and nothing about the person:
no name, alias, description, birth year, and no free-text notes (which may name them)."""

from __future__ import annotations

import time

import sqlalchemy as sa

from app.extensions import db
from app.push.models import PendingAlert
from app.push.sender import PushMessage
from app.referrals.models import Referral, ReferralEvent
from app.tables.models import Situation

_CACHE_SECONDS = 60
_CACHE_SIZE = 2048
_cache: dict[tuple[str, str, int], tuple[float, PushMessage | None]] = {}

_SERVICE_WORDS = {"mental_health": "mental health", "id_documents": "ID documents"}
_STATUS_WORDS = {"accepted": "accepted", "declined": "declined", "withdrawn": "withdrawn",
                 "completed": "completed", "no_show": "marked as a no-show", "pending": "reopened"}


def for_alert(alert: PendingAlert) -> PushMessage | None:
    """The message for this alert; None if its referral is gone.

    Built once per alert and process, not once per subscription: what an alert says depends only on
    its kind, referral and version, none of which change.
    """
    if alert.kind == "situation.released":
        return _situation_released(str(alert.situation_id))
    key = (alert.kind, str(alert.referral_id), alert.referral_version)
    hit = _cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    if len(_cache) > _CACHE_SIZE:
        _cache.clear()
    message = _compose(*key)
    _cache[key] = (time.monotonic() + _CACHE_SECONDS, message)
    return message


def _compose(kind: str, referral_id: str, version: int) -> PushMessage | None:
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        return None
    service = _SERVICE_WORDS.get(referral.service, referral.service.replace("_", " "))
    if kind == "referral.created":
        title = f"{referral.urgency.capitalize()} referral: {service}"
        body = "A new referral is waiting in your agency's inbox."
    elif kind == "referral.overdue":
        title = f"Overdue {referral.urgency} referral: {service}"
        body = "A referral in your agency's inbox is past its response time."
    elif kind == "referral.escalated":
        title = f"No answer yet: {referral.urgency} referral for {service}"
        body = "A referral from your team is still waiting for the agency to answer."
    else:
        status = db.session.scalar(sa.select(ReferralEvent.to_status).where(
            ReferralEvent.referral_id == referral.id, ReferralEvent.version == version))
        said = _STATUS_WORDS.get(status or referral.status, "updated")
        title = f"Referral {said}: {service}"
        body = f"Your {referral.urgency} referral for {service} was {said}."
    # referral_id and version name the alert: the phone shows each one once, however often it arrives.
    payload: dict[str, str | int] = {"type": kind, "referral_id": str(referral.id), "version": version,
                                     "urgency": referral.urgency, "title": title, "body": body}
    # Topic: ≤ 32 characters of the base64url alphabet; per referral, so a newer alert replaces an older one.
    return PushMessage(payload=payload, urgency=referral.urgency, topic=_topic(str(referral.id)))


def _situation_released(situation_id: str) -> PushMessage | None:
    """Only that the agency now acts on a situation: no person, no summary, no risk factors."""
    if db.session.get(Situation, situation_id) is None:
        return None
    payload: dict[str, str | int] = {
        "type": "situation.released", "situation_id": situation_id, "version": 1, "urgency": "urgent",
        "title": "Situation table: your agency acts",
        "body": "The table asked your agency to act on a situation. Open Our situations."}
    return PushMessage(payload=payload, urgency="urgent", topic=_topic(situation_id))


def _topic(referral_id: str) -> str:
    return referral_id.replace("-", "")[:32]
