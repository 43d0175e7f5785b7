"""Who listens to what, in one place: the SQLAlchemy event handlers (SQLite's pragmas, commit-time
work that waits for the outermost commit) and the listeners of the entry services' events (the daily
rollup, push alerts). `init_app` attaches each once per process; nothing else in app/ registers one.

Reading the road of an entry: app/entries/pipeline.py stores it through the entry type's service;
the service sends app/entries/events.py signals; the handlers below note the counts and alerts in the
same transaction; the request commits once (app/transaction.py) and then hands alerts to the queue.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import extensions, jobs
from app.auth import events as auth_events
from app.directory.models import Team
from app.entries import clock, events
from app.push import alerts
from app.push import services as push_services
from app.stats import distinct, rollup

SQLALCHEMY_HANDLERS = (
    (Engine, "connect", extensions.sqlite_pragmas),
    (Engine, "begin", extensions.sqlite_begin),
    (Session, "before_commit", rollup.write_pending_counts),
    (Session, "before_commit", distinct.write_pending),
    (Session, "after_commit", jobs.promote_on_commit),
    (Session, "after_commit", clock.forget_on_end),
    (Session, "after_rollback", clock.forget_on_end),
    (Session, "after_soft_rollback", jobs.forget_on_rollback),
    (Session, "after_soft_rollback", rollup.forget_rolled_back_counts),
    (Session, "after_soft_rollback", distinct.forget_rolled_back),
    (Team.group, "set", distinct.on_team_group_set),
)

SIGNAL_HANDLERS = (
    (events.records_inserted, rollup.on_records_inserted),
    (events.encounter_moved, rollup.on_encounter_moved),
    (events.records_inserted, distinct.on_records_inserted),
    (events.encounter_moved, distinct.on_encounter_moved),
    (events.persons_merged, distinct.on_persons_merged),
    (events.referral_created, alerts.on_referral_created),
    (events.referral_moved, rollup.on_referral_moved),
    (events.referral_moved, alerts.on_referral_moved),
    (auth_events.signed_out_everywhere, push_services.on_signed_out_everywhere),
    (events.situation_released, alerts.on_situation_released),
)


def init_app(_app: Flask) -> None:
    for target, name, handler in SQLALCHEMY_HANDLERS:
        if not event.contains(target, name, handler):
            event.listen(target, name, handler)
    for signal, listener in SIGNAL_HANDLERS:
        signal.connect(listener, weak=False)
