"""Failed sign-in throttling per account and per address, shared by every web process.

Redis holds the counters when REDIS_URL is set; otherwise (or while Redis is unreachable) the
database does, so several processes on one box still share them.
"""

from __future__ import annotations

import contextlib
import math
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError

from app.auth.models import LoginFailure
from app.extensions import db
from app.queue import redis_connection
from app.records import utcnow


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    per_account = current_app.config["LOGIN_MAX_FAILURES"]
    # An address is shared by everyone behind a station's NAT: allow it more before it locks.
    per_address = current_app.config.get("LOGIN_MAX_FAILURES_PER_ADDRESS", per_account * 4)
    keys = [(f"user:{username.strip().lower()}", per_account)]
    if address:
        keys.append((f"addr:{address}", per_address))
    return keys


def _window() -> int:
    return current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"] * 60


def retry_after(username: str, address: str | None) -> int | None:
    """Seconds until another attempt is allowed, or None when sign-in may be tried now."""
    waits = []
    for key, limit in _keys(username, address):
        stamps = _recent_failures(key)
        if len(stamps) >= limit:
            oldest_that_counts = sorted(stamps)[-limit]
            waits.append(max(1, math.ceil(oldest_that_counts + _window() - time.time())))
    return max(waits) if waits else None


def record_failure(username: str, address: str | None) -> None:
    now = time.time()
    for key, _limit in _keys(username, address):
        if not _redis_add(key, now):
            db.session.add(LoginFailure(key=key, at=utcnow()))


def clear_account(username: str) -> None:
    key = f"user:{username.strip().lower()}"
    conn = redis_connection()
    if conn is not None:
        with contextlib.suppress(RedisError):
            conn.delete(f"help:login-failures:{key}")
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.key == key))


def _recent_failures(key: str) -> list[float]:
    since = time.time() - _window()
    stamps: list[float] = []
    conn = redis_connection()
    if conn is not None:
        try:
            name = f"help:login-failures:{key}"
            conn.zremrangebyscore(name, 0, since)
            pairs = conn.zrange(name, 0, -1, withscores=True)
            # redis-py's types do not narrow zrange's result on withscores=True: (member, score) pairs.
            stamps.extend(float(score) for _m, score in pairs)  # type: ignore[str-unpack]
        except RedisError:
            pass
    cutoff = utcnow() - timedelta(seconds=_window())
    stamps.extend(
        at.timestamp() for at in db.session.scalars(
            sa.select(LoginFailure.at).where(LoginFailure.key == key, LoginFailure.at > cutoff))
    )
    return stamps


def _redis_add(key: str, now: float) -> bool:
    conn = redis_connection()
    if conn is None:
        return False
    try:
        name = f"help:login-failures:{key}"
        pipe = conn.pipeline()
        pipe.zadd(name, {f"{now:.6f}": now})
        pipe.expire(name, _window())
        pipe.execute()
        return True
    except RedisError:
        return False
