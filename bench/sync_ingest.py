"""Sync ingest over real HTTP (gunicorn) against raw inserts of the same rows into the same schema.

    .venv/bin/python bench/sync_ingest.py [--entries 50000] [--batch 500] [--db sqlite|postgresql|both]

SQLite: POST /sync against sqlite3.executemany. PostgreSQL (a throwaway cluster, as the tests start
one): POST /sync against psycopg's executemany and COPY. Prints entries/s and the ratios (target:
ingest >= 1/8 of the raw rate), writes bench/results/sync_ingest.json (SQLite) and
bench/results/sync_ingest_postgresql.json.

The raw paths insert the encounters rows only (every column the app writes, triage included, one
transaction per batch); the app also checks the session, adds to the daily-count rollup, writes an
audit event, inserts with ON CONFLICT DO NOTHING RETURNING id and answers in JSON. Encounters take no
change-clock number (only types on the changes feed do), so the clock is not touched by either path.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_PASSWORD, postgres_cluster, prepare_database, save, table  # noqa: E402
from tests.support.live_server import LiveServer, Phone  # noqa: E402

TARGET_RATIO = 0.125
RAW_NOTE = ("raw paths: encounters rows only; the app also checks the session, adds to the daily-count rollup "
            "and writes an audit event")

KINDS = ["interaction"] * 6 + ["primary_response"] * 2 + ["consultation"] * 2 + ["on_scene_assist"]
NEEDS = ["housing", "food", "addictions", "mental_health", "medical", "id_documents"]


def make_entries(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=-7)))
    entries = []
    for _ in range(count):
        kind = rng.choice(KINDS)
        data = {"kind": kind, "occurred_at": (start + timedelta(minutes=rng.randrange(0, 28_000))).isoformat(),
                "needs": rng.sample(NEEDS, rng.randrange(0, 3)), "outcome": ["info_provided"],
                "duration_minutes": rng.randrange(5, 60), "notes": "Checked in; offered a ride to the shelter."}
        if kind in ("primary_response", "on_scene_assist"):
            data["call_number"] = f"EPS26-{rng.randrange(100000, 999999)}"
        entries.append({"id": str(uuid.uuid4()), "type": "encounter", "data": data})
    return entries


def http_ingest(url: str, workdir: Path, entries: list[dict], batch: int) -> float:
    server = LiveServer(url, workdir, workers=2).start()
    try:
        phone = Phone(server, "bench", BENCH_PASSWORD).sign_in()
        phone.sync({"device_id": "warm-up", "entries": make_entries(50, seed=1)})
        started = time.perf_counter()
        for i in range(0, len(entries), batch):
            response = phone.sync({"device_id": "bench-phone", "entries": entries[i:i + batch]})
            statuses = {r["status"] for r in response.json()["results"]}
            assert statuses == {"created"}, statuses
        return time.perf_counter() - started
    finally:
        server.stop()


# Every column the app's INSERT names (app/encounters/services.py::_row), in one order for all paths.
COLUMNS = ("id", "kind", "occurred_at", "occurred_on", "person_id", "call_number", "site_id", "needs", "risk_flags",
           "outcome", "triage_level", "triage_computed", "lat", "lon", "accuracy_m", "duration_minutes",
           "description", "notes", "author_id", "team_id", "device_id", "received_at", "entry_hash", "change_seq")


def raw_rows(entries: list[dict], author_id: int, team_id: int | None) -> list[dict]:
    """The rows the app would store for these entries (built outside the timed part)."""
    from app.encounters.triage import level_for
    from app.records import content_hash

    zone = ZoneInfo("America/Edmonton")  # the default TIMEZONE the server runs with here
    now = datetime.now(UTC)
    rows = []
    for entry in entries:
        d = entry["data"]
        occurred = datetime.fromisoformat(d["occurred_at"])
        level = level_for(d["needs"], [])
        rows.append({"id": entry["id"], "kind": d["kind"], "occurred_at": occurred.astimezone(UTC),
                     "occurred_on": occurred.astimezone(zone).date(), "person_id": None,
                     "call_number": d.get("call_number"), "site_id": None, "needs": d["needs"], "risk_flags": [],
                     "outcome": d["outcome"], "triage_level": level, "triage_computed": level, "lat": None,
                     "lon": None, "accuracy_m": None, "duration_minutes": d["duration_minutes"],
                     "description": None, "notes": d["notes"], "author_id": author_id, "team_id": team_id,
                     "device_id": "raw", "received_at": now, "entry_hash": content_hash("encounter", d),
                     "change_seq": 0})
    return rows


def bench_writer(url: str) -> tuple[int, int | None]:
    """The bench officer's id and team (the raw rows are written as them, as the app's are)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        user_id, team_id = conn.execute(text("SELECT id, team_id FROM users WHERE username = 'bench'")).one()
    engine.dispose()
    return user_id, team_id


