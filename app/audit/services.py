"""Writing audit events. Ids only: an audit row never carries a name, a note or a description."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, request

from app.audit.models import AuditEvent, Disclosure
from app.extensions import db
from app.pagination import paginate
from app.records import utcnow


def _remote_addr() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(action: str, *, target_type: str | None = None, target_id: Any = None, outcome: str = "ok",
           actor_id: int | None = None, **detail: Any) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the request or job)."""
    if actor_id is None and has_request_context() and g.get("user") is not None:
        actor_id = g.user.id
    event = AuditEvent(at=utcnow(), actor_id=actor_id, action=action, target_type=target_type,
                       target_id=None if target_id is None else str(target_id), outcome=outcome,
                       remote_addr=_remote_addr(), detail=detail)
    db.session.add(event)
    return event


def record_despite_rollback(action: str, **kwargs: Any) -> None:
    """For failures (wrong password, permission refused): kept even though the request rolls back."""
    if not has_request_context():
        record(action, **kwargs)
        return
    actor_id = kwargs.pop("actor_id", None)
    if actor_id is None and g.get("user") is not None:
        actor_id = g.user.id
    g.setdefault("audit_after_rollback", []).append((action, actor_id, kwargs))


def replay_after_rollback() -> None:
    """Called by the error path after rollback: re-add the failure events so they are committed."""
    for action, actor_id, kwargs in g.pop("audit_after_rollback", []):
        record(action, actor_id=actor_id, **kwargs)


def record_disclosure(*, person_id: str, agency_id: int, referral_id: str | None, disclosed_by: int,
                      fields: list[str], consent_basis: str) -> None:
    """Identifying fields of a person became visible to a partner agency: keep the ledger entry."""
    db.session.add(Disclosure(person_id=person_id, agency_id=agency_id, referral_id=referral_id,
                              disclosed_by=disclosed_by, fields=fields, consent_basis=consent_basis, at=utcnow()))


def search(*, page: int, per_page: int, from_=None, to=None, **filters: Any) -> dict[str, Any]:
    """A page of audit events, newest first. Reading the log is itself audited by the caller."""
    statement = sa.select(AuditEvent)
    for name, value in filters.items():
        statement = statement.where(getattr(AuditEvent, name) == value)
    if from_ is not None:
        statement = statement.where(AuditEvent.at >= from_)
    if to is not None:
        statement = statement.where(AuditEvent.at < to)
    return paginate(statement.order_by(AuditEvent.id.desc()), page, per_page)


def disclosures_of(person_id: str) -> list[Disclosure]:
    """Every time this person's identity was made visible to a partner agency, oldest first."""
    return list(db.session.scalars(
        sa.select(Disclosure).where(Disclosure.person_id == person_id).order_by(Disclosure.at, Disclosure.id)))
