"""Storing entries exactly once: insert-or-ignore keyed by the phone's UUID, the answer for a replayed
id, and one change applied in a savepoint.

Domain services build rows from validated entries; `store_once` inserts them and classifies every
entry as created, duplicate (same id, same content) or conflict (same id, other content), without a
read-then-write race: the primary key decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db.bulk import insert_or_ignore
from app.entries import events
from app.entries.outcomes import (
    Entry,
    Outcome,
    Refused,
    Writer,
    answer_taken_id,
    created,
    duplicate,
    rejected,
)
from app.extensions import db

log = logging.getLogger(__name__)


def store_once(model: Any, entries: list[Entry], rows: list[dict[str, Any]],
               present: Callable[[Any], dict[str, Any] | None],
               on_created: Callable[[Entry], Outcome] = lambda _e: created()) -> list[Outcome]:
    """Insert-or-ignore `rows` (one per entry) and classify each entry against what is stored.

    `present(stored)` serializes a stored record for a conflict answer, or returns None when the
    caller may not see it in full; then an id already taken is answered the same whatever the entry
    holds (`answer_taken_id`). The rows inserted now (never a duplicate) are announced with
    `events.records_inserted` (the daily counts follow them). A failing bulk insert falls back to one savepoint per row,
    so one bad row never blocks the rest.
    """
    first_hash: dict[str, str] = {}
    fresh_rows = []
    rows_by_id: dict[str, dict[str, Any]] = {}
    for entry, row in zip(entries, rows, strict=True):
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
    if inserted:
        events.records_inserted.send(model, rows=[row for row in fresh_rows if row["id"] in inserted])
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
            outcomes.append(answer_taken_id(record.entry_hash, entry.hash, partial(present, record),
                                            own=record.author_id == row["author_id"]))
        else:
            # The same id twice in this batch, the first stored now by this writer.
            current = _load(model, {entry.id}).get(entry.id)
            outcomes.append(answer_taken_id(first_hash[entry.id], entry.hash,
                                            partial(present, current) if current is not None else _nothing, own=True))
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


def replayed(model: Any, entry: Entry, present: Callable[[Any], dict[str, Any] | None],
             writer_id: int) -> Outcome | None:
    """duplicate or conflict when a record already holds this entry's id; None for a new id.

    Checked before the rules, so a replay is answered the same even after the record moved on (a goal
    replayed after the case closed is a duplicate, not an illegal move). The insert itself still goes
    through store_once: the primary key, not this read, decides a race.
    """
    stored = db.session.get(model, entry.id)
    if stored is None:
        return None
    return answer_taken_id(stored.entry_hash, entry.hash, lambda: present(stored),
                           own=stored.author_id == writer_id)


def _nothing() -> None:
    return None


def apply_once(change: Callable[[], Any]) -> Outcome:
    """Apply one change entry in a savepoint: created; the outcome it was refused with; or duplicate
    when a concurrent delivery of the same entry committed first (its unique entry id decided)."""
    try:
        with db.session.begin_nested():
            change()
    except Refused as refused:
        return refused.outcome
    except IntegrityError:
        return duplicate()
    return created()


def apply_changes(entries: list[Entry], writer: Writer, *, history: Any, record_field: str,
                  present: Callable[[str, Any], dict[str, Any] | None],
                  change: Callable[[Entry], Any]) -> list[Outcome]:
    """Change entries (status moves, updates), one at a time in order, each building on the one before.

    `history` is the model that keeps each change with its entry id, hash and actor; `record_field`
    names the record changed on it. An entry id already there is answered like any taken id (its
    writer, or whoever sees the record in full, is told duplicate or conflict); a new one is applied
    with `apply_once`.
    """
    outcomes = []
    for entry in entries:
        stored = db.session.scalar(sa.select(history).where(history.entry_id == entry.id))
        if stored is None:
            outcomes.append(apply_once(partial(change, entry)))
        else:
            outcomes.append(answer_taken_id(stored.entry_hash, entry.hash,
                                            partial(present, str(getattr(stored, record_field)), writer.user),
                                            own=stored.actor_id == writer.user.id))
    return outcomes
