"""Request logs say which path was asked for, never the query string: `?q=` of a person search is a name.

gunicorn's access log gets the same rule from deploy/gunicorn.conf.py; this covers the development
server (`flask run`, `make run`), whose request lines go through the `werkzeug` logger.
"""

from __future__ import annotations

import logging
import re

# A path up to its "?", then the query up to the next space, or a quote closing the text (a raw
# client may send quotes inside the query).
_QUERY = re.compile(r"""(/[^\s?"']*)\?\S*?(?=["']?(?:\s|$))""")


def without_query(value: object) -> object:
    """The text with every `/path?query` cut to `/path`; anything that is not text as it was."""
    return _QUERY.sub(r"\1", value) if isinstance(value, str) else value


class QueryStringsOut(logging.Filter):
    """Cuts query strings out of a record's message and arguments before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = without_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(without_query(arg) for arg in record.args)
        return True


_FILTER = QueryStringsOut()


def install() -> None:
    """Once per process is enough; adding the same filter again changes nothing."""
    logging.getLogger("werkzeug").addFilter(_FILTER)
