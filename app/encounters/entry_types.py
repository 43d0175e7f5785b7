"""The encounter entry type."""

from __future__ import annotations

from app.encounters import services
from app.encounters.schemas import EncounterEntrySchema
from app.entries.registry import EntryType

ENTRY_TYPES = (
    EntryType("encounter", EncounterEntrySchema(), services.ingest, "encounter.create", "encounter",
              time_fields=("occurred_at",)),
)
