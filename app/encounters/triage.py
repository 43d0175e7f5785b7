"""Triage: turns an encounter's needs and risk flags into a level 1 (immediate) to 4 (routine).

The rules live in triage_rules.json, a file an administrator can read; the same rules go to the
phone so the level shows while the form is filled in, offline too.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

RULES_FILE = Path(__file__).with_name("triage_rules.json")


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    return json.loads(RULES_FILE.read_text())


def level_for(needs: Iterable[str], risk_flags: Iterable[str]) -> int:
    """The first level whose rule matches any of the needs or risk flags; 4 when none does."""
    needs, flags = set(needs), set(risk_flags)
    for rule in rules()["levels"]:
        wanted_flags = set(rule.get("any_risk_flags", []))
        wanted_needs = set(rule.get("any_needs", []))
        if not wanted_flags and not wanted_needs:
            return rule["level"]
        if flags & wanted_flags or needs & wanted_needs:
            return rule["level"]
    return 4
