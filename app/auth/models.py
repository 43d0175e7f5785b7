"""Users, their server-side sign-in sessions, and failed sign-in attempts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.records import UtcDateTime, enum_check, utcnow
from app.vocabulary import ROLES


class User(Model):
    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", "role", ROLES),
        sa.CheckConstraint("role <> 'navigator' OR agency_id IS NOT NULL", name="navigator_has_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    # Set by an administrator's password reset (and a CSV import with generated passwords): until the user
    # chooses a new password, every endpoint but /auth/password, /auth/me and /auth/logout answers 403.
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False,
                                                       server_default=sa.false())
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuthSession(Model):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Model):
    """Failed sign-ins, for throttling when no Redis is configured (shared by all processes)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.Index("ix_login_failures_key_at", "key", "at"),)