def sqlite_raw_ingest(path: Path, rows: list[dict], batch: int) -> float:
    """The storage limit on SQLite: the rows as SQLAlchemy stores them, executemany, one transaction a batch."""

    def stored(column: str, value):
        if value is None:
            return None
        if column == "id":
            return value.replace("-", "")  # sa.Uuid on SQLite: 32 hex characters
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(value, list):
            return json.dumps(value)
        if column == "occurred_on":
            return value.isoformat()
        return value

    values = [tuple(stored(c, row[c]) for c in COLUMNS) for row in rows]
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    sql = f"INSERT INTO encounters ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    started = time.perf_counter()
    for i in range(0, len(values), batch):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, values[i:i + batch])
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def _pg_values(rows: list[dict]) -> list[tuple]:
    from psycopg.types.json import Json

    def typed(column: str, value):
        if column == "id":
            return uuid.UUID(value)
        if isinstance(value, list):
            return Json(value)
        return value

    return [tuple(typed(c, row[c]) for c in COLUMNS) for row in rows]


def _pg_connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def pg_executemany_ingest(url: str, rows: list[dict], batch: int) -> float:
    """psycopg's executemany (pipelined), one transaction a batch."""
    values = _pg_values(rows)
    sql = f"INSERT INTO encounters ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with _pg_connect(url) as connection:
        cursor = connection.cursor()
        started = time.perf_counter()
        for i in range(0, len(values), batch):
            with connection.transaction():
                cursor.executemany(sql, values[i:i + batch])
        return time.perf_counter() - started


def pg_copy_ingest(url: str, rows: list[dict], batch: int) -> float:
    """COPY ... FROM STDIN (text format, rows written by psycopg), one transaction a batch."""
    values = _pg_values(rows)
    sql = f"COPY encounters ({', '.join(COLUMNS)}) FROM STDIN"
    with _pg_connect(url) as connection:
        cursor = connection.cursor()
        started = time.perf_counter()
        for i in range(0, len(values), batch):
            with connection.transaction(), cursor.copy(sql) as copy:
                for value in values[i:i + batch]:
                    copy.write_row(value)
        return time.perf_counter() - started


