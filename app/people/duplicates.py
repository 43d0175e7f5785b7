"""Likely duplicate persons, scored for a supervisor to review before merging (docs/duplicates.md).

A pair is listed when a name of one is more than half like a name of the other (and the birth years
are at most 1 apart, or unknown). Only pairs that share a blocking key are scored, so 100,000 people
cost seconds, not hours: two words of a name each matching by its first three letters or its sound,
a word and an initial, or a one-word name (a street name). Merged persons are skipped.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product

import sqlalchemy as sa
from rapidfuzz.distance import Indel

from app.extensions import db
from app.people.models import Person

MIN_SCORE = 0.5
# Words of a name paired into blocking keys: the first few (names longer than this are rare).
_KEY_WORDS = 4


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


@lru_cache(maxsize=200_000)
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
    # The ratio is at most what the lengths, then the letters shared, allow: most pairs stop there.
    if 2 * len(short) < 0.75 * (len(a) + len(b)):
        return 0.0
    # Similarity 2·M/T with M the longest common subsequence (RapidFuzz's Indel distance, in C): a ratio under
    # 0.75 stops early inside the library (the distance answered is then just over the cut-off).
    total = len(a) + len(b)
    ratio = (total - Indel.distance(a, b, score_cutoff=int(total * 0.25))) / total
    return ratio * 0.9 if ratio >= 0.75 else 0.0


@lru_cache(maxsize=200_000)
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
    elif MIN_SCORE < similarity < 1.0:
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


# Sound classes of letters (Soundex's): a word's sound key is its letters' classes, runs of one class
# kept once, vowels dropped after the first letter (whose class is kept too, so "Catherine" and
# "Katherine" meet); the first four classes.
_SOUND = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"), **dict.fromkeys("dt", "3"), "l": "4",
          **dict.fromkeys("mn", "5"), "r": "6"}


@lru_cache(maxsize=200_000)
def _word_keys(word: str) -> tuple[str, ...]:
    """A word's blocking keys: `i:` its initial for a one-letter word; else its first three letters
    (a short form of 3+ letters, and most slips after the third letter, share them), its sound key
    (most other slips), and for words of two or three letters their first two."""
    if len(word) == 1:
        return (f"i:{word}",)
    sound, last = [], ""
    for index, letter in enumerate(word):
        code = _SOUND.get(letter, "0" if index == 0 else "")
        if code and code != last:
            sound.append(code)
        if letter not in "hw":
            last = code
    keys = (f"p:{word[:3]}", f"s:{''.join(sound[:4])}")
    if len(word) <= 3:  # "jo" and "joe" are a spelling variant: their first two letters
        return (*keys, f"q:{word[:2]}")
    return keys


def _pair_key(x: str, y: str) -> str:
    return f"{x}|{y}" if x <= y else f"{y}|{x}"


def _keys(candidate: _Candidate) -> tuple[set[str], set[str]]:
    """(keys, probes). Keys: for each name of two words or more, each pair of its (first four) words,
    every combination of their word keys; a one-word name, its word keys. Probes, looked up only by
    names holding an initial: each word pair with one word's keys replaced by its initial."""
    keys: set[str] = set()
    probes: set[str] = set()
    for name in candidate.names:
        words = name[:_KEY_WORDS]
        if len(words) == 1:  # a street name
            keys.update(f"1|{k}" for k in _word_keys(words[0]))
            continue
        for first, second in combinations(words, 2):
            keys.update(_pair_key(x, y) for x, y in product(_word_keys(first), _word_keys(second)))
            if len(first) > 1 and len(second) > 1:
                probes.update(_pair_key(x, f"i:{second[0]}") for x in _word_keys(first))
                probes.update(_pair_key(f"i:{first[0]}", y) for y in _word_keys(second))
    return keys, probes


def _in_reach(group: list[_Candidate]):
    """The pairs of one block whose birth years are at most 1 apart, or unknown on either side."""
    by_year: dict[int, list[_Candidate]] = defaultdict(list)
    unknown: list[_Candidate] = []
    for candidate in group:
        if candidate.birth_year is None:
            unknown.append(candidate)
        else:
            by_year[candidate.birth_year].append(candidate)
    yield from combinations(unknown, 2)
    for year, members in by_year.items():
        yield from combinations(members, 2)
        for other in (*by_year.get(year + 1, ()), *unknown):
            for candidate in members:
                yield candidate, other


def _pairs(candidates: list[_Candidate]):
    """Every pair that shares a blocking key (a pair may come more than once)."""
    blocks: dict[str, list[_Candidate]] = defaultdict(list)
    by_probe: dict[str, list[_Candidate]] = defaultdict(list)
    holders_of_initials: list[tuple[_Candidate, set[str]]] = []
    for candidate in candidates:
        keys, probes = _keys(candidate)
        for key in keys:
            blocks[key].append(candidate)
        for key in probes:
            by_probe[key].append(candidate)
        initialled = {key for key in keys if "i:" in key}
        if initialled:
            holders_of_initials.append((candidate, initialled))
    for block in blocks.values():
        if len(block) > 1:
            yield from _in_reach(block)
    for candidate, keys in holders_of_initials:
        for key in keys:
            for other in by_probe.get(key, ()):
                if other is not candidate and (candidate.birth_year is None or other.birth_year is None
                                               or abs(candidate.birth_year - other.birth_year) <= 1):
                    yield candidate, other


def find(limit: int) -> list[tuple[str, str, float, list[str]]]:
    """The `limit` best-scoring pairs (a_id, b_id, score, reasons) among the persons not merged."""
    rows = db.session.execute(sa.select(Person.id, Person.display_name, Person.given_name, Person.family_name,
                                        Person.birth_year, Person.aliases).where(Person.merged_into.is_(None)))
    candidates = [c for c in map(_candidate, rows) if c.names]
    seen: set[tuple[str, str]] = set()
    found = []
    for a, b in _pairs(candidates):
        key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        if key in seen:
            continue
        seen.add(key)
        score, reasons = score_pair(a, b)
        if score >= MIN_SCORE and {"similar_name", "same_name", "shared_alias", "alias_is_name"} & set(reasons):
            found.append((*key, score, reasons))
    found.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return found[:limit]
