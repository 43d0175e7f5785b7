"""The `situation` entry type: a navigator or officer prepares a presentation offline."""

from __future__ import annotations

from app.entries.registry import EntryType
from app.tables import situations
from app.tables.schemas import SituationEntrySchema

ENTRY_TYPES = (
    EntryType("situation", SituationEntrySchema(), situations.ingest, "situation.create", "situation"),
)
