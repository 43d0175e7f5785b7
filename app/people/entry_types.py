"""The person entry type."""

from __future__ import annotations

from app.entries.registry import EntryType
from app.people import services
from app.people.schemas import PersonEntrySchema

ENTRY_TYPES = (
    EntryType("person", PersonEntrySchema(), services.ingest, "person.create", "person", in_feed=True),
)
