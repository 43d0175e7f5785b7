"""gunicorn settings for HELP Field: `gunicorn --config deploy/gunicorn.conf.py wsgi:app`.

The logs never hold a query string: `GET /api/v1/persons?q=<a name>` is a person search, and access
logs are kept, shipped and read far more widely than the audit log. The access log writes the path
only (`%(U)s`, never `%(r)s` or `%(q)s`) and no Referer; the error log, which names the request
when a worker fails on it, has the query cut off too. (The development server's log follows the same
rule, from the same filter in app/request_log.py, loaded by its path so the master stays light.)

Flags on the command line override what is set here (`--bind 0.0.0.0:8000`, `--workers 2`).
"""

import importlib.util
from pathlib import Path

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

def _load_request_log():
    """app/request_log.py by its path: it needs only the standard library, and importing it through the
    `app` package would load the whole application into gunicorn's master process."""
    path = Path(__file__).resolve().parent.parent / "app" / "request_log.py"
    spec = importlib.util.spec_from_file_location("help_field_request_log", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_request_log = _load_request_log()


class QueryStringFreeLogger(Logger):
    """gunicorn's logger, with the filter on its error log (set again on every configuration reload)."""

    _filter = _request_log.QueryStringsOut()

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(self._filter)


logger_class = QueryStringFreeLogger
