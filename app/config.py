"""Settings read from the environment; the names are the ones docs/api.md › Operations lists."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The browser vendors' push services: the only hosts the server will POST alerts to by default.
DEFAULT_PUSH_ALLOWLIST = (
    "fcm.googleapis.com,*.push.services.mozilla.com,*.notify.windows.com,"
    "web.push.apple.com,*.push.apple.com"
)

TRUE_WORDS = {"1", "true", "yes", "on"}


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return int(raw) if raw not in (None, "") else default


# Hours a partner agency has to accept or decline a referral, by urgency (REFERRAL_RESPONSE_HOURS).
DEFAULT_REFERRAL_RESPONSE_HOURS = {"emergent": 1.0, "urgent": 24.0, "routine": 72.0}


def _response_hours(raw: str | None) -> dict[str, float]:
    """`emergent=1,urgent=24,routine=72` (any subset; the rest keep their defaults)."""
    hours = dict(DEFAULT_REFERRAL_RESPONSE_HOURS)
    for part in (raw or "").split(","):
        if not part.strip():
            continue
        urgency, _, value = part.partition("=")
        urgency = urgency.strip().lower()
        if urgency not in hours or float(value) <= 0:
            raise ValueError(f"REFERRAL_RESPONSE_HOURS: expected urgency=hours for {', '.join(hours)}, got {part!r}")
        hours[urgency] = float(value)
    return hours


def _secret_key(instance_path: Path) -> str:
    """A stable key for development: generated once into instance/ (never committed)."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def from_environment(instance_path: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config from environment variables, with safe defaults for one box."""
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "production").strip().lower()
    development = app_env in {"development", "dev", "test", "testing"}
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'help_field.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "APP_ENV": app_env,
        "DEVELOPMENT": development,
        "SECRET_KEY": env.get("SECRET_KEY") or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": env.get("REDIS_URL") or None,
        "TIMEZONE": env.get("TIMEZONE", "America/Edmonton"),
        "VAPID_PRIVATE_KEY": env.get("VAPID_PRIVATE_KEY") or None,
        "VAPID_SUBJECT": env.get("VAPID_SUBJECT", "mailto:help-field-admin@example.org"),
        "PUSH_ENDPOINT_ALLOWLIST": [
            host.strip().lower()
            for host in env.get("PUSH_ENDPOINT_ALLOWLIST", DEFAULT_PUSH_ALLOWLIST).split(",")
            if host.strip()
        ],
        "PUSH_ALLOW_HTTP": _flag(env.get("PUSH_ALLOW_HTTP")),
        # Seconds after the hand-over when unfinished alert work that rq no longer holds is sent again.
        "PUSH_LOST_AFTER_SECONDS": _int(env, "PUSH_LOST_AFTER_SECONDS", 900),
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int(env, "SESSION_MAX_HOURS", 12),
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5),
        "LOGIN_FAILURE_WINDOW_MINUTES": _int(env, "LOGIN_FAILURE_WINDOW_MINUTES", 15),
        "SESSION_COOKIE_SECURE": _flag(env.get("SESSION_COOKIE_SECURE"), default=not development),
        "TRUST_PROXY_HOPS": _int(env, "TRUST_PROXY_HOPS", 0),
        # Heavy users of service (GET /stats/heavy-users): the default window and minimum encounters.
        "HEAVY_USER_DAYS": _int(env, "HEAVY_USER_DAYS", 90),
        "HEAVY_USER_MIN_ENCOUNTERS": _int(env, "HEAVY_USER_MIN_ENCOUNTERS", 5),
        # Case management: months a case is tracked after intake, days from intake to the first review.
        "CASE_TRACKING_MONTHS": _int(env, "CASE_TRACKING_MONTHS", 24),
        "CASE_REVIEW_DAYS": _int(env, "CASE_REVIEW_DAYS", 90),
        # Referral deadlines: hours to accept or decline by urgency, then overdue (re-alerts, ?overdue=true).
        "REFERRAL_RESPONSE_HOURS": _response_hours(env.get("REFERRAL_RESPONSE_HOURS")),
        "RQ_QUEUES": ["alerts"],
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }
