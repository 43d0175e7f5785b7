"""When Redis is down, saving still works and alerts wait in the outbox; when Redis comes back (even
empty), the flush sends what is due exactly once."""

import time
from datetime import timedelta

import sqlalchemy as sa
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from app.extensions import db as _db
from app.push.models import PendingAlert, PushDelivery
from app.referrals.models import Referral
from testkit.push_records import new_referral, subscribe


def flush(app, *args: str):
    return app.test_cli_runner().invoke(args=["push", "flush", *args])


def test_referrals_saved_while_redis_is_down_are_alerted_once_it_is_back(app, push_world, rq_worker, redis_server):
    device = subscribe(push_world.navigator, push_world.receiver)
    redis_server.stop()
    try:
        referral = new_referral(push_world)
        assert _db.session.get(Referral, referral.id) is not None
        assert _db.session.scalar(sa.select(PendingAlert.enqueued_at)) is None
        assert app.test_client().get("/healthz").get_json() == {"db": "ok", "queue": "down"}
        waiting = flush(app)
        assert waiting.exit_code == 1 and "0 alert(s); 1 still waiting" in waiting.output
    finally:
        redis_server.start()
    assert app.test_client().get("/healthz").get_json() == {"db": "ok", "queue": "ok"}
    assert push_world.receiver.requests(device) == []

    result = flush(app)
    assert result.exit_code == 0 and "Handed over 1 alert(s); 0 still waiting" in result.output
    rq_worker.drain()
    [message] = push_world.receiver.delivered(device)
    assert message.payload["referral_id"] == referral.id
    assert _db.session.scalar(sa.select(PendingAlert.enqueued_at)) is not None


def test_work_lost_when_redis_restarts_empty_is_sent_again_by_the_flush(app, push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    subscribe(push_world.colleague, push_world.receiver)
    new_referral(push_world)
    rq_worker.connection.flushall()  # what a restart of a Redis that keeps nothing on disk does
    rq_worker.drain()
    assert push_world.receiver.requests() == []

    assert "2 unfinished delivery(ies) sent again" in flush(app, "--lost-after", "0").output
    rq_worker.drain()
    assert "0 unfinished delivery(ies) sent again" in flush(app, "--lost-after", "0").output
    rq_worker.drain()
    assert len(push_world.receiver.delivered(device)) == 1 and len(push_world.receiver.delivered()) == 2


def test_a_job_whose_worker_died_mid_job_is_sent_again_by_the_flush(app, push_world, rq_worker):
    """rq keeps such a job as started until its lease runs out and its maintenance (every 10 minutes)
    notices; the flush must not wait for that, nor skip the job as still running."""
    device = subscribe(push_world.navigator, push_world.receiver)
    new_referral(push_world)
    job = Job.fetch(rq_worker.queue.pop_job_id(), connection=rq_worker.connection)  # a worker took it...
    job.set_status(JobStatus.STARTED)
    started = StartedJobRegistry(queue=rq_worker.queue)
    rq_worker.connection.zadd(started.key, {f"{job.id}:worker-killed": time.time() - 1})  # ...and died, lease over
    assert "1 unfinished delivery(ies) sent again" in flush(app, "--lost-after", "0").output
    rq_worker.drain()
    assert len(push_world.receiver.delivered(device)) == 1


def test_recent_work_still_in_the_queue_is_not_sent_again(app, push_world, rq_worker):
    device = subscribe(push_world.navigator, push_world.receiver)
    new_referral(push_world)
    assert "0 unfinished delivery(ies) sent again" in flush(app).output
    assert "0 unfinished delivery(ies) sent again" in flush(app, "--lost-after", "0").output
    rq_worker.drain()
    assert len(push_world.receiver.requests(device)) == 1


def test_alerts_older_than_thirty_days_are_deleted_with_their_deliveries_by_the_flush(app, push_world, rq_worker):
    subscribe(push_world.navigator, push_world.receiver)
    old, recent = new_referral(push_world), new_referral(push_world)
    rq_worker.drain()
    alert = _db.session.scalar(sa.select(PendingAlert).where(PendingAlert.referral_id == old.id))
    alert.created_at -= timedelta(days=31)
    _db.session.commit()
    assert "1 alert(s) older than 30 days deleted" in flush(app).output
    kept = _db.session.execute(sa.select(PendingAlert.referral_id, sa.func.count(PushDelivery.id))
                               .join(PushDelivery, PushDelivery.alert_id == PendingAlert.id)
                               .group_by(PendingAlert.referral_id)).all()
    assert [(str(r), n) for r, n in kept] == [(str(recent.id), 1)]
