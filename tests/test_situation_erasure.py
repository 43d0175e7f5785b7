"""Issue 16: after a "not met" decision the erased values are gone from the database itself, not
hidden: a canary in the summary is absent from the SQLite file's bytes (and its write-ahead log),
from the PostgreSQL table's file, and from the audit log. A second, met situation's canary is found
in the same bytes, so the search is shown to work."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from testkit.hub import make_hub


def _sqlite_bytes(db) -> bytes:
    path = Path(db.engine.url.database)
    found = path.read_bytes()
    for extra in (Path(f"{path}-wal"), Path(f"{path}-journal")):
        if extra.exists():
            found += extra.read_bytes()
    return found


def _postgres_bytes(db) -> bytes:
    """The situations table's file and its TOAST table's, after a checkpoint wrote every page out."""
    paths = sa.text("SELECT pg_relation_filepath(c.oid) FROM pg_class c WHERE c.relname = 'situations' "
                    "UNION ALL SELECT pg_relation_filepath(c.reltoastrelid) FROM pg_class c "
                    "WHERE c.relname = 'situations' AND c.reltoastrelid <> 0")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        try:
            connection.exec_driver_sql("CHECKPOINT")
            return b"".join(bytes(connection.execute(sa.text("SELECT pg_read_binary_file(:path)"),
                                                     {"path": path}).scalar())
                            for path in connection.execute(paths).scalars() if path)
        except sa.exc.DBAPIError as exc:
            # Only a server given by TEST_POSTGRES_URL may refuse (not a superuser); the suite's own cluster,
            # the one CI uses, must let the test read the file, so there it fails instead of skipping.
            if not os.environ.get("TEST_POSTGRES_URL"):
                raise
            pytest.skip(f"cannot read the table's file: {exc}")


def test_not_met_leaves_no_trace_of_the_summary_in_the_database_files(committed_db, make_client):
    db = committed_db
    hub = make_hub(make_client)
    db.session.commit()
    erased, kept = f"ERASED{uuid.uuid4().hex[:12]}", f"KEPT{uuid.uuid4().hex[:12]}"
    gone = hub.present(summary=f"{erased} sleeps in the parkade on 4th", person_name=f"{erased}-name")
    stays = hub.present(summary=f"{kept} missed three appointments")
    db.session.commit()
    assert hub.decide_not_met(gone["situation"]).status_code == 200
    assert hub.decide_met(stays["situation"]).status_code == 200
    hub.client("other_member").get(f"/situations/{gone['situation']}")
    db.session.commit()

    raw = _sqlite_bytes(db) if db.engine.dialect.name == "sqlite" else _postgres_bytes(db)
    assert kept.encode() in raw  # the search finds what is there
    assert f"{erased} sleeps".encode() not in raw
    audit = db.session.scalars(sa.select(AuditEvent)).all()
    assert audit and erased not in json.dumps([[a.action, a.target_id, a.detail] for a in audit], default=str)
    answer = hub.client("originator").get(f"/situations/{gone['situation']}").get_json()
    assert answer["status"] == "rejected" and answer["summary"] is None and erased not in json.dumps(answer)
