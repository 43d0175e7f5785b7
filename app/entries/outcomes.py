"""What an entry is, who writes it, and what becomes of it: created, duplicate, rejected or conflict.

Services refuse an entry one way: `raise Refused(outcome)`. The pipeline turns the outcome into a
sync result; REST views turn it into an HTTP answer with `app.errors.refusal`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One queued entry after its data passed the schema."""

    id: str
    type: str
    data: dict[str, Any]
    hash: str
    # Data fields re-pointed before storing (a person id naming a merged duplicate now names the kept person).
    followed: tuple[str, ...] = ()


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


class Refused(Exception):
    """An entry (or a REST call) that cannot be applied; carries the outcome to report."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.error or outcome.status)
        self.outcome = outcome


def invalid_transition(message: str, field_name: str, problem: str) -> Refused:
    return Refused(rejected("invalid_transition", message, {field_name: [problem]}))
