"""gunicorn settings for HELP Field: `gunicorn --config deploy/gunicorn.conf.py wsgi:app`.

The logs never hold a query string: `GET /api/v1/persons?q=<a name>` is a person search, and access
logs are kept, shipped and read far more widely than the audit log. The access log writes the path
only (`%(U)s`, never `%(r)s` or `%(q)s`) and no Referer; the error log, which names the request
when a worker fails on it, has the query cut off too. (The development server's log follows the same
rule in app/request_log.py; this file imports nothing from the app, so the master stays light.)

Flags on the command line override what is set here (`--bind 0.0.0.0:8000`, `--workers 2`).
"""

import logging
import re

from gunicorn.glogging import Logger

bind = "127.0.0.1:8000"
# Sync workers, not threads: SQLite serializes writers anyway; a worker per core (two at most) keeps
# latency flat (docs/deployment.md).
workers = 4
threads = 1
timeout = 60
graceful_timeout = 10

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'

# A path up to its "?", then the query up to the next space, or a quote closing the text (a raw
# client may send quotes inside the query).
_QUERY = re.compile(r"""(/[^\s?"']*)\?\S*?(?=["']?(?:\s|$))""")


def _without_query(value):
    return _QUERY.sub(r"\1", value) if isinstance(value, str) else value


class _QueryStringsOut(logging.Filter):
    """Cuts query strings out of a record's message and arguments before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _without_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_without_query(arg) for arg in record.args)
        return True


class QueryStringFreeLogger(Logger):
    """gunicorn's logger, with the filter on its error log (set again on every configuration reload)."""

    _filter = _QueryStringsOut()

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(self._filter)


logger_class = QueryStringFreeLogger
