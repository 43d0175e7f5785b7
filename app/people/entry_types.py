"""The person entry types: a new person, and an update of one; and the follower that re-points an
entry naming a merged duplicate to the kept person."""

from __future__ import annotations

from app.entries.registry import EntryType
from app.people import services, updates
from app.people.schemas import PersonEntrySchema, PersonUpdateEntrySchema

ENTRY_TYPES = (
    EntryType("person", PersonEntrySchema(), services.ingest, "person.create", "person", in_feed=True),
    EntryType("person_update", PersonUpdateEntrySchema(), updates.ingest_updates, "person.change", "person",
              target_field="person_id", in_feed=True),
)

# Every entry's `person_id` (encounter, referral, case_intake, person_update, ...) follows a merge.
FOLLOWERS = (services.follow_merges,)
