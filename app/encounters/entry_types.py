"""The encounter entry types: a new encounter, an amendment of one, and its void."""

from __future__ import annotations

from app.encounters import corrections, services
from app.encounters.schemas import EncounterAmendEntrySchema, EncounterEntrySchema, EncounterVoidEntrySchema
from app.entries.registry import EntryType

ENTRY_TYPES = (
    EntryType("encounter", EncounterEntrySchema(), services.ingest, "encounter.create", "encounter",
              time_fields=("occurred_at",)),
    EntryType("encounter_amend", EncounterAmendEntrySchema(), corrections.ingest_amendments, "encounter.amend",
              "encounter", target_field="encounter_id", time_fields=("occurred_at",)),
    EntryType("encounter_void", EncounterVoidEntrySchema(), corrections.ingest_voids, "encounter.void",
              "encounter", target_field="encounter_id"),
)