def stored_count(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM encounters WHERE device_id <> 'warm-up'")).scalar_one()
    engine.dispose()
    return count


def run_sqlite(entries: list[dict], batch: int, work: Path) -> dict:
    http_db, raw_db = work / "http.db", work / "raw.db"
    http_url, raw_url = f"sqlite:///{http_db}", f"sqlite:///{raw_db}"
    prepare_database(http_url, work / "instance")
    prepare_database(raw_url, work / "instance")
    print(f"SQLite: ingesting {len(entries):,} encounters in batches of {batch} ...", flush=True)
    http_seconds = http_ingest(http_url, work, entries, batch)
    raw_seconds = sqlite_raw_ingest(raw_db, raw_rows(entries, *bench_writer(raw_url)), batch)
    assert stored_count(http_url) == stored_count(raw_url) == len(entries)
    http_rate, raw_rate = len(entries) / http_seconds, len(entries) / raw_seconds
    ratio = http_rate / raw_rate
    table("Sync ingest on SQLite", [
        ("path", "seconds", "entries/s"),
        ("POST /sync over HTTP (gunicorn)", f"{http_seconds:.2f}", f"{http_rate:,.0f}"),
        ("raw sqlite3.executemany", f"{raw_seconds:.2f}", f"{raw_rate:,.0f}"),
        ("ratio (target >= 1/8 = 0.125)", f"{ratio:.3f}", "PASS" if ratio >= TARGET_RATIO else "BELOW TARGET"),
    ])
    print(f"  ({RAW_NOTE})")
    return {"entries": len(entries), "batch": batch, "http_seconds": http_seconds, "raw_seconds": raw_seconds,
            "http_rate": http_rate, "raw_rate": raw_rate, "ratio": ratio, "target_ratio": TARGET_RATIO}


def run_postgresql(entries: list[dict], batch: int, work: Path) -> dict:
    with postgres_cluster() as cluster:
        urls = {path: cluster.create_database(f"ingest_{path}") for path in ("http", "executemany", "copy")}
        for url in urls.values():
            prepare_database(url, work / "instance")
        print(f"PostgreSQL: ingesting {len(entries):,} encounters in batches of {batch} ...", flush=True)
        seconds = {"http": http_ingest(urls["http"], work, entries, batch)}
        rows = raw_rows(entries, *bench_writer(urls["executemany"]))
        seconds["executemany"] = pg_executemany_ingest(urls["executemany"], rows, batch)
        seconds["copy"] = pg_copy_ingest(urls["copy"], rows, batch)
        assert all(stored_count(url) == len(entries) for url in urls.values())
        version = _server_version(urls["http"])
    rates = {path: len(entries) / s for path, s in seconds.items()}
    ratios = {"executemany": rates["http"] / rates["executemany"], "copy": rates["http"] / rates["copy"]}

    def verdict(ratio: float) -> str:
        return "PASS" if ratio >= TARGET_RATIO else "BELOW TARGET"

    table(f"Sync ingest on PostgreSQL {version}", [
        ("path", "seconds", "entries/s"),
        ("POST /sync over HTTP (gunicorn)", f"{seconds['http']:.2f}", f"{rates['http']:,.0f}"),
        ("raw psycopg executemany", f"{seconds['executemany']:.2f}", f"{rates['executemany']:,.0f}"),
        ("raw psycopg COPY", f"{seconds['copy']:.2f}", f"{rates['copy']:,.0f}"),
        ("ratio ingest / executemany (target >= 0.125)", f"{ratios['executemany']:.3f}",
         verdict(ratios["executemany"])),
        ("ratio ingest / COPY (target >= 0.125)", f"{ratios['copy']:.3f}", verdict(ratios["copy"])),
    ])
    print(f"  ({RAW_NOTE})")
    return {"entries": len(entries), "batch": batch, "server_version": version,
            "http_seconds": seconds["http"], "executemany_seconds": seconds["executemany"],
            "copy_seconds": seconds["copy"], "http_rate": rates["http"], "executemany_rate": rates["executemany"],
            "copy_rate": rates["copy"], "ratio_executemany": ratios["executemany"], "ratio_copy": ratios["copy"],
            "target_ratio": TARGET_RATIO}


def _server_version(url: str) -> str:
    with _pg_connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    entries = make_entries(args.entries)
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="help-bench-") as tmp:
            save("sync_ingest", run_sqlite(entries, args.batch, Path(tmp)))
    if args.db in ("postgresql", "both"):
        with tempfile.TemporaryDirectory(prefix="help-bench-") as tmp:
            save("sync_ingest_postgresql", run_postgresql(entries, args.batch, Path(tmp)))


if __name__ == "__main__":
    main()
