"""One small state machine for records that move between statuses (referrals, goals, cases)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class Lifecycle:
    """The statuses a record may move to from each status; a status with no moves is final."""

    def __init__(self, moves: Mapping[str, Iterable[str]]):
        self.moves = {status: frozenset(targets) for status, targets in moves.items()}

    def is_legal(self, current: str, target: str) -> bool:
        return target in self.moves.get(current, frozenset())

    def allowed(self, current: str) -> list[str]:
        """The moves from `current`, sorted (for messages a person reads)."""
        return sorted(self.moves.get(current, frozenset()))
