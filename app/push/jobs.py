"""The rq jobs that send alerts, loading fresh rows by id.

An alert's first attempt is one job for all its subscriptions (`deliver_alert`): one claim, one
message, one record of the outcomes. rq's fixed cost per job is paid once per alert, not once per
phone. A subscription whose push service says "later" gets a job of its own (`deliver`), scheduled
with backoff; so does the recovery path for work Redis lost.

Both are safe to run twice and by two workers at once: a worker sends only to deliveries it has moved
to `sending` itself, in a committed conditional UPDATE. A claim left behind by a worker that died
mid-send lapses after LEASE, so the alert is not lost either.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from rq import Retry

from app import jobs
from app.extensions import db
from app.push import messages, sender, services
from app.push.models import PendingAlert, PushDelivery
from app.records import utcnow

log = logging.getLogger(__name__)

ALERT_QUEUE = "alerts"
# Seconds before each retry after 429/5xx/no answer; PUSH_RETRY_INTERVALS in the app config overrides.
RETRY_INTERVALS = [15, 60, 300, 900, 1800, 3600]
MAX_RETRY_AFTER = 3600
# The table, not the mapped class: these statements run for every alert, and SQLAlchemy's ORM-enabled
# UPDATE costs several times a plain one while adding nothing here.
_DELIVERIES = PushDelivery.__table__
# An alert job stops taking new sends after this long and hands the rest to jobs of their own, so it
# ends well inside its rq timeout however many push services are slow to answer.
SEND_BUDGET_SECONDS = 30
ALERT_JOB_TIMEOUT = 60
LEASE = timedelta(minutes=2)  # longer than a job may run (ALERT_JOB_TIMEOUT) plus the HTTP timeout


class DeliveryFailed(Exception):
    """The alert could not be delivered and will not be retried; the message is the reason (rq's
    failed registry keeps it for operators)."""


def job_for_alert(alert_id: int) -> jobs.JobSpec:
    return jobs.JobSpec(deliver_alert, (alert_id,), job_id=f"push-{alert_id}", timeout=ALERT_JOB_TIMEOUT)


def job_for(alert_id: int, subscription_id: int, delay: int = 0) -> jobs.JobSpec:
    return jobs.JobSpec(deliver, (alert_id, subscription_id), job_id=f"push-{alert_id}-{subscription_id}",
                        delay=delay)


def deliver_alert(alert_id: int) -> None:
    """First attempt of alert `alert_id` to every subscription still due it."""
    now = utcnow()
    stale = sa.and_(_DELIVERIES.c.state == "sending", _DELIVERIES.c.claimed_at < now - LEASE)
    claimed = _claim(sa.and_(_DELIVERIES.c.alert_id == alert_id,
                             sa.or_(_DELIVERIES.c.state == "queued", stale)), now)
    outcome = _send(alert_id, claimed)
    retries = [job_for(alert_id, s, delay=wait) for s, wait in outcome.retry_in.items()]
    retries += [job_for(alert_id, s) for s in outcome.deferred]
    if retries:
        try:
            jobs.enqueue(ALERT_QUEUE, retries)
        except jobs.QueueUnavailable as exc:
            # The deliveries stay waiting/queued in the database; the flush re-sends them.
            log.warning("alert %s: could not schedule %d retries (%s)", alert_id, len(retries), exc)
    if outcome.refused:
        raise DeliveryFailed(f"alert {alert_id}: " + "; ".join(outcome.refused))


def deliver(alert_id: int, subscription_id: int) -> Retry | None:
    """Send alert `alert_id` to subscription `subscription_id` unless it was sent already (retries and
    recovery); rq runs it again after the backoff when the push service says "later"."""
    now = utcnow()
    claimable = sa.or_(_DELIVERIES.c.state.in_(("queued", "waiting")),
                       sa.and_(_DELIVERIES.c.state == "sending", _DELIVERIES.c.claimed_at < now - LEASE))
    claimed = _claim(sa.and_(_pair(alert_id, subscription_id), claimable), now)
    outcome = _send(alert_id, claimed)
    if outcome.refused:
        raise DeliveryFailed(f"alert {alert_id}: " + "; ".join(outcome.refused))
    if subscription_id in outcome.retry_in:
        # max leaves room: the attempt count kept in the database decides when to give up, not rq's.
        return Retry(max=len(retry_intervals()) + 1, interval=outcome.retry_in[subscription_id])
    return None


def retry_intervals() -> list[int]:
    return list(current_app.config.get("PUSH_RETRY_INTERVALS") or RETRY_INTERVALS)


@dataclass
class _Outcome:
    """What happened to each claimed delivery of one alert, saved in one transaction."""

    sent: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # status -> subscriptions
    gone: list[int] = field(default_factory=list)
    failed: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # subscription -> status, reason
    waiting: dict[int, tuple[int | None, str]] = field(default_factory=dict)
    retry_in: dict[int, int] = field(default_factory=dict)  # subscription -> seconds
    deferred: list[int] = field(default_factory=list)  # claimed, not tried: the send budget ran out
    refused: list[str] = field(default_factory=list)  # reasons for rq's failed registry


def _claim(which: sa.ColumnElement[bool], now) -> dict[int, int]:
    """Take the matching deliveries for this worker: {subscription id: attempt number}."""
    rows = db.session.execute(
        sa.update(_DELIVERIES).where(which)
        .values(state="sending", claimed_at=now, attempts=_DELIVERIES.c.attempts + 1)
        .returning(_DELIVERIES.c.subscription_id, _DELIVERIES.c.attempts)).all()
    return {subscription_id: attempt for subscription_id, attempt in rows}


def _send(alert_id: int, claimed: dict[int, int]) -> _Outcome:
    """Send to every claimed subscription, then record all the outcomes in one commit."""
    outcome = _Outcome()
    if not claimed:
        db.session.commit()
        return outcome
    targets = services.delivery_targets(list(claimed))
    alert = db.session.get(PendingAlert, alert_id)
    message = messages.for_alert(alert) if alert is not None else None
    # Every other worker now sees `sending`; and no transaction stays open while waiting on the network
    # (on SQLite it would hold the write lock that every request needs).
    db.session.commit()
    deadline, tried = time.monotonic() + SEND_BUDGET_SECONDS, 0
    for subscription_id, attempt in claimed.items():
        target = targets.get(subscription_id)
        if target is None or message is None:
            outcome.failed[subscription_id] = (None, "the alert or subscription is gone")
        elif not target.owner_active:
            outcome.failed[subscription_id] = (None, "the recipient is no longer active")
        elif tried and time.monotonic() > deadline:  # every job sends at least one
            outcome.deferred.append(subscription_id)
        else:
            _send_one(outcome, subscription_id, attempt, target, message)
            tried += 1
    _save(alert_id, outcome)
    return outcome


def _send_one(outcome: _Outcome, subscription_id: int, attempt: int, target: services.DeliveryTarget,
              message: sender.PushMessage) -> None:
    try:
        status = sender.send(sender.subscription_info(target.endpoint, target.p256dh, target.auth), message)
    except sender.SubscriptionGone as exc:
        log.info("push subscription %s is gone (%s); deleted", subscription_id, exc)
        outcome.gone.append(subscription_id)
    except sender.PushRetryLater as exc:
        intervals = retry_intervals()
        if attempt > len(intervals):
            reason = f"{exc}; gave up after {attempt} attempts"
            outcome.failed[subscription_id] = (exc.status, reason)
            outcome.refused.append(f"subscription {subscription_id}: {reason}")
            return
        wait = intervals[attempt - 1]
        if exc.retry_after:
            wait = max(wait, min(exc.retry_after, MAX_RETRY_AFTER))
        log.info("subscription %s: %s; retrying in %ss", subscription_id, exc, wait)
        outcome.waiting[subscription_id] = (exc.status, str(exc))
        outcome.retry_in[subscription_id] = wait
    except sender.PushRefused as exc:
        outcome.failed[subscription_id] = (exc.status, str(exc))
        outcome.refused.append(f"subscription {subscription_id}: {exc}")
    else:
        outcome.sent[status].append(subscription_id)


def _save(alert_id: int, outcome: _Outcome) -> None:
    # Plain UPDATEs: a row may have been deleted meanwhile (the user unsubscribed), which is fine.
    now = utcnow()
    for status, subscription_ids in outcome.sent.items():
        _update(alert_id, subscription_ids, state="sent", sent_at=now, last_status=status, last_error=None)
    services.mark_reachable([s for ids in outcome.sent.values() for s in ids], now)
    for state, rows in (("failed", outcome.failed), ("waiting", outcome.waiting)):
        for subscription_id, (status, reason) in rows.items():
            _update(alert_id, [subscription_id], state=state, last_status=status, last_error=reason[:300])
    if outcome.deferred:  # not tried: give the attempt back
        _update(alert_id, outcome.deferred, state="queued", attempts=_DELIVERIES.c.attempts - 1)
    for subscription_id in outcome.gone:
        services.forget(subscription_id)
    db.session.commit()


def _update(alert_id: int, subscription_ids: list[int], **values) -> None:
    db.session.execute(sa.update(_DELIVERIES).where(
        _DELIVERIES.c.alert_id == alert_id, _DELIVERIES.c.subscription_id.in_(subscription_ids)).values(**values))


def _pair(alert_id: int, subscription_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(_DELIVERIES.c.alert_id == alert_id, _DELIVERIES.c.subscription_id == subscription_id)
