"""The person entry types: a new person, and an update of one."""

from __future__ import annotations

from app.entries.registry import EntryType
from app.people import services, updates
from app.people.schemas import PersonEntrySchema, PersonUpdateEntrySchema

ENTRY_TYPES = (
    EntryType("person", PersonEntrySchema(), services.ingest, "person.create", "person", in_feed=True),
    EntryType("person_update", PersonUpdateEntrySchema(), updates.ingest_updates, "person.change", "person",
              target_field="person_id", in_feed=True),
)
