"""Fixtures for push tests: the receiver, the app set to send to it, and a real rq worker on real Redis."""

from __future__ import annotations

import signal
import time
from types import SimpleNamespace

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from app.extensions import db
from app.push.alerts import ALERT_QUEUE
from testkit import factories
from testkit.push_receiver import PushReceiver
from workers import make_worker, worker_connection


class QueueRunner:
    """Runs a real rq worker (in this thread, burst mode, with the scheduler) until the queue is done."""

    def __init__(self, app, url: str):
        self.app = app
        self.connection: Redis = worker_connection(url)
        self.queue = Queue(ALERT_QUEUE, connection=self.connection)

    def outstanding(self) -> int:
        """Jobs still queued, scheduled for a retry, or running."""
        return (self.queue.count + ScheduledJobRegistry(queue=self.queue).count
                + StartedJobRegistry(queue=self.queue).count)

    def drain(self, timeout: float = 30.0, *, fork: bool = False) -> None:
        # The test's own transaction would hold SQLite's write lock while the worker needs it.
        db.session.commit()
        handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        deadline = time.monotonic() + timeout
        try:
            while True:
                make_worker(self.app, self.connection, fork=fork).work(burst=True, with_scheduler=True,
                                                                       logging_level="WARNING")
                if self.outstanding() == 0:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.outstanding()} job(s) still outstanding after {timeout} s")
                time.sleep(0.1)  # a retry is scheduled a second or so ahead
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)

    def failed_jobs(self) -> list[Job]:
        registry = FailedJobRegistry(queue=self.queue)
        return [Job.fetch(job_id, connection=self.connection) for job_id in registry.get_job_ids()]


@pytest.fixture
def push_receiver():
    receiver = PushReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def push_settings(app, monkeypatch, push_receiver):
    """The app accepts the local receiver as a push service (http, loopback) and retries after 1 s."""
    monkeypatch.setitem(app.config, "PUSH_ENDPOINT_ALLOWLIST",
                        [*app.config["PUSH_ENDPOINT_ALLOWLIST"], push_receiver.host])
    monkeypatch.setitem(app.config, "PUSH_ALLOW_HTTP", True)
    monkeypatch.setitem(app.config, "PUSH_RETRY_INTERVALS", [1, 1, 1])
    return push_receiver


@pytest.fixture
def rq_worker(app, redis_server, monkeypatch, push_settings):
    """REDIS_URL set to a throwaway Redis (emptied before and after); `.drain()` runs a real worker."""
    monkeypatch.setitem(app.config, "REDIS_URL", redis_server.url)
    runner = QueueRunner(app, redis_server.url)
    runner.connection.flushall()
    yield runner
    try:
        runner.connection.ping()
    except RedisError:
        redis_server.start()  # a test that stopped Redis failed before starting it again
    runner.connection.flushall()


@pytest.fixture
def push_world(committed_db, push_settings):
    """Committed: an agency with two navigators (and one deactivated), a navigator elsewhere, an officer."""
    agency = factories.make_agency("Hope Mission")
    elsewhere = factories.make_agency("George Spady Society")
    team = factories.make_team("Downtown HELP")
    world = SimpleNamespace(
        agency=agency, receiver=push_settings,
        officer=factories.make_user("officer", team=team),
        navigator=factories.make_user("navigator", agency=agency),
        colleague=factories.make_user("navigator", agency=agency),
        on_leave=factories.make_user("navigator", agency=agency, active=False),
        other_agency=factories.make_user("navigator", agency=elsewhere),
    )
    committed_db.session.commit()
    return world
