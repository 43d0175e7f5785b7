"""Likely duplicate persons, scored for a supervisor to review before merging (docs/duplicates.md).

Only pairs that share a block are compared: the first letter of a name's first or last word (any name
or alias), and birth years no more than 1 apart (or unknown on either side). Merged persons are skipped.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

import sqlalchemy as sa

from app.extensions import db
from app.people.models import Person

MIN_SCORE = 0.5
# A block this large is compared only within equal birth years, so one common letter cannot cost n².
_WIDE_BLOCK = 400


@dataclass(frozen=True)
class _Candidate:
    id: str
    birth_year: int | None
    names: tuple[tuple[str, ...], ...]  # normalised words of each name (display, full) and alias
    aliases: frozenset[str]


def _words(text: str | None) -> tuple[str, ...]:
    """Lower case, accents and punctuation dropped: "Bev M." → ("bev", "m")."""
    if not text:
        return ()
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return tuple("".join(ch if ch.isalnum() else " " for ch in plain).split())


def _candidate(row) -> _Candidate:
    full = " ".join(p for p in (row.given_name, row.family_name) if p)
    aliases = [_words(a) for a in row.aliases or []]
    names = {w for w in (_words(row.display_name), _words(full), *aliases) if w}
    return _Candidate(str(row.id), row.birth_year, tuple(sorted(names)), frozenset(" ".join(a) for a in aliases if a))


def _word_score(a: str, b: str) -> float:
    """1 the same word; 0.85 a short form ("bev" of "beverly"); 0.7 an initial ("m" of "moore");
    a spelling variant by its similarity ("beverley"); else 0."""
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) == 1:
        return 0.7 if long_.startswith(short) else 0.0
    if len(short) >= 3 and long_.startswith(short):
        return 0.85
    ratio = SequenceMatcher(None, a, b).ratio()
    return ratio * 0.9 if ratio >= 0.75 else 0.0


def name_score(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Words matched in any order, each at most once, over the longer name's word count."""
    if a == b:
        return 1.0
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    free = list(longer)
    total = 0.0
    for word in shorter:
        best = max(free, key=lambda other: _word_score(word, other))
        score = _word_score(word, best)
        if score:
            total += score
            free.remove(best)
    return total / len(longer)


def score_pair(a: _Candidate, b: _Candidate) -> tuple[float, list[str]]:
    """The score (0..1) and its reasons; see docs/duplicates.md."""
    reasons = []
    similarity = max(name_score(x, y) for x in a.names for y in b.names) if a.names and b.names else 0.0
    joined_a, joined_b = {" ".join(n) for n in a.names}, {" ".join(n) for n in b.names}
    if a.aliases & b.aliases:
        reasons.append("shared_alias")
    if (a.aliases & joined_b) - b.aliases or (b.aliases & joined_a) - a.aliases:
        reasons.append("alias_is_name")
    if similarity == 1.0 and not reasons:
        reasons.append("same_name")
    elif similarity >= MIN_SCORE and similarity < 1.0:
        reasons.append("similar_name")
    score = 0.65 * similarity + (0.1 if {"shared_alias", "alias_is_name"} & set(reasons) else 0.0)
    if a.birth_year is None or b.birth_year is None:
        score += 0.05
    elif a.birth_year == b.birth_year:
        score += 0.25
        reasons.append("same_birth_year")
    elif abs(a.birth_year - b.birth_year) == 1:
        score += 0.15
        reasons.append("birth_year_within_1")
    return round(min(score, 1.0), 3), reasons


def _blocks(candidates: list[_Candidate]) -> dict[str, list[_Candidate]]:
    blocks: dict[str, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        for letter in {w[0] for name in candidate.names for w in (name[0], name[-1])}:
            blocks[letter].append(candidate)
    return blocks


def _pairs(block: list[_Candidate]):
    if len(block) <= _WIDE_BLOCK:
        yield from combinations(block, 2)
        return
    by_year: dict[int | None, list[_Candidate]] = defaultdict(list)
    for candidate in block:
        by_year[candidate.birth_year].append(candidate)
    for year, group in by_year.items():
        yield from combinations(group, 2)
        if year is not None:
            for other in (*by_year.get(year + 1, ()), *by_year.get(None, ())):
                for candidate in group:
                    yield candidate, other


def find(limit: int) -> list[tuple[str, str, float, list[str]]]:
    """The `limit` best-scoring pairs (a_id, b_id, score, reasons) among the persons not merged."""
    rows = db.session.execute(sa.select(Person.id, Person.display_name, Person.given_name, Person.family_name,
                                        Person.birth_year, Person.aliases).where(Person.merged_into.is_(None)))
    candidates = [c for c in map(_candidate, rows) if c.names]
    seen: set[tuple[str, str]] = set()
    found = []
    for block in _blocks(candidates).values():
        for a, b in _pairs(block):
            key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            if key in seen:
                continue
            seen.add(key)
            if a.birth_year is not None and b.birth_year is not None and abs(a.birth_year - b.birth_year) > 1:
                continue
            score, reasons = score_pair(a, b)
            if score >= MIN_SCORE and {"similar_name", "same_name", "shared_alias", "alias_is_name"} & set(reasons):
                found.append((*key, score, reasons))
    found.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return found[:limit]
