"""The referral state machine, shared by /sync and PATCH /referrals/<id>."""

from __future__ import annotations

TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"accepted", "declined", "withdrawn"}),
    "accepted": frozenset({"completed", "no_show", "withdrawn"}),
    "declined": frozenset(),
    "withdrawn": frozenset(),
    "completed": frozenset(),
    "no_show": frozenset(),
}

# Moves the receiving agency makes; withdrawing belongs to the referring side.
AGENCY_MOVES = frozenset({"accepted", "declined", "completed", "no_show"})
REFERRER_MOVES = frozenset({"withdrawn"})


def is_legal(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def allowed_targets(current: str) -> list[str]:
    return sorted(TRANSITIONS.get(current, frozenset()))
