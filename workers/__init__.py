"""The rq worker: one app per process, an app context per job, the scheduler for retries, and a
periodic flush of alerts that were saved while the queue was down.

Jobs are short HTTP POSTs to push services, so the default worker runs them in its own process
(SimpleWorker): forking a Flask app per job would cost more than the job. `--fork` gives rq's
forking Worker for isolation instead.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, Worker

from app.extensions import db
from app.push import alerts, overdue

log = logging.getLogger("workers")

FLUSH_SECONDS = 30.0
RESTART_PAUSE_MAX = 30.0


if TYPE_CHECKING:
    from rq.worker import BaseWorker as _Worker  # what the mixin is mixed into
else:
    _Worker = object


class AppContextMixin(_Worker):
    """Every job runs inside a fresh app context: its own database session, removed afterwards."""

    app: Flask
    stop_signalled: bool

    def __init__(self, *args: Any, app: Flask, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.app = app
        self.stop_signalled = False

    def perform_job(self, job, queue) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue)

    def request_stop(self, signum, frame) -> None:
        # rq's idle shutdown leaves no trace on the worker; `run` needs to tell it from a crash.
        self.stop_signalled = True
        super().request_stop(signum, frame)


class AppWorker(AppContextMixin, SimpleWorker):
    """Runs jobs in the worker's own process."""


class ForkingAppWorker(AppContextMixin, Worker):
    """Runs each job in a forked child (rq's default isolation)."""

    def main_work_horse(self, job, queue) -> None:
        # The child inherits the parent's pooled database connections; sharing them would corrupt both.
        with self.app.app_context():
            db.engine.dispose(close=False)
        super().main_work_horse(job, queue)


class AlertFlusher(threading.Thread):
    """Every `interval` seconds, hands over alerts that missed the queue (and re-sends lost work).

    It runs beside the worker, not as an rq job, because it is needed exactly when Redis was down
    or restarted empty, when a job scheduled in Redis would be gone.
    """

    def __init__(self, app: Flask, interval: float = FLUSH_SECONDS):
        super().__init__(name="alert-flusher", daemon=True)
        self.app = app
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            flush_once(self.app)

    def stop(self) -> None:
        self.stopped.set()


def flush_once(app: Flask) -> alerts.FlushReport | None:
    """One round in its own app context: re-alert overdue referrals (app/push/overdue.py), then the
    flush; failures are logged, never raised (the next round retries)."""
    with app.app_context():
        try:
            overdue.sweep()
            report = alerts.flush()
        except Exception:  # the database may be briefly unavailable too
            log.exception("alert flush failed; retrying in the next round")
            db.session.rollback()
            return None
    if report.handed_over or report.resent or report.still_waiting or report.purged:
        log.info("alert flush: %s handed over, %s waiting for the queue, %s re-sent, %s old deleted",
                 report.handed_over, report.still_waiting, report.resent, report.purged)
    return report


def worker_connection(url: str) -> Redis:
    """The worker's own Redis client: no socket timeout, since rq blocks on BLPOP for minutes."""
    return Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def make_worker(app: Flask, connection: Redis, *, fork: bool = False,
                queue_names: list[str] | None = None) -> AppContextMixin:
    names = queue_names or list(app.config.get("RQ_QUEUES") or ["alerts"])
    queues = [Queue(name, connection=connection) for name in names]
    worker_class = ForkingAppWorker if fork else AppWorker
    return worker_class(queues, connection=connection, app=app)


def run(app: Flask, *, burst: bool = False, fork: bool = False, flush_interval: float = FLUSH_SECONDS,
        queue_names: list[str] | None = None) -> None:
    """Work until asked to stop; survives Redis going away (waits for it) and flushes meanwhile."""
    url = app.config.get("REDIS_URL")
    if not url:
        raise SystemExit("REDIS_URL is not set: alerts are sent inline by the web process; no worker is needed.")
    connection = worker_connection(url)
    flusher = AlertFlusher(app, flush_interval)
    if not burst:
        flusher.start()
    stop = threading.Event()
    pause = 1.0
    try:
        while True:
            _stop_on_signal(stop)
            flush_once(app)
            if stop.is_set():
                return
            worker = None
            try:
                # rq talks to Redis already when making a worker, so that too waits for Redis to be back.
                worker = make_worker(app, connection, fork=fork, queue_names=queue_names)
                worker.work(burst=burst, with_scheduler=True)  # installs rq's own warm-shutdown handlers
                pause = 1.0
            except RedisError as exc:
                log.warning("Redis is unreachable (%s); trying again in %.0f s", exc, pause)
            if burst or (worker is not None and worker.stop_signalled):
                return
            _stop_on_signal(stop)
            if stop.wait(pause):
                return
            pause = min(pause * 2, RESTART_PAUSE_MAX)
    finally:
        flusher.stop()


def _stop_on_signal(stop: threading.Event) -> None:
    """Outside rq's work loop, rq's handlers (which talk to Redis, maybe down) must not run: just stop."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
