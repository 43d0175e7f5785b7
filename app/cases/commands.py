"""The REST side of the case entry types: one request runs as one entry through the same service
/sync uses, and its outcome becomes an HTTP answer in the one error shape."""

from __future__ import annotations

import uuid
from typing import Any

from app.auth.models import User
from app.clock_rules import check_times
from app.errors import ApiError
from app.ingest import CREATED, DUPLICATE, Entry, Outcome, Writer
from app.records import content_hash, normalised, utcnow
from app.sync import trail
from app.sync.ingest import HANDLERS

HTTP_STATUS = {"validation_error": 400, "clock_skew": 400, "forbidden": 403, "not_found": 404,
               "invalid_transition": 409, "conflict": 409}


def submit(entry_type: str, user: User, data: dict[str, Any], entry_id: str | None = None) -> tuple[str, bool]:
    """Run `data` (loaded by the entry type's schema) as an entry of `entry_type`, through the handler
    /sync registers for it; returns (the entry's id, whether it was created now).

    With the client's `id` a replayed request is answered like a replayed sync entry: the same
    content is no change (created False), other content 409 conflict with the stored record.
    """
    _schema, handler, time_fields = HANDLERS[entry_type]
    now = utcnow()
    problem = check_times(data, time_fields, now)
    if problem is not None:
        raise ApiError(400, problem.code, problem.message, problem.fields)
    entry = Entry(id=entry_id or str(uuid.uuid4()), type=entry_type, data=data,
                  hash=content_hash(entry_type, normalised(data)))
    writer = Writer(user=user, device_id=None, now=now)
    [outcome] = handler([entry], writer)
    if outcome.status in (CREATED, DUPLICATE):
        trail.record_entries(writer, [(entry, outcome)], via="rest")
    else:
        trail.record_refusal(writer, entry, outcome, via="rest")
    raise_for(outcome)
    return entry.id, outcome.status == CREATED


def raise_for(outcome: Outcome) -> None:
    """Nothing for created or duplicate; otherwise the ApiError a REST client should see."""
    if outcome.status in (CREATED, DUPLICATE):
        return
    if outcome.status == "conflict":
        raise ApiError(409, "conflict", "This id is already used for other content; nothing was changed.",
                       extra={"current": outcome.current})
    error = outcome.error or {"code": "validation_error", "message": "The request could not be applied."}
    raise ApiError(HTTP_STATUS.get(error["code"], 400), error["code"], error["message"], error.get("fields"))
