"""Triage: turns an encounter's needs and risk flags into a level 1 (immediate) to 4 (routine).

The rules live in triage_rules.json, a file an administrator can read (docs/triage.md explains it);
the same rules go to the phone so the level shows while the form is filled in, offline too.
Check an edited file with `python -m app.encounters.triage [path]`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.vocabulary import NEEDS, RISK_FLAGS

RULES_FILE = Path(__file__).with_name("triage_rules.json")
ROUTINE = 4
LEVEL_KEYS = {"level", "label", "any_risk_flags", "any_needs"}


class RulesError(ValueError):
    """The rule file breaks the format docs/triage.md describes."""


def check(rules: Any) -> list[str]:
    """Every problem with a rule set, in words an administrator can act on; [] when it is valid."""
    if not isinstance(rules, dict) or not isinstance(rules.get("levels"), list) or not rules["levels"]:
        return ['The file must be an object with a non-empty "levels" list.']
    problems = [f'Unknown top-level key "{key}" (comments go in keys starting with "_").'
                for key in rules if key != "levels" and not str(key).startswith("_")]
    previous = 0
    for number, rule in enumerate(rules["levels"], start=1):
        where = f"Rule {number}"
        if not isinstance(rule, dict):
            problems.append(f"{where} must be an object.")
            continue
        problems += [f'{where}: unknown key "{key}".' for key in rule if key not in LEVEL_KEYS
                     and not str(key).startswith("_")]
        level = rule.get("level")
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 4:
            problems.append(f'{where}: "level" must be a whole number from 1 to 4.')
        elif level <= previous:
            problems.append(f"{where}: levels must be listed from most to least urgent (1 first), each once.")
        else:
            previous = level
        if not isinstance(rule.get("label"), str) or not rule["label"].strip():
            problems.append(f'{where}: "label" must be a non-empty text.')
        for key, vocabulary in (("any_risk_flags", RISK_FLAGS), ("any_needs", NEEDS)):
            codes = rule.get(key, [])
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                problems.append(f'{where}: "{key}" must be a list of codes.')
                continue
            problems += [f'{where}: "{code}" is not one of the {key[4:].replace("_", " ")} codes.'
                         for code in codes if code not in vocabulary]
        is_catch_all = not rule.get("any_risk_flags") and not rule.get("any_needs")
        if is_catch_all and number != len(rules["levels"]):
            problems.append(f"{where} has no conditions, so it matches everything: it must come last.")
    return problems


def load(path: Path) -> dict[str, Any]:
    """Read and check a rule file; RulesError lists every problem."""
    try:
        rules = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise RulesError(f"{path}: cannot be read as JSON: {exc}") from exc
    problems = check(rules)
    if problems:
        raise RulesError(f"{path}: " + " ".join(problems))
    return rules


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """The rules in force, read once per process (restart the app after editing the file)."""
    return load(RULES_FILE)


def matching_rule(needs: Iterable[str], risk_flags: Iterable[str]) -> tuple[dict[str, Any] | None, list[str]]:
    """The first rule matching any of the needs or risk flags, and the codes that matched it."""
    needs, flags = set(needs), set(risk_flags)
    for rule in rules()["levels"]:
        wanted_flags = set(rule.get("any_risk_flags", []))
        wanted_needs = set(rule.get("any_needs", []))
        if not wanted_flags and not wanted_needs:
            return rule, []
        matched = sorted(flags & wanted_flags) + sorted(needs & wanted_needs)
        if matched:
            return rule, matched
    return None, []


def level_for(needs: Iterable[str], risk_flags: Iterable[str]) -> int:
    """The first level whose rule matches any of the needs or risk flags; 4 when none does."""
    rule, _matched = matching_rule(needs, risk_flags)
    return rule["level"] if rule is not None else ROUTINE


def assess(needs: Iterable[str], risk_flags: Iterable[str]) -> dict[str, Any]:
    """The level, its label and the codes that decided it (risk flags first)."""
    rule, matched = matching_rule(needs, risk_flags)
    if rule is None:
        return {"level": ROUTINE, "label": "Routine", "reasons": []}
    return {"level": rule["level"], "label": rule["label"], "reasons": matched}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else RULES_FILE
    try:
        for level in load(target)["levels"]:
            conditions = level.get("any_risk_flags", []) + level.get("any_needs", [])
            print(f"{level['level']} {level['label']}: {', '.join(conditions) or 'everything else'}")
    except RulesError as error:
        sys.exit(str(error))
