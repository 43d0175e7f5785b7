"""The case entry types: intake, goals and their moves, notes, transitions and closure."""

from __future__ import annotations

from app.cases import goals, lifecycle, notes, services
from app.cases.schemas import (
    CaseClosureEntrySchema,
    CaseGoalEntrySchema,
    CaseGoalUpdateEntrySchema,
    CaseIntakeEntrySchema,
    CaseNoteEntrySchema,
    CaseTransitionEntrySchema,
)
from app.entries.registry import EntryType

ENTRY_TYPES = (
    EntryType("case_intake", CaseIntakeEntrySchema(), services.ingest, "case.create", "case",
              time_fields=("opened_at",), in_feed=True),
    EntryType("case_goal", CaseGoalEntrySchema(), goals.ingest, "case_goal.create", "case_goal",
              time_fields=("set_at",)),
    EntryType("case_goal_update", CaseGoalUpdateEntrySchema(), goals.ingest_updates, "case_goal.change",
              "case_goal", target_field="goal_id", time_fields=("occurred_at",)),
    EntryType("case_note", CaseNoteEntrySchema(), notes.ingest, "case_note.create", "case_note",
              time_fields=("at",)),
    EntryType("case_transition", CaseTransitionEntrySchema(), lifecycle.ingest_transitions, "case.transition",
              "case", target_field="case_id", time_fields=("transitioned_at",), in_feed=True),
    EntryType("case_closure", CaseClosureEntrySchema(), lifecycle.ingest_closures, "case.close", "case",
              target_field="case_id", time_fields=("closed_at",), in_feed=True),
)
