"""Background jobs: handed to rq only after the transaction that decided them has committed.

A job named before its rows are committed can run first and find nothing, so code inside a
transaction never enqueues: it registers work with `after_commit`. When the outermost transaction
commits, that work becomes ready; the request (app/transaction.py), a CLI command or a job then calls
`run_after_commit`. A rolled-back transaction or savepoint forgets what it registered. Jobs carry
ids, never objects. Without REDIS_URL a job runs inline, in this process, right then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db
from app.queue import queue
from app.savepoints import current_transaction, within

log = logging.getLogger(__name__)

_PENDING = "help_jobs.pending"  # session.info: [(transaction, callback, item)], not yet committed
_READY = "help_jobs.ready"  # session.info: {callback: [items]}, committed, waiting to be run
# rq states in which a job will do nothing more: such a job may be replaced by a fresh one.
_ENDED = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)
# Callbacks run after commit may commit and register more; a chain longer than this is a bug.
_MAX_ROUNDS = 10


class QueueUnavailable(RuntimeError):
    """REDIS_URL is set but Redis did not take the job (down, or refusing writes)."""


@dataclass(frozen=True)
class JobSpec:
    """One call to enqueue: a module-level function, plain arguments, and a stable id for dedupe."""

    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    job_id: str | None = None
    timeout: int = 60
    # A minute: rq's path for keeping a result briefly is cheaper than its path for deleting it at once.
    result_ttl: int = 60
    failure_ttl: int = 7 * 24 * 3600
    # Seconds to wait before the job may run (rq's scheduler holds it until then); 0 runs it now.
    delay: int = 0


def after_commit(callback: Callable[[list[Any]], None], item: Any) -> None:
    """Call `callback(items)` once the current transaction commits, with every item registered for it.

    Batching by callback lets one request that decided 500 alerts hand them over in one go.
    """
    session = db.session()
    transaction = current_transaction(session)
    session.info.setdefault(_PENDING, []).append((transaction, callback, item))


def run_after_commit() -> None:
    """Run the work of every transaction that committed on this session (each callback commits its own)."""
    session = db.session()
    for _round in range(_MAX_ROUNDS):
        ready: dict[Callable, list[Any]] = session.info.pop(_READY, {})
        if not ready:
            return
        for callback, items in ready.items():
            try:
                callback(items)
            except Exception:  # committed already: never undo the caller's answer over this
                log.exception("after-commit work %s failed; it is retried by its own recovery path",
                              getattr(callback, "__qualname__", callback))
                session.rollback()
    log.error("after-commit work kept registering more work; stopped after %d rounds", _MAX_ROUNDS)


def commit() -> None:
    """Commit the unit of work and run what waited for it: for CLI commands and jobs (requests do this
    in app/transaction.py)."""
    db.session.commit()
    run_after_commit()


def enqueue(queue_name: str, specs: list[JobSpec], *, replace_ended: bool = False) -> list[JobSpec]:
    """Hand jobs to rq (or run them inline without REDIS_URL); returns those newly enqueued (or run).

    A job whose id rq already holds is skipped. With `replace_ended`, a job rq holds only as a finished
    or failed record is replaced by a fresh one: the recovery path for work the caller knows is not
    done. Two callers racing on the same id may both enqueue it; jobs must be safe to run twice anyway.
    Raises QueueUnavailable when Redis does not answer.
    """
    target = queue(queue_name)
    if target is None:
        for spec in specs:
            if spec.delay:
                log.warning("job %s is due in %ss; without Redis it waits for `flask push flush`",
                            spec.job_id or spec.func.__qualname__, spec.delay)
            else:
                run_inline(spec)
        return list(specs)
    if not specs:
        return []
    try:
        held = _held_job_ids(target.connection, [s.job_id for s in specs if s.job_id])
        if replace_ended:
            held -= _drop_ended(target.connection, held)
        fresh = [s for s in specs if s.job_id is None or s.job_id not in held]
        # One round trip for the lot: a request that decided 500 alerts must not wait on 500 of them.
        with target.connection.pipeline() as pipe:
            target.enqueue_many([Queue.prepare_data(s.func, args=s.args, job_id=s.job_id, timeout=s.timeout,
                                                    result_ttl=s.result_ttl, failure_ttl=s.failure_ttl)
                                 for s in fresh if not s.delay], pipeline=pipe)
            for s in fresh:
                if s.delay:
                    target.enqueue_in(timedelta(seconds=s.delay), s.func, *s.args, job_id=s.job_id,
                                      job_timeout=s.timeout, result_ttl=s.result_ttl, failure_ttl=s.failure_ttl,
                                      pipeline=pipe)
            pipe.execute()
    except (RedisError, OSError) as exc:
        raise QueueUnavailable(f"queue '{queue_name}' is unreachable: {exc}") from exc
    return fresh


def reap_abandoned(queue_name: str) -> None:
    """Mark jobs whose worker died mid-job (their lease in rq's started registry ran out) as failed, so a
    recovery path may replace them; rq's own maintenance does this only every 10 minutes."""
    target = queue(queue_name)
    if target is None:
        return
    try:
        StartedJobRegistry(queue=target).cleanup()
    except (RedisError, OSError) as exc:
        raise QueueUnavailable(f"queue '{queue_name}' is unreachable: {exc}") from exc


def run_inline(spec: JobSpec) -> None:
    """Run a job here and now, as a worker would, minus retries: there is no scheduler without Redis."""
    try:
        result = spec.func(*spec.args)
    except Exception:  # a failed inline job must not fail the request that committed
        log.exception("inline job %s failed", spec.job_id or spec.func.__qualname__)
        db.session.rollback()
        return
    if isinstance(result, Retry):
        log.warning("inline job %s asked to be retried; without Redis it waits for `flask push flush`",
                    spec.job_id or spec.func.__qualname__)


def _held_job_ids(connection, job_ids: list[str]) -> set[str]:
    if not job_ids:
        return set()
    with connection.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.exists(Job.key_for(job_id))
        answers = pipe.execute()
    return {job_id for job_id, exists in zip(job_ids, answers, strict=True) if exists}


def _drop_ended(connection, job_ids: set[str]) -> set[str]:
    dropped = set()
    for job_id in job_ids:
        try:
            job = Job.fetch(job_id, connection=connection)
        except NoSuchJobError:
            dropped.add(job_id)
            continue
        if job.get_status(refresh=False) in _ENDED:
            job.delete()
            dropped.add(job_id)
    return dropped


def promote_on_commit(session: Session) -> None:
    """Session after_commit (attached by app/wiring.py): the work of a committed transaction is ready."""
    # Releasing a savepoint fires after_commit too; only the outermost commit makes rows visible.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, [])
    if pending:
        ready = session.info.setdefault(_READY, {})
        for _transaction, callback, item in pending:
            ready.setdefault(callback, []).append(item)


def forget_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """Session after_soft_rollback (attached by app/wiring.py): a rolled-back savepoint forgets its work."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
        return
    session.info[_PENDING] = [entry for entry in pending if not within(entry[0], previous_transaction)]
