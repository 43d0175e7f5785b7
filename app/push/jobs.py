"""The rq jobs that send alerts, loading fresh rows by id.

The first attempt of the alerts one commit decided runs in jobs of whole alerts and at most
DELIVERIES_PER_JOB messages (`deliver_alerts`): one claim, one message per alert, one record of the
outcomes. rq's fixed cost per job is paid once per few dozen messages, not once per phone, and a
large batch still spreads over every worker. A subscription whose push service says "later" gets a
job of its own (`deliver`), scheduled with backoff; so does the recovery path for work Redis lost.

Both are safe to run twice and by two workers at once: a worker sends only to deliveries it has moved
to `sending` itself, in a committed conditional UPDATE. A claim left behind by a worker that died
mid-send lapses after LEASE, so the alert is not lost either.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

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
# Whole alerts go in one job until it holds this many messages (an alert to more phones goes alone).
DELIVERIES_PER_JOB = 50
# A job stops taking new sends after this long and hands the rest to jobs of their own, so it ends
# well inside its rq timeout however many push services are slow to answer.
SEND_BUDGET_SECONDS = 30
ALERTS_JOB_TIMEOUT = 60
LEASE = timedelta(minutes=2)  # longer than a job may run (ALERTS_JOB_TIMEOUT) plus the HTTP timeout


class DeliveryFailed(Exception):
    """The alert could not be delivered and will not be retried; the message is the reason (rq's
    failed registry keeps it for operators)."""


def jobs_for_alerts(deliveries: dict[int, int]) -> list[jobs.JobSpec]:
    """Jobs for the first attempt of these alerts ({alert id: deliveries due}), whole alerts per job."""
    specs: list[jobs.JobSpec] = []
    group: list[int] = []
    size = 0
    for alert_id, count in sorted(deliveries.items()):
        if group and size + count > DELIVERIES_PER_JOB:
            specs.append(_alerts_job(group))
            group, size = [], 0
        group.append(alert_id)
        size += count
    if group:
        specs.append(_alerts_job(group))
    return specs


def _alerts_job(alert_ids: list[int]) -> jobs.JobSpec:
    name = f"push-{alert_ids[0]}" if len(alert_ids) == 1 else f"push-{alert_ids[0]}-to-{alert_ids[-1]}"
    return jobs.JobSpec(deliver_alerts, (alert_ids,), job_id=name, timeout=ALERTS_JOB_TIMEOUT)


def job_for(alert_id: int, subscription_id: int, delay: int = 0) -> jobs.JobSpec:
    return jobs.JobSpec(deliver, (alert_id, subscription_id), job_id=f"push-{alert_id}-{subscription_id}",
                        delay=delay)


def deliver_alerts(alert_ids: list[int]) -> None:
    """First attempt of these alerts to every subscription still due them."""
    now = utcnow()
    claims = _claim(sa.and_(_DELIVERIES.c.alert_id.in_(alert_ids),
                            sa.or_(_DELIVERIES.c.state == "queued", _lapsed(now))), now)
    outcome = _send(claims)
    retries = [job_for(c.alert_id, c.subscription_id, delay=outcome.retry_in[c.id]) for c in claims
               if c.id in outcome.retry_in]
    retries += [job_for(c.alert_id, c.subscription_id) for c in claims if c.id in outcome.deferred]
    if retries:
        try:
            jobs.enqueue(ALERT_QUEUE, retries)
        except jobs.QueueUnavailable as exc:
            # The deliveries stay waiting/queued in the database; the flush re-sends them.
            log.warning("alerts %s: could not schedule %d retries (%s)", alert_ids, len(retries), exc)
    if outcome.refused:
        raise DeliveryFailed("; ".join(outcome.refused))


def deliver(alert_id: int, subscription_id: int) -> Retry | None:
    """Send alert `alert_id` to subscription `subscription_id` unless it was sent already (retries and
    recovery); rq runs it again after the backoff when the push service says "later"."""
    now = utcnow()
    claimable = sa.or_(_DELIVERIES.c.state.in_(("queued", "waiting")), _lapsed(now))
    claims = _claim(sa.and_(_DELIVERIES.c.alert_id == alert_id, _DELIVERIES.c.subscription_id == subscription_id,
                            claimable), now)
    outcome = _send(claims)
    if outcome.refused:
        raise DeliveryFailed("; ".join(outcome.refused))
    for claim in claims:
        if claim.id in outcome.retry_in:
            # max leaves room: the attempt count kept in the database decides when to give up, not rq's.
            return Retry(max=len(retry_intervals()) + 1, interval=outcome.retry_in[claim.id])
    return None


def retry_intervals() -> list[int]:
    return list(current_app.config.get("PUSH_RETRY_INTERVALS") or RETRY_INTERVALS)


class _Claim(NamedTuple):
    id: int  # the delivery row
    alert_id: int
    subscription_id: int
    attempt: int


@dataclass
class _Outcome:
    """What happened to each claimed delivery (by delivery id), saved in one transaction."""

    sent: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # status -> deliveries
    reachable: list[int] = field(default_factory=list)  # subscriptions that took a message
    gone: set[int] = field(default_factory=set)  # subscriptions to delete
    failed: dict[int, tuple[int | None, str]] = field(default_factory=dict)  # delivery -> status, reason
    waiting: dict[int, tuple[int | None, str]] = field(default_factory=dict)
    retry_in: dict[int, int] = field(default_factory=dict)  # delivery -> seconds
    deferred: list[int] = field(default_factory=list)  # claimed, not tried: the send budget ran out
    refused: list[str] = field(default_factory=list)  # reasons for rq's failed registry


def _lapsed(now) -> sa.ColumnElement[bool]:
    """A claim left by a worker that died mid-send: anyone may take it over."""
    return sa.and_(_DELIVERIES.c.state == "sending", _DELIVERIES.c.claimed_at < now - LEASE)


def _claim(which: sa.ColumnElement[bool], now) -> list[_Claim]:
    """Take the matching deliveries for this worker."""
    rows = db.session.execute(
        sa.update(_DELIVERIES).where(which)
        .values(state="sending", claimed_at=now, attempts=_DELIVERIES.c.attempts + 1)
        .returning(_DELIVERIES.c.id, _DELIVERIES.c.alert_id, _DELIVERIES.c.subscription_id,
                   _DELIVERIES.c.attempts)).all()
    return sorted(_Claim(*row) for row in rows)


def _send(claims: list[_Claim]) -> _Outcome:
    """Send every claimed delivery, then record all the outcomes in one commit."""
    outcome = _Outcome()
    if not claims:
        db.session.commit()
        return outcome
    targets = services.delivery_targets(sorted({c.subscription_id for c in claims}))
    alert_messages = _messages({c.alert_id for c in claims})
    # Every other worker now sees `sending`; and no transaction stays open while waiting on the network
    # (on SQLite it would hold the write lock that every request needs).
    db.session.commit()
    deadline, tried = time.monotonic() + SEND_BUDGET_SECONDS, 0
    for claim in claims:
        target, message = targets.get(claim.subscription_id), alert_messages.get(claim.alert_id)
        if target is None or message is None or claim.subscription_id in outcome.gone:
            outcome.failed[claim.id] = (None, "the alert or subscription is gone")
        elif not target.owner_active:
            outcome.failed[claim.id] = (None, "the recipient is no longer active")
        elif tried and time.monotonic() > deadline:  # every job sends at least one
            outcome.deferred.append(claim.id)
        else:
            _send_one(outcome, claim, target, message)
            tried += 1
    _save(outcome)
    return outcome


def _messages(alert_ids: Iterable[int]) -> dict[int, sender.PushMessage]:
    alerts = db.session.scalars(sa.select(PendingAlert).where(PendingAlert.id.in_(sorted(alert_ids))))
    composed = {alert.id: messages.for_alert(alert) for alert in alerts}
    return {alert_id: message for alert_id, message in composed.items() if message is not None}


def _send_one(outcome: _Outcome, claim: _Claim, target: services.DeliveryTarget,
              message: sender.PushMessage) -> None:
    where = f"alert {claim.alert_id} to subscription {claim.subscription_id}"
    try:
        status = sender.send(sender.subscription_info(target.endpoint, target.p256dh, target.auth), message)
    except sender.SubscriptionGone as exc:
        log.info("push subscription %s is gone (%s); deleted", claim.subscription_id, exc)
        outcome.gone.add(claim.subscription_id)
    except sender.SubscriptionUnusable as exc:
        # Not retried, and the subscription goes: the job fails so operators see why in rq's registry.
        log.warning("push subscription %s deleted: %s", claim.subscription_id, exc)
        outcome.gone.add(claim.subscription_id)
        outcome.refused.append(f"{where}: {exc}; subscription deleted")
    except sender.PushRetryLater as exc:
        intervals = retry_intervals()
        if claim.attempt > len(intervals):
            reason = f"{exc}; gave up after {claim.attempt} attempts"
            outcome.failed[claim.id] = (exc.status, reason)
            outcome.refused.append(f"{where}: {reason}")
            return
        wait = intervals[claim.attempt - 1]
        if exc.retry_after:
            wait = max(wait, min(exc.retry_after, MAX_RETRY_AFTER))
        log.info("%s: %s; retrying in %ss", where, exc, wait)
        outcome.waiting[claim.id] = (exc.status, str(exc))
        outcome.retry_in[claim.id] = wait
    except sender.PushRefused as exc:
        outcome.failed[claim.id] = (exc.status, str(exc))
        outcome.refused.append(f"{where}: {exc}")
    else:
        outcome.sent[status].append(claim.id)
        outcome.reachable.append(claim.subscription_id)


def _save(outcome: _Outcome) -> None:
    # Plain UPDATEs by id: a row may have been deleted meanwhile (the user unsubscribed), which is fine.
    now = utcnow()
    for status, delivery_ids in outcome.sent.items():
        _update(delivery_ids, state="sent", sent_at=now, last_status=status, last_error=None)
    services.mark_reachable(sorted(set(outcome.reachable)), now)
    for state, rows in (("failed", outcome.failed), ("waiting", outcome.waiting)):
        for delivery_id, (last_status, reason) in rows.items():
            _update([delivery_id], state=state, last_status=last_status, last_error=reason[:300])
    if outcome.deferred:  # not tried: give the attempt back
        _update(outcome.deferred, state="queued", attempts=_DELIVERIES.c.attempts - 1)
    for subscription_id in sorted(outcome.gone):
        services.forget(subscription_id)
    db.session.commit()


def _update(delivery_ids: list[int], **values) -> None:
    db.session.execute(sa.update(_DELIVERIES).where(_DELIVERIES.c.id.in_(delivery_ids)).values(**values))
