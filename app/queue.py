"""The Redis connection and rq queues, created lazily per app (no I/O until first use)."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

# Short timeouts: a request must never hang because Redis is down.
REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 2.0, "health_check_interval": 30}


def redis_connection() -> Redis | None:
    """The app's Redis client, or None when REDIS_URL is unset (jobs then run inline)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    state = current_app.extensions.setdefault("help_redis", {})
    conn = state.get(url)
    if conn is None:
        conn = state[url] = Redis.from_url(url, **REDIS_OPTIONS)
    return conn


def queue(name: str = "alerts") -> Queue | None:
    conn = redis_connection()
    if conn is None:
        return None
    return Queue(name, connection=conn)


def queue_health() -> str:
    """'inline' without Redis, 'ok' when Redis answers, 'down' when it does not."""
    conn = redis_connection()
    if conn is None:
        return "inline"
    try:
        conn.ping()
        return "ok"
    except (RedisError, OSError):
        return "down"
