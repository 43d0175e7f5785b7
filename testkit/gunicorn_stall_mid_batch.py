"""gunicorn config for the crash test: the worker stalls after its first encounter INSERT.

The hook writes a marker file once rows of the batch are inserted but not committed, then sleeps,
so the test can kill -9 the server at exactly that moment. Production code knows nothing of it.
"""

import os
import time


def post_worker_init(worker):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    marker = os.environ["STALL_MARKER"]

    @event.listens_for(Engine, "after_cursor_execute")
    def _stall(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO ENCOUNTERS"):
            with open(marker, "w") as f:
                f.write("inserted, not committed")
            time.sleep(30)
