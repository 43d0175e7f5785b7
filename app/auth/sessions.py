"""Server-side sign-in sessions: cookie token, idle and absolute lifetimes, CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import CursorResult

from app.auth.models import AuthSession, User
from app.extensions import db
from app.records import utcnow

COOKIE_NAME = "help_session"
# Writing last_seen_at on every request would turn every read into a write; a minute is precise enough.
TOUCH_EVERY = timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> tuple[AuthSession, str]:
    """A new session (a fresh id at every sign-in); returns it and the cookie token."""
    token = secrets.token_urlsafe(32)
    session = AuthSession(id=_digest(token), user_id=user.id, created_at=utcnow(), last_seen_at=utcnow())
    db.session.add(session)
    db.session.flush()
    return session, token


def csrf_token_for(session: AuthSession) -> str:
    """Bound to the session: valid for as long as the session, useless with any other."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"csrf:" + session.id.encode(), hashlib.sha256).hexdigest()


def csrf_matches(session: AuthSession, presented: str | None) -> bool:
    if not presented:
        return False
    return hmac.compare_digest(csrf_token_for(session), presented)


def _expired(session: AuthSession, now: datetime) -> bool:
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return now - session.last_seen_at > idle or now - session.created_at > absolute


class ResumedSession(NamedTuple):
    """What a cookie token names: a live session and its active user, or nothing, saying whether it was
    revoked (the phone then wipes what it holds) rather than expired or unknown (it may keep working)."""

    session: AuthSession | None = None
    user: User | None = None
    revoked: bool = False


def resume_session(token: str | None) -> ResumedSession:
    """The live session and active user behind a cookie token; empty when expired, revoked or unknown.

    Revoked means the session was ended on the server (an administrator's `users sign-out` or
    `users deactivate`, which end every session at once) or its user is switched off; that wins over
    expiry, so a lost phone that comes back online days later still learns it was signed out."""
    if not token:
        return ResumedSession()
    row = db.session.execute(
        sa.select(AuthSession, User).join(User, User.id == AuthSession.user_id)
        .where(AuthSession.id == _digest(token))
    ).first()
    if row is None:
        return ResumedSession()
    session, user = row
    if session.revoked_at is not None or not user.active:
        return ResumedSession(revoked=True)
    now = utcnow()
    if _expired(session, now):
        return ResumedSession()
    if now - session.last_seen_at > TOUCH_EVERY:
        session.last_seen_at = now
    return ResumedSession(session, user)


def end_session(session: AuthSession) -> None:
    session.revoked_at = utcnow()


def end_all_sessions(user_id: int) -> int:
    """Revoke every live session of a user (deactivation, lost phone); returns how many."""
    # An UPDATE's result is a CursorResult (it has the row count); Session.execute is typed for any statement.
    result = cast(CursorResult, db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ))
    return result.rowcount or 0


def end_other_sessions(user_id: int, keep_session_id: str) -> int:
    """Revoke every live session of a user but the one in use (after a password change)."""
    result = cast(CursorResult, db.session.execute(
        sa.update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.id != keep_session_id)
        .values(revoked_at=utcnow())
    ))
    return result.rowcount or 0
