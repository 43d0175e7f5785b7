"""The alert outbox: alerts decided inside a transaction are PendingAlert rows, committed with the
change they announce, and handed to the queue only after that commit.

If Redis is down at that moment the row simply stays un-enqueued; `flush` (run periodically by the
worker, and by `flask push flush`) hands it over when the queue is back, and also re-sends work the
queue lost (Redis keeps nothing on disk here, so a restart forgets queued jobs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app import jobs
from app.extensions import db
from app.push import recipients, sender
from app.push.jobs import ALERT_QUEUE, deliver_alerts, job_for, jobs_for_alerts
from app.push.models import ALERT_KINDS, UNFINISHED_STATES, PendingAlert, PushDelivery
from app.records import utcnow

log = logging.getLogger(__name__)

# Work handed over longer ago than this and still not done is presumed lost with Redis.
LOST_AFTER = timedelta(minutes=15)
# Alerts and their delivery records are kept this long for operators, then deleted (the message itself
# expires at the push service after 12 hours; the referral keeps its own history).
KEEP_ALERTS = timedelta(days=30)
_BATCH = 500
# Alerts handed over per transaction: small enough that the first jobs start while the rest of a big
# commit's alerts are still being planned (a worker sends while this process plans the next chunk).
_HAND_OVER_CHUNK = 20


@dataclass(frozen=True)
class FlushReport:
    handed_over: int
    still_waiting: int
    resent: int
    purged: int = 0


def on_referral_created(referral_id: str, *, version: int) -> None:
    """A new referral alerts the receiving agency (connected in app/wiring.py)."""
    announce("referral.created", referral_id, version)


def on_referral_moved(referral, *, status: str) -> None:
    """A lifecycle move alerts the other side (connected in app/wiring.py)."""
    announce("referral.updated", str(referral.id), referral.version)


def on_situation_released(situation_id: str, *, agency_ids: list[int], actor_id: int) -> None:
    """A table found the threshold met: the lead and assisting agencies' navigators are alerted
    (connected in app/wiring.py; who exactly is read at hand-over, app/push/recipients.py)."""
    alert = PendingAlert(kind="situation.released", situation_id=str(situation_id), referral_version=1,
                         created_at=utcnow())
    db.session.add(alert)
    jobs.after_commit(_hand_over_decided, alert)


def announce(kind: str, referral_id: str, version: int) -> None:
    """Decide an alert inside the current transaction; its row is written with the commit (the alerts
    of a batch in one statement) and handed over after it."""
    if kind not in ALERT_KINDS:
        raise ValueError(f"unknown alert kind {kind!r}")
    alert = PendingAlert(kind=kind, referral_id=str(referral_id), referral_version=version, created_at=utcnow())
    db.session.add(alert)
    jobs.after_commit(_hand_over_decided, alert)


def _hand_over_decided(alerts: list[PendingAlert]) -> None:
    hand_over([alert.id for alert in alerts])  # ids exist now: the commit wrote the rows


def hand_over(alert_ids: list[int]) -> int:
    """Give committed alerts to the queue, in jobs of whole alerts (app/push/jobs.py), a chunk of alerts
    per transaction; returns how many went.

    On the first sign that Redis is down the chunk keeps enqueued_at NULL, for the flush.
    """
    handed = 0
    for start in range(0, len(alert_ids), _HAND_OVER_CHUNK):
        chunk = alert_ids[start:start + _HAND_OVER_CHUNK]
        alerts = db.session.scalars(sa.select(PendingAlert).where(
            PendingAlert.id.in_(chunk), PendingAlert.enqueued_at.is_(None)).order_by(PendingAlert.id)).all()
        plan = recipients.subscription_ids(list(alerts))
        _add_deliveries(plan)
        db.session.commit()  # the rows a job names exist before the job does (and no lock is held below)
        try:
            jobs.enqueue(ALERT_QUEUE, jobs_for_alerts({a: len(s) for a, s in plan.items() if s}))
        except jobs.QueueUnavailable as exc:
            log.warning("alerts wait for the queue (%s); `flask push flush` or the worker sends them", exc)
            return handed
        _mark_enqueued(list(plan))
        handed += len(plan)
    return handed


def flush(*, lost_after: timedelta | None = None) -> FlushReport:
    """Hand over alerts that missed the queue, then re-send handed-over work that never finished
    (`lost_after` since the hand-over; default PUSH_LOST_AFTER_SECONDS)."""
    if lost_after is None:
        lost_after = timedelta(seconds=current_app.config.get("PUSH_LOST_AFTER_SECONDS", LOST_AFTER.total_seconds()))
    waiting = list(db.session.scalars(sa.select(PendingAlert.id).where(PendingAlert.enqueued_at.is_(None))
                                      .order_by(PendingAlert.id).limit(_BATCH)))
    db.session.commit()
    handed = hand_over(waiting) if waiting else 0
    resent = _resend_lost(lost_after) if handed == len(waiting) else 0
    return FlushReport(handed_over=handed, still_waiting=len(waiting) - handed, resent=resent, purged=purge())


def purge(*, keep: timedelta = KEEP_ALERTS) -> int:
    """Delete alerts older than `keep` with their delivery records (a batch at a time); returns how many."""
    old = list(db.session.scalars(sa.select(PendingAlert.id).where(PendingAlert.created_at < utcnow() - keep)
                                  .order_by(PendingAlert.id).limit(_BATCH)))
    if old:
        db.session.execute(sa.delete(PushDelivery).where(PushDelivery.alert_id.in_(old)))
        db.session.execute(sa.delete(PendingAlert).where(PendingAlert.id.in_(old)))
    db.session.commit()
    return len(old)


def _resend_lost(lost_after: timedelta) -> int:
    """Enqueue again what was handed over long ago and is still not done: an alert's job for deliveries
    never tried, a delivery's own job for those waiting on a retry or left mid-send.

    A job rq still holds as queued, scheduled or running is left alone; only lost or ended ones go again.
    """
    now = utcnow()
    rows = db.session.execute(
        sa.select(PushDelivery.alert_id, PushDelivery.subscription_id, PushDelivery.state)
        .join(PendingAlert, PendingAlert.id == PushDelivery.alert_id)
        .where(PushDelivery.state.in_(UNFINISHED_STATES), PendingAlert.enqueued_at <= now - lost_after,
               PendingAlert.created_at >= now - timedelta(seconds=sender.TTL_SECONDS))
        .order_by(PushDelivery.id).limit(_BATCH)).all()
    db.session.commit()
    never_tried: dict[int, int] = {}
    for alert_id, _subscription_id, state in rows:
        if state == "queued":
            never_tried[alert_id] = never_tried.get(alert_id, 0) + 1
    specs = jobs_for_alerts(never_tried)
    specs += [job_for(a, s) for a, s, state in rows if state != "queued"]
    if not specs:
        return 0
    try:
        jobs.reap_abandoned(ALERT_QUEUE)  # a job a dead worker still "holds" must not block its own recovery
        sent = jobs.enqueue(ALERT_QUEUE, specs, replace_ended=True)
    except jobs.QueueUnavailable as exc:
        log.warning("could not re-send unfinished alerts: %s", exc)
        return 0
    # How many deliveries the jobs just enqueued will send.
    return sum(sum(never_tried[a] for a in spec.args[0]) if spec.func is deliver_alerts else 1 for spec in sent)


def _add_deliveries(plan: dict[int, list[int]]) -> None:
    rows = [{"alert_id": a, "subscription_id": s, "state": "queued", "attempts": 0, "created_at": utcnow()}
            for a, subscription_ids in plan.items() for s in subscription_ids]
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), _BATCH):
        # Insert-or-ignore: the flush and a request may hand over the same alert at the same moment.
        db.session.execute(dialect.insert(PushDelivery).values(rows[start:start + _BATCH])
                           .on_conflict_do_nothing(index_elements=["alert_id", "subscription_id"]))


def _mark_enqueued(alert_ids: list[int]) -> None:
    if alert_ids:
        db.session.execute(sa.update(PendingAlert).where(PendingAlert.id.in_(alert_ids),
                                                         PendingAlert.enqueued_at.is_(None))
                           .values(enqueued_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
