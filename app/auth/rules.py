"""Account rules, one place for the API and the CLI alike: usernames, display names, passwords.

- A username is 3-40 characters of `a-z 0-9 . _ -` after case folding. Case folding turns `Officer` into
  `officer`, but leaves a Cyrillic `о` Cyrillic, so a look-alike of another user's name is refused, as are
  spaces, controls and anything else outside the set.
- A display name is 1-120 characters, not blank, without control characters (C0, C1, line and paragraph
  separators) or bidirectional-text controls (the overrides U+202A-U+202E, the isolates U+2066-U+2069 and
  the marks U+200E, U+200F, U+061C), which could make a name shown in a list read as another.
- A password: app/auth/passwords.py (at least 12 characters, not blank, not a commonly used one).
"""

from __future__ import annotations

import re
import unicodedata

USERNAME_MIN, USERNAME_MAX = 3, 40
DISPLAY_NAME_MAX = 120
_USERNAME = re.compile(r"[a-z0-9._-]+")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def fold_username(raw: str) -> str:
    """The stored and compared form of a username: case-folded, surrounding spaces dropped."""
    return raw.strip().casefold()


def username_problems(raw: str) -> list[str]:
    """What is wrong with a username, as sentences for a person; empty when it is acceptable."""
    name = fold_username(raw)
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        return [f"Use {USERNAME_MIN} to {USERNAME_MAX} characters."]
    if _USERNAME.fullmatch(name) is None:
        return ["Use only the letters a-z, digits and . _ - (no spaces, accents or letters of other alphabets)."]
    return []


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI_CONTROLS


def display_name_problems(raw: str) -> list[str]:
    if not raw.strip():
        return ["Give the name shown in the app."]
    if len(raw) > DISPLAY_NAME_MAX:
        return [f"Use at most {DISPLAY_NAME_MAX} characters."]
    if any(_is_control(c) for c in raw):
        return ["Remove control and text-direction characters."]
    return []
