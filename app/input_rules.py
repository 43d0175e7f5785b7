"""What every request must be before the API reads it: JSON nested at most MAX_DEPTH levels (checked
on the raw bytes, before parsing: app/security.py), and text that is valid Unicode without NUL
characters (the API's parser, app/rest.py; /sync's entries one by one, app/entries/pipeline.py).

A deeply nested body would exhaust the parser's recursion; a lone surrogate (`"\\ud800"` is valid JSON)
cannot be encoded for the database; a NUL is refused by PostgreSQL. Each is answered 400 with the one
error shape before anything is stored, or, inside a /sync batch, the entry alone is rejected.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 32
BAD_TEXT_MESSAGE = "Remove NUL characters and broken Unicode (a lone surrogate)."
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def has_bad_text(value: Any) -> bool:
    """True when a string in `value` (keys included) holds a NUL or a lone surrogate."""
    if isinstance(value, str):
        return _BAD_TEXT.search(value) is not None
    if isinstance(value, dict):
        return any(has_bad_text(k) or has_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_bad_text(v) for v in value)
    return False


def bad_text_fields(data: Any, checked_elsewhere: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """{field: [message]} for the top-level fields of a body or query whose text is not acceptable."""
    if not isinstance(data, dict):
        return {"_schema": [BAD_TEXT_MESSAGE]} if has_bad_text(data) else {}
    return {str(name) if not has_bad_text(str(name)) else "_schema": [BAD_TEXT_MESSAGE]
            for name, value in data.items()
            if name not in checked_elsewhere and (has_bad_text(name) or has_bad_text(value))}


def nesting_exceeds(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text nests arrays and objects more than `limit` deep (strings ignored)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
