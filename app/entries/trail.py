"""The audit trail of entries: every entry that creates or changes a record leaves one audit row, and
so does every entry refused (not visible to the writer, not allowed, a conflict). Ids only.

The same rows come from a /sync batch and from the REST endpoints that run one entry (app/cases/
app/entries/pipeline.py `submit`): who, what, which record, when (UTC), from where, outcome. A duplicate (the phone
sending again what is stored) changes nothing and leaves no row. A batch's rows go in with one
executemany, so the trail costs the ingest path little.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from app.audit.models import AuditEvent
from app.audit.services import record_despite_rollback
from app.db.bulk import insert_rows
from app.entries import registry
from app.entries.outcomes import CREATED, DUPLICATE, Entry, Outcome, Writer


def record_entries(writer: Writer, outcomes: list[tuple[Entry, Outcome]], via: str) -> None:
    """Add the audit rows of a run of entries to the current transaction."""
    remote_addr = _remote_addr()
    rows = [_row(entry, outcome, writer, via, remote_addr) for entry, outcome in outcomes
            if outcome.status != DUPLICATE]
    insert_rows(AuditEvent, rows)


def record_refusal(writer: Writer, entry: Entry, outcome: Outcome, via: str) -> None:
    """A refused entry whose request is about to fail: the row survives the rollback."""
    row = _row(entry, outcome, writer, via, _remote_addr())
    record_despite_rollback(row["action"], actor_id=row["actor_id"], target_type=row["target_type"],
                            target_id=row["target_id"], outcome=row["outcome"], **row["detail"])


def _remote_addr() -> str | None:
    return request.remote_addr if has_request_context() else None


def _row(entry: Entry, outcome: Outcome, writer: Writer, via: str, remote_addr: str | None) -> dict[str, Any]:
    entry_type = registry.declared(entry.type)  # the pipeline only handles registered types
    action, target_type, target_field = entry_type.action, entry_type.target_type, entry_type.target_field
    target_id = str(entry.data.get(target_field) or "") if target_field else entry.id
    detail: dict[str, Any] = {"via": via}
    if target_field:
        detail["entry_id"] = entry.id
    if writer.device_id:
        detail["device_id"] = writer.device_id[:64]
    if outcome.status == CREATED:
        result = "ok"
    elif outcome.error is not None:
        result = outcome.error["code"][:20]
    else:
        result = outcome.status[:20]
    return {"at": writer.now, "actor_id": writer.user.id, "action": action, "target_type": target_type,
            "target_id": target_id[:64] or None, "outcome": result,
            "remote_addr": remote_addr, "detail": detail}
