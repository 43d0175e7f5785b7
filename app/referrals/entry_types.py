"""The referral entry types: a new referral, and a move along its lifecycle."""

from __future__ import annotations

from app.entries.registry import EntryType
from app.referrals import services
from app.referrals.schemas import ReferralEntrySchema, ReferralUpdateEntrySchema

ENTRY_TYPES = (
    EntryType("referral", ReferralEntrySchema(), services.ingest, "referral.create", "referral",
              time_fields=("made_at",), in_feed=True),
    EntryType("referral_update", ReferralUpdateEntrySchema(), services.ingest_updates, "referral.change",
              "referral", target_field="referral_id", time_fields=("occurred_at",), in_feed=True),
)
