"""Case notes: written by whoever works the case, kept once per UUID, shown to those who see the case."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.cases import services as cases
from app.cases.models import Case, CaseNote
from app.cases.schemas import NoteSchema
from app.entries.outcomes import Entry, Outcome, Writer, missing
from app.entries.store import replayed, store_once
from app.extensions import db

_schema = NoteSchema()


def present(note: CaseNote) -> dict[str, Any]:
    return _schema.dump(note)


def for_case(case_id: str) -> list[CaseNote]:
    return list(db.session.scalars(sa.select(CaseNote).where(CaseNote.case_id == case_id)
                                   .order_by(CaseNote.at, CaseNote.id)))


def find_visible(user: User, note_id: str) -> CaseNote | None:
    """A note of a case the user may see."""
    return db.session.scalar(sa.select(CaseNote).join(Case, Case.id == CaseNote.case_id)
                             .where(CaseNote.id == note_id, cases.visible_clause(user)))


def _present_if_visible(note: CaseNote, user: User) -> dict[str, Any] | None:
    return present(note) if find_visible(user, str(note.id)) is not None else None


def ingest(entries: list[Entry], writer: Writer) -> list[Outcome]:
    """case_note entries. A closed case still takes notes: a follow-up after closure is worth keeping."""
    user = writer.user
    outcomes = []
    for entry in entries:
        earlier = replayed(CaseNote, entry, lambda n: _present_if_visible(n, user), user.id)
        if earlier is not None:
            outcomes.append(earlier)
            continue
        data = entry.data
        if cases.find_visible(user, data["case_id"]) is None:
            outcomes.append(missing("case_id", "case"))
            continue
        row = {
            "id": entry.id, "case_id": data["case_id"], "body": data["body"], "at": data.get("at") or writer.now,
            "author_id": user.id, "team_id": user.team_id, "device_id": writer.device_id,
            "received_at": writer.now, "entry_hash": entry.hash, "change_seq": 0,
        }
        outcomes.extend(store_once(CaseNote, [entry], [row], lambda n: _present_if_visible(n, user)))
    return outcomes
