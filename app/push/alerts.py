"""Alerts decided inside a transaction: kept as PendingAlert rows, handed to the queue after commit."""

from __future__ import annotations

from app.extensions import db
from app.push.models import PendingAlert
from app.records import utcnow


def announce(kind: str, referral_id: str, version: int) -> None:
    """Record that an alert is due; it is committed with the change it announces."""
    db.session.add(PendingAlert(kind=kind, referral_id=referral_id, referral_version=version, created_at=utcnow()))
