"""Signing in and out, and managing users. Services flush; the request commits."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.services import record, record_despite_rollback
from app.auth import throttle
from app.auth.models import AuthSession, User
from app.auth.passwords import hash_password, password_problems, verify_password
from app.auth.sessions import csrf_token_for, end_all_sessions, end_session, start_session
from app.directory.models import Agency, Team
from app.errors import ApiError
from app.extensions import db
from app.vocabulary import ROLES


class UserError(ValueError):
    """A user cannot be created as asked; the message says why, for the CLI."""


def sign_in(username: str, password: str, address: str | None) -> tuple[User, AuthSession, str] | None:
    """Check credentials (throttled): the user, the new session and its cookie token, or None.

    None (wrong password, unknown or inactive user) is the same answer in every case; the failure is
    recorded for throttling and audit, so the caller answers 401 *without* rolling back.
    """
    wait = throttle.retry_after(username, address)
    if wait is not None:
        record_despite_rollback("auth.login", outcome="throttled")
        raise ApiError(429, "rate_limited",
                       "Too many failed sign-ins; wait a few minutes and try again.",
                       headers={"Retry-After": str(wait)})
    user = db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        throttle.record_failure(username, address)
        record("auth.login", outcome="failed", actor_id=user.id if user else None)
        return None
    throttle.clear_account(username)
    session, token = start_session(user)
    record("auth.login", actor_id=user.id, target_type="user", target_id=user.id)
    return user, session, token


def signed_in_body(user: User, session: AuthSession) -> dict:
    return {"user": user, "csrf_token": csrf_token_for(session)}


def sign_out(session: AuthSession | None) -> None:
    if session is not None:
        end_session(session)
        record("auth.logout", target_type="user", target_id=session.user_id)


def create_user(username: str, role: str, password: str, *, team: str | None = None,
                agency: str | None = None, display_name: str | None = None) -> User:
    """Create a user, naming team and agency by name; UserError says what is wrong."""
    username = username.strip().lower()
    if role not in ROLES:
        raise UserError(f"Unknown role '{role}'; use one of: {', '.join(ROLES)}.")
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise UserError(f"A user named '{username}' already exists.")
    problems = password_problems(password, username)
    if problems:
        raise UserError(" ".join(problems))
    team_row = _by_name(Team, team, "team") if team else None
    agency_row = _by_name(Agency, agency, "agency") if agency else None
    if role == "navigator" and agency_row is None:
        raise UserError("A navigator belongs to a partner agency: give --agency NAME.")
    user = User(username=username, role=role, display_name=display_name or username,
                team_id=team_row.id if team_row else None, agency_id=agency_row.id if agency_row else None,
                password_hash=hash_password(password), active=True)
    db.session.add(user)
    db.session.flush()
    return user


def deactivate_user(user: User) -> int:
    """Switch a user off and end every session they have at once."""
    user.active = False
    return end_all_sessions(user.id)


def _by_name(model, name: str, what: str):
    row = db.session.scalar(sa.select(model).where(sa.func.lower(model.name) == name.strip().lower()))
    if row is None:
        known = ", ".join(db.session.scalars(sa.select(model.name).order_by(model.name))) or "none yet"
        raise UserError(f"Unknown {what} '{name}'. Known: {known}.")
    return row
