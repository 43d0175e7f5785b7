"""`python -m workers` as operators run it: configured from the environment, delivering alerts,
riding out a Redis restart (its periodic flush sends what was saved meanwhile), stopping on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import workers
from app.push import vapid
from testkit.push_records import new_referral, subscribe

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker_process(app, database_url, redis_server, rq_worker, push_receiver, tmp_path):
    env = os.environ | {
        "APP_ENV": "test", "SECRET_KEY": "test-secret-key", "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url, "VAPID_PRIVATE_KEY": vapid.private_key_pem(),
        "PUSH_ENDPOINT_ALLOWLIST": push_receiver.host, "PUSH_ALLOW_HTTP": "1",
    }
    # A file, not a pipe: nobody reads a pipe until the end, and a worker logging Redis tracebacks
    # into a full pipe blocks inside its logging lock, and then every thread that logs stalls.
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "workers", "--flush-interval", "1"], cwd=REPO,
                                   env=env, stdout=output, stderr=subprocess.STDOUT)
    process.log = log
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def said(process) -> str:
    return process.log.read_text()[-20000:]


def wait_for_alerts(process, receiver, count: int) -> None:
    """Wait for `count` delivered alerts; on a timeout, fail with what the worker process said."""
    if receiver.wait_for(count, timeout=60) != count:
        process.send_signal(signal.SIGUSR1)  # every thread's stack, into its log
        time.sleep(0.5)
        process.kill()
        pytest.fail(f"alert {count} never arrived; the worker said:\n{said(process)}")


@pytest.mark.slow
def test_the_worker_process_delivers_rides_out_a_redis_restart_and_stops_on_sigterm(
        push_world, worker_process, redis_server):
    device = subscribe(push_world.navigator, push_world.receiver)
    new_referral(push_world)
    wait_for_alerts(worker_process, push_world.receiver, 1)

    redis_server.stop()
    try:
        new_referral(push_world, urgency="emergent")  # saved while the queue is down
    finally:
        redis_server.start()
    wait_for_alerts(worker_process, push_world.receiver, 2)  # handed over by the worker's periodic flush

    worker_process.send_signal(signal.SIGTERM)
    assert worker_process.wait(timeout=30) == 0, said(worker_process)
    assert [m.payload["urgency"] for m in push_world.receiver.delivered(device)] == ["urgent", "emergent"]


def test_the_worker_loop_waits_out_redis_being_down_instead_of_crashing(app, committed_db, rq_worker, redis_server):
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    redis_server.stop()
    try:
        workers.run(app, burst=True)  # rq talks to Redis even to make a worker: that must not kill the process
    finally:
        redis_server.start()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
