"""Storing phone entries exactly once: the outcome of each entry and the insert-or-ignore step.

Domain services build rows from validated entries; this module inserts them keyed by the phone's
UUID and classifies every entry as created, duplicate (same id, same content) or conflict (same id,
other content), without a read-then-write race.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.records import insert_or_ignore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One queued entry after its data passed the schema."""

    id: str
    type: str
    data: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class Writer:
    """Who is writing (from the session, never from the entry), from which device, and when."""

    user: Any
    device_id: str | None
    now: datetime


@dataclass
class Outcome:
    status: str
    error: dict[str, Any] | None = None
    current: dict[str, Any] | None = None


CREATED = "created"
DUPLICATE = "duplicate"


def created() -> Outcome:
    return Outcome(CREATED)


def duplicate() -> Outcome:
    return Outcome(DUPLICATE)


def rejected(code: str, message: str, fields: dict[str, list[str]] | None = None) -> Outcome:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return Outcome("rejected", error=error)


def id_taken() -> Outcome:
    """The answer for an id held by a record the writer may not see in full: the same whatever the entry
    holds, so that sending guesses under a known id cannot confirm what the record says."""
    return rejected("conflict", "This id is already used by another record; the entry was not saved.")


def conflict(current: dict[str, Any] | None) -> Outcome:
    if current is None:
        return id_taken()
    return Outcome("conflict", current=current)


def answer_taken_id(stored_hash: str | None, entry_hash: str | None,
                    present_stored: Callable[[], dict[str, Any] | None], *, own: bool) -> Outcome:
    """duplicate or conflict for an entry whose id already holds a record.

    The writer of the record gets duplicate for the same content without a read. Anyone else is
    compared only when `present_stored()` shows them the record in full (None: not visible, or
    visible with its identity masked); otherwise the answer is `id_taken()` whatever the content.
    """
    if own and stored_hash == entry_hash:
        return duplicate()
    shown = present_stored()
    if shown is None:
        return id_taken()
    return duplicate() if stored_hash == entry_hash else conflict(shown)


def missing(field_name: str, what: str) -> Outcome:
    return rejected("not_found", f"The {what} this entry refers to does not exist or is not visible to you.",
                    {field_name: [f"Unknown {what}."]})


def store_once(model: Any, entries: list[Entry], rows: list[dict[str, Any]],
               present: Callable[[Any], dict[str, Any] | None],
               on_created: Callable[[Entry], Outcome] = lambda _e: created(),
               on_inserted: Callable[[list[dict[str, Any]]], None] | None = None) -> list[Outcome]:
    """Insert-or-ignore `rows` (one per entry) and classify each entry against what is stored.

    `present(stored)` serializes a stored record for a conflict answer, or returns None when the
    caller may not see it in full; then an id already taken is answered the same whatever the entry
    holds (`answer_taken_id`). `on_inserted(rows)` gets exactly the rows inserted now (never a duplicate),
    e.g. to keep the daily counts in step. A failing bulk insert falls back to one savepoint per row,
    so one bad row never blocks the rest.
    """
    first_hash: dict[str, str] = {}
    fresh_rows = []
    rows_by_id: dict[str, dict[str, Any]] = {}
    for entry, row in zip(entries, rows):
        rows_by_id.setdefault(entry.id, row)
        if entry.id not in first_hash:
            first_hash[entry.id] = entry.hash
            fresh_rows.append(row)
    failed: dict[str, Outcome] = {}
    try:
        with db.session.begin_nested():
            inserted = insert_or_ignore(model, fresh_rows)
    except IntegrityError:
        inserted, failed = _insert_one_by_one(model, fresh_rows)
    if on_inserted is not None and inserted:
        on_inserted([row for row in fresh_rows if row["id"] in inserted])
    stored = _load(model, set(first_hash) - inserted - set(failed))
    outcomes = []
    answered_created: set[str] = set()
    for entry in entries:
        if entry.id in failed:
            outcomes.append(failed[entry.id])
        elif entry.id in inserted and entry.id not in answered_created:
            answered_created.add(entry.id)
            outcomes.append(on_created(entry))
        elif entry.id in stored:
            record, row = stored[entry.id], rows_by_id[entry.id]
            outcomes.append(answer_taken_id(record.entry_hash, entry.hash, lambda r=record: present(r),
                                            own=record.author_id == row["author_id"]))
        else:
            # The same id twice in this batch, the first stored now by this writer.
            current = _load(model, {entry.id}).get(entry.id)
            outcomes.append(answer_taken_id(first_hash[entry.id], entry.hash,
                                            lambda c=current: present(c) if c is not None else None, own=True))
    return outcomes


def _insert_one_by_one(model: Any, rows: list[dict[str, Any]]) -> tuple[set[str], dict[str, Outcome]]:
    inserted: set[str] = set()
    failed: dict[str, Outcome] = {}
    for row in rows:
        try:
            with db.session.begin_nested():
                inserted |= insert_or_ignore(model, [row])
        except IntegrityError as exc:
            log.warning("entry %s of %s not stored: %s", row["id"], model.__tablename__, type(exc.orig).__name__)
            failed[row["id"]] = rejected("validation_error",
                                         "The entry breaks a rule of the records it refers to; check and resend.")
    return inserted, failed


def _load(model: Any, ids: set[str]) -> dict[str, Any]:
    if not ids:
        return {}
    return {str(r.id): r for r in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}
