"""The road every entry takes, from /sync or from a REST write: envelope, schema, clock, the entry
type's store service (from the registry), the audit trail; one outcome per entry, in order.

Consecutive entries of one type form a run handed to that type's service in one call, so 500
encounters cost a handful of queries, not 500 round trips. Entries are handled in the order they
were made, so an entry may refer to one created earlier in the same batch. Nothing here commits: the
request (or job) does, once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError

from app.auth.models import User
from app.entries import loading, registry, trail
from app.entries.clock import forget as forget_tick
from app.entries.clock import tick
from app.entries.outcomes import CREATED, DUPLICATE, Entry, Outcome, Writer, rejected
from app.entries.times import check_times
from app.errors import flatten_messages, refusal
from app.extensions import db
from app.input_rules import BAD_TEXT_MESSAGE, has_bad_text
from app.records import utcnow, validated_hash

# Fields the server sets itself: ignored when a phone sends them (the author comes from the session).
SERVER_FIELDS = ("author_id", "author", "team_id", "received_at", "id")
log = logging.getLogger(__name__)


def ingest_batch(user: User, device_id: str, raw_entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per entry, in order. The caller commits; nothing here commits."""
    writer = Writer(user=user, device_id=device_id, now=utcnow())
    parsed = [_parse_guarded(raw, writer) for raw in raw_entries]
    if any(isinstance(p, Entry) and registry.declared(p.type).in_feed for p in parsed):
        tick()  # one change number for the batch, taken before any per-entry savepoint
    outcomes: dict[int, Outcome] = {index: p for index, p in enumerate(parsed) if isinstance(p, Outcome)}
    for entry_type, indexes, run in _runs(parsed):
        run = registry.follow_references(run)
        handled = _handle_guarded(registry.declared(entry_type).store, run, writer)
        for index, outcome in zip(indexes, handled, strict=True):
            outcomes[index] = outcome
        trail.record_entries(writer, list(zip(run, handled, strict=True)), via="sync")
    return [_result(raw, outcomes[index]) for index, raw in enumerate(raw_entries)]


def _handle_guarded(handler: Callable[[list[Entry], Writer], list[Outcome]], run: list[Entry],
                    writer: Writer) -> list[Outcome]:
    """The run's outcomes; a fault on the server while handling it costs only the entries it hits.

    The run goes in a savepoint. When it raises anything but a database outage (which fails the
    batch, so the phone retries it), the savepoint is rolled back with everything noted in it, and
    the entries are handled again one by one: an entry that still raises is answered `rejected`
    with an error id that the log names, and the others are stored.
    """
    try:
        with db.session.begin_nested():
            return handler(run, writer)
    except (OperationalError, InterfaceError):
        raise
    except Exception:  # noqa: BLE001  (any fault in one entry must not fail the batch)
        forget_tick()
        if len(run) == 1:
            return [_server_fault(run[0])]
    outcomes = []
    for entry in run:
        try:
            with db.session.begin_nested():
                [outcome] = handler([entry], writer)
        except (OperationalError, InterfaceError):
            raise
        except Exception:  # noqa: BLE001
            forget_tick()
            outcome = _server_fault(entry)
        outcomes.append(outcome)
    return outcomes


def _server_fault(entry: Entry | None, entry_type: str | None = None) -> Outcome:
    """Log the trace under a fresh error id (ids only, never the entry's content) and reject the entry."""
    error_id = uuid.uuid4().hex[:12]
    log.exception("entry %s (%s) failed on the server; error id %s",
                  entry.id if entry else "?", entry.type if entry else entry_type, error_id)
    return rejected("server_error", f"The server could not store this entry (error id {error_id}); "
                    "it stays on the phone: tell your administrator the error id.")


def _runs(parsed: list[Entry | Outcome]) -> list[tuple[str, list[int], list[Entry]]]:
    """Consecutive valid entries of the same type, as (type, indexes, entries)."""
    runs: list[tuple[str, list[int], list[Entry]]] = []
    for index, item in enumerate(parsed):
        if not isinstance(item, Entry):
            continue
        if runs and runs[-1][0] == item.type:
            runs[-1][1].append(index)
            runs[-1][2].append(item)
        else:
            runs.append((item.type, [index], [item]))
    return runs


