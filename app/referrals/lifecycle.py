"""The referral state machine, shared by /sync and PATCH /referrals/<id>."""

from __future__ import annotations

from app.entries.states import Lifecycle

LIFECYCLE = Lifecycle({
    "pending": {"accepted", "declined", "withdrawn"},
    "accepted": {"completed", "no_show", "withdrawn"},
    "declined": (), "withdrawn": (), "completed": (), "no_show": (),
})

# Moves the receiving agency makes; withdrawing belongs to the referring side.
AGENCY_MOVES = frozenset({"accepted", "declined", "completed", "no_show"})
