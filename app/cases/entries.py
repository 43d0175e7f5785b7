"""Shared steps of the case entry types: refusing an entry, and answering a replayed one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.extensions import db
from app.ingest import Entry, Outcome, answer_taken_id, rejected


class Refused(Exception):
    """An entry (or REST call) that cannot be applied; carries the outcome to report."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.error or outcome.status)
        self.outcome = outcome


def invalid_transition(message: str, field_name: str, problem: str) -> Refused:
    return Refused(rejected("invalid_transition", message, {field_name: [problem]}))


def replayed(model: Any, entry: Entry, present: Callable[[Any], dict[str, Any] | None],
             writer_id: int) -> Outcome | None:
    """duplicate or conflict when a record already holds this entry's id; None for a new id.

    Checked before the rules, so a replay is answered the same even after the case moved on (a goal
    replayed after the case closed is a duplicate, not an illegal move). The insert itself still goes
    through store_once: the primary key, not this read, decides a race.
    """
    stored = db.session.get(model, entry.id)
    if stored is None:
        return None
    return answer_taken_id(stored.entry_hash, entry.hash, lambda: present(stored),
                           own=stored.author_id == writer_id)
