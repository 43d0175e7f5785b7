"""Pieces shared by every field record: UUID keys from the phone, authorship, time helpers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.extensions import db

UUID = sa.Uuid(as_uuid=False)


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every stored time is UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC (SQLite returns naive values: they are UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def service_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_day(value: datetime) -> date:
    """The service's calendar day of an instant: what the daily counts group by."""
    return as_utc(value).astimezone(service_zone()).date()


def content_hash(entry_type: str, data: dict[str, Any]) -> str:
    """A stable fingerprint of an entry's content: same id + same hash = duplicate, else conflict."""
    canonical = json.dumps([entry_type, data], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical_value(value: Any) -> str:
    return as_utc(value).isoformat() if isinstance(value, datetime) else str(value)


def validated_hash(entry_type: str, data: dict[str, Any]) -> str:
    """content_hash(entry_type, normalised(data)), the fingerprint of validated entry data, without
    building the normalised copy: the JSON encoder meets each instant and writes it in UTC (so the same
    instant sent with another offset is the same content), and every other value as `normalised`
    leaves it (tuples become lists either way). The text hashed, and so the hash, is the same."""
    canonical = json.dumps([entry_type, data], sort_keys=True, separators=(",", ":"), default=_canonical_value)
    return hashlib.sha256(canonical.encode()).hexdigest()


class UtcDateTime(sa.types.TypeDecorator):
    """DateTime that always gives back aware UTC values, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return as_utc(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return as_utc(value)


class FieldRecord:
    """Columns of every record a phone creates: its UUID, who wrote it, from where, when received."""

    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, nullable=False)
    device_id: Mapped[str | None] = mapped_column(sa.String(100))
    entry_hash: Mapped[str | None] = mapped_column(sa.String(64))
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0, index=True)

    @declared_attr
    def author_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("users.id"), nullable=False)

    @declared_attr
    def team_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("teams.id"))


def enum_check(name: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    """A CHECK constraint that keeps a text column inside its vocabulary, on every database."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name)


__all__ = ["db", "UUID", "FieldRecord", "UtcDateTime", "utcnow", "as_utc", "local_day",
           "service_zone", "content_hash", "validated_hash", "enum_check"]


def normalised(value: Any) -> Any:
    """Entry data in a canonical form for hashing: instants in UTC, lists and dicts recursively."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalised(v) for v in value]
    return value