def _parse_guarded(raw: Any, writer: Writer) -> Entry | Outcome:
    try:
        return _parse(raw, writer)
    except Exception:  # noqa: BLE001  (a value no check foresaw costs its entry, not the batch)
        return _server_fault(None, raw.get("type") if isinstance(raw, dict) else None)


def _parse(raw: Any, writer: Writer) -> Entry | Outcome:
    envelope = _check_envelope(raw)
    if isinstance(envelope, Outcome):
        return envelope
    entry_id, entry_type, raw_data = envelope
    declared = registry.declared(entry_type)
    schema, time_fields = declared.schema, declared.time_fields
    data = {k: v for k, v in raw_data.items() if k not in SERVER_FIELDS}
    bad_text = sorted(name for name, value in data.items() if has_bad_text(value))
    if bad_text:
        return rejected("validation_error", "Text may not contain NUL characters or broken Unicode.",
                        {name: [BAD_TEXT_MESSAGE] for name in bad_text})
    try:
        loaded = loading.load(schema, data)  # schema.load, with less bookkeeping for valid data
    except ValidationError as exc:
        fields = flatten_messages(exc.messages)
        return rejected("validation_error", "Some fields are not valid: " + ", ".join(sorted(fields)) + ".", fields)
    problem = check_times(loaded, time_fields, writer.now)
    if problem is not None:
        return rejected(problem.code, problem.message, problem.fields)
    return Entry(id=entry_id, type=entry_type, data=loaded, hash=validated_hash(entry_type, loaded))


def _check_envelope(raw: Any) -> tuple[str, str, dict[str, Any]] | Outcome:
    """id, type and data of an entry. Checked by hand: a schema here cost a fifth of the ingest time."""
    if not isinstance(raw, dict):
        return rejected("validation_error", "Each entry must be an object with id, type and data.")
    problems: dict[str, list[str]] = {}
    try:
        entry_id = str(uuid.UUID(str(raw.get("id"))))
    except ValueError:
        entry_id = ""
        problems["id"] = ["Give the entry a UUID (crypto.randomUUID() on the phone)."]
    entry_type = raw.get("type")
    if registry.get(entry_type) is None:
        problems["type"] = [f"Must be one of: {', '.join(registry.names())}."]
    data = raw.get("data")
    if not isinstance(data, dict):
        problems["data"] = ["Must be an object."]
    unknown = set(raw) - {"id", "type", "data"}
    for name in sorted(unknown):
        problems[name] = ["Unknown field."]
    if problems or not isinstance(entry_type, str) or not isinstance(data, dict):  # both are in problems when not
        return rejected("validation_error", "The entry's id, type or data is missing or not valid.", problems)
    return entry_id, entry_type, data


def _result(raw: Any, outcome: Outcome) -> dict[str, Any]:
    result: dict[str, Any] = {"id": raw.get("id") if isinstance(raw, dict) else None, "status": outcome.status}
    if outcome.error is not None:
        result["error"] = outcome.error
    if outcome.current is not None:
        result["current"] = outcome.current
    return result


def submit(entry_type: str, user: User, data: dict[str, Any], entry_id: str | None = None, *,
           conflict_message: str | None = None) -> tuple[str, bool]:
    """Run `data` (loaded by the entry type's schema) as one entry of `entry_type` for a REST write;
    returns (the entry's id, whether it was created now), or raises the refusal as an ApiError.

    With the client's `id` a replayed request is answered like a replayed sync entry: the same
    content is no change (created False), other content 409 conflict with the stored record.
    """
    declared = registry.declared(entry_type)
    now = utcnow()
    problem = check_times(data, declared.time_fields, now)
    if problem is not None:
        raise refusal(rejected(problem.code, problem.message, problem.fields))
    [entry] = registry.follow_references([Entry(id=entry_id or str(uuid.uuid4()), type=entry_type, data=data,
                                                hash=validated_hash(entry_type, data))])
    writer = Writer(user=user, device_id=None, now=now)
    [outcome] = declared.store([entry], writer)
    if outcome.status in (CREATED, DUPLICATE):
        trail.record_entries(writer, [(entry, outcome)], via="rest")
        return entry.id, outcome.status == CREATED
    trail.record_refusal(writer, entry, outcome, via="rest")
    raise refusal(outcome, **({"conflict_message": conflict_message} if conflict_message else {}))
