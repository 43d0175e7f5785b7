"""Signing in and out, and managing users. Services flush; the request commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.audit.services import record, record_despite_rollback
from app.auth import throttle, users
from app.auth.models import AuthSession, User
from app.auth.passwords import verify_password
from app.auth.rules import fold_username
from app.auth.sessions import csrf_token_for, end_session, start_session
from app.directory.models import Agency, Team
from app.errors import ApiError
from app.extensions import db


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
    user = db.session.scalar(sa.select(User).where(User.username == fold_username(username)))
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
    """The sign-in answer; `password_change_required` only when the user must choose a new password
    (after an administrator's reset) before anything but /auth/password, /auth/me and /auth/logout."""
    body: dict[str, Any] = {"user": user, "csrf_token": csrf_token_for(session)}
    if user.must_change_password:
        body["password_change_required"] = True
    return body


def sign_out(session: AuthSession | None) -> None:
    if session is not None:
        end_session(session)
        record("auth.logout", target_type="user", target_id=session.user_id)


def create_user(username: str, role: str, password: str, *, team: str | None = None,
                agency: str | None = None, display_name: str | None = None) -> User:
    """Create a user naming team and agency by name (the CLI, the demo seed), with the account rules of
    app/auth/users.py; the person typed their own password, so no change is required. UserError says
    what is wrong."""
    data: dict[str, Any] = {"username": username, "role": role, "password": password,
                            "display_name": display_name or fold_username(username),
                            "team_id": _by_name(Team, team, "team").id if team else None,
                            "agency_id": _by_name(Agency, agency, "agency").id if agency else None}
    try:
        return users.create_user(data, must_change=False).user
    except users.AccountRefused as refused:
        raise UserError(str(refused)) from None


def deactivate_user(user: User) -> dict[str, Any]:
    """Switch a user off and end every session and push subscription they have at once."""
    return users.deactivate_user(user)


def _by_name(model, name: str, what: str):
    row = db.session.scalar(sa.select(model).where(sa.func.lower(model.name) == name.strip().lower()))
    if row is None:
        known = ", ".join(db.session.scalars(sa.select(model.name).order_by(model.name))) or "none yet"
        raise UserError(f"Unknown {what} '{name}'. Known: {known}.")
    return row
