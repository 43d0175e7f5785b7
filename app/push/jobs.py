"""The rq job that sends one alert to one subscription, loading fresh rows by id.

Safe to run twice and by two workers at once: a worker sends only after it has moved the delivery
row to `sending` itself, in a committed conditional UPDATE. A claim left behind by a worker that died
mid-send lapses after LEASE, so the alert is not lost either.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from rq import Retry

from app.extensions import db
from app.jobs import JobSpec
from app.push import messages, sender, services
from app.push.models import PendingAlert, PushDelivery
from app.records import utcnow

log = logging.getLogger(__name__)

# Seconds before each retry after 429/5xx/no answer; PUSH_RETRY_INTERVALS in the app config overrides.
RETRY_INTERVALS = [15, 60, 300, 900, 1800, 3600]
MAX_RETRY_AFTER = 3600
# The table, not the mapped class: these statements run once per alert and phone, and SQLAlchemy's
# ORM-enabled UPDATE costs several times a plain one while adding nothing here.
_DELIVERIES = PushDelivery.__table__
LEASE = timedelta(minutes=2)  # longer than a job may run (JobSpec.timeout) plus the HTTP timeout


class DeliveryFailed(Exception):
    """The alert could not be delivered and will not be retried; the message is the reason (rq's
    failed registry keeps it for operators)."""


def job_for(alert_id: int, subscription_id: int) -> JobSpec:
    return JobSpec(deliver, (alert_id, subscription_id), job_id=f"push-{alert_id}-{subscription_id}")


def deliver(alert_id: int, subscription_id: int) -> Retry | None:
    """Send alert `alert_id` to subscription `subscription_id` unless it was sent already."""
    attempt = _claim(alert_id, subscription_id)
    if attempt is None:
        db.session.commit()
        return None
    target = services.delivery_target(subscription_id)
    alert = db.session.get(PendingAlert, alert_id)
    message = messages.for_alert(alert) if alert is not None else None
    # Every other worker now sees `sending`; and no transaction stays open while waiting on the network
    # (on SQLite it would hold the write lock that every request needs).
    db.session.commit()
    if target is None or message is None:
        _record(alert_id, subscription_id, state="failed", last_error="the alert or subscription is gone")
        return None
    endpoint, p256dh, auth, owner_active = target
    if not owner_active:
        _record(alert_id, subscription_id, state="failed", last_error="the recipient is no longer active")
        return None
    try:
        status = sender.send(sender.subscription_info(endpoint, p256dh, auth), message)
    except sender.SubscriptionGone as exc:
        log.info("push subscription %s is gone (%s); deleted", subscription_id, exc)
        services.forget(subscription_id)
        db.session.commit()
        return None
    except sender.PushRetryLater as exc:
        return _later(alert_id, subscription_id, attempt, exc)
    except sender.PushRefused as exc:
        _record(alert_id, subscription_id, state="failed", last_status=exc.status, last_error=str(exc)[:300])
        raise DeliveryFailed(f"alert {alert_id} to subscription {subscription_id}: {exc}") from None
    now = utcnow()
    services.mark_reachable(subscription_id, now)
    _record(alert_id, subscription_id, state="sent", sent_at=now, last_status=status, last_error=None)
    return None


def retry_intervals() -> list[int]:
    return list(current_app.config.get("PUSH_RETRY_INTERVALS") or RETRY_INTERVALS)


def _claim(alert_id: int, subscription_id: int) -> int | None:
    """Take the delivery for this worker; returns its attempt number, or None if it is not ours to send."""
    now = utcnow()
    claimable = sa.or_(_DELIVERIES.c.state.in_(("queued", "waiting")),
                       sa.and_(_DELIVERIES.c.state == "sending", _DELIVERIES.c.claimed_at < now - LEASE))
    return db.session.scalar(
        sa.update(_DELIVERIES).where(_pair(alert_id, subscription_id), claimable)
        .values(state="sending", claimed_at=now, attempts=_DELIVERIES.c.attempts + 1)
        .returning(_DELIVERIES.c.attempts))


def _pair(alert_id: int, subscription_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(_DELIVERIES.c.alert_id == alert_id, _DELIVERIES.c.subscription_id == subscription_id)


def _record(alert_id: int, subscription_id: int, **outcome) -> None:
    # A plain UPDATE: the row may have been deleted meanwhile (the user unsubscribed), which is fine.
    db.session.execute(sa.update(_DELIVERIES).where(_pair(alert_id, subscription_id)).values(**outcome))
    db.session.commit()


def _later(alert_id: int, subscription_id: int, attempt: int, exc: sender.PushRetryLater) -> Retry:
    intervals = retry_intervals()
    if attempt > len(intervals):
        reason = f"{exc}; gave up after {attempt} attempts"
        _record(alert_id, subscription_id, state="failed", last_status=exc.status, last_error=reason[:300])
        raise DeliveryFailed(f"alert {alert_id} to subscription {subscription_id}: {reason}")
    wait = intervals[attempt - 1]
    if exc.retry_after:
        wait = max(wait, min(exc.retry_after, MAX_RETRY_AFTER))
    _record(alert_id, subscription_id, state="waiting", last_status=exc.status, last_error=str(exc)[:300])
    log.info("alert %s to subscription %s: %s; retrying in %ss", alert_id, subscription_id, exc, wait)
    # max leaves room: the attempt count kept in the database decides when to give up, not rq's.
    return Retry(max=len(intervals) + 1, interval=wait)
