"""Sync ingest over real HTTP (gunicorn) against the storage floor: the same rows into the same table.

    .venv/bin/python bench/sync_ingest.py [--entries 50000] [--batch 500] [--rounds 3] [--db sqlite|postgresql|both]

Every database is made by the app's migrations (`flask db upgrade`), so the floor writes into the
`encounters` table as deployed: all its indexes, CHECK and foreign-key constraints. The floor is a
plain INSERT of the column values the app stores, 500 rows a transaction: `sqlite3.executemany` on
SQLite (with the app's pragmas: WAL, synchronous=NORMAL, foreign_keys=ON); psycopg's `executemany`
on PostgreSQL (a throwaway cluster, as the tests start one), where `COPY` is also reported. Each
round uses fresh databases and runs both paths, alternating which goes first. Prints one table of
entries/s and the ratio HTTP / floor (target on SQLite: >= 0.25), writes
bench/results/sync_ingest.json (SQLite) and bench/results/sync_ingest_postgresql.json.
BENCH_QUICK=1: 10,000 entries and one round unless given.

The floor inserts the encounters rows only; the app also checks the session, validates and hashes
each entry, adds to the daily-count rollup, writes an audit row per entry, inserts with ON CONFLICT
DO NOTHING RETURNING id and answers in JSON. Encounters take no change-clock number (only types on
the changes feed do), so the clock is not touched by either path.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_PASSWORD, postgres_cluster, prepare_database, save, table  # noqa: E402
from testkit.live_server import LiveServer, Phone  # noqa: E402

TARGET_RATIO = 0.25
QUICK = os.environ.get("BENCH_QUICK", "0") == "1"
FLOOR_NOTE = ("floor: a plain INSERT of the encounters rows into the migrated table; the app also validates, "
              "hashes, adds to the daily-count rollup, writes an audit row per entry and answers in JSON")

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


def sqlite_floor_ingest(path: Path, rows: list[dict], batch: int) -> float:
    """The storage floor on SQLite: the rows as SQLAlchemy stores them, executemany, one transaction a batch."""

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
    connection.execute("PRAGMA foreign_keys=ON")  # as the app's connections (app/extensions.py)
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


def pg_floor_ingest(url: str, rows: list[dict], batch: int) -> float:
    """The storage floor on PostgreSQL: psycopg's executemany (pipelined), one transaction a batch."""
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


def _rate(count: int, seconds: float) -> float:
    return count / seconds


def sqlite_round(entries: list[dict], batch: int, work: Path, http_first: bool) -> dict:
    http_db, floor_db = work / "http.db", work / "floor.db"
    http_url, floor_url = f"sqlite:///{http_db}", f"sqlite:///{floor_db}"
    prepare_database(http_url, work / "instance", migrated=True)
    prepare_database(floor_url, work / "instance", migrated=True)
    rows = raw_rows(entries, *bench_writer(floor_url))
    paths = {"http": lambda: http_ingest(http_url, work, entries, batch),
             "floor": lambda: sqlite_floor_ingest(floor_db, rows, batch)}
    seconds = {name: paths[name]() for name in (("http", "floor") if http_first else ("floor", "http"))}
    assert stored_count(http_url) == stored_count(floor_url) == len(entries)
    return {name: _rate(len(entries), s) for name, s in seconds.items()}


def postgresql_round(cluster, entries: list[dict], batch: int, work: Path, number: int, http_first: bool) -> dict:
    urls = {path: cluster.create_database(f"ingest_{path}_{number}") for path in ("http", "floor", "copy")}
    for url in urls.values():
        prepare_database(url, work / "instance", migrated=True)
    rows = raw_rows(entries, *bench_writer(urls["floor"]))
    paths = {"http": lambda: http_ingest(urls["http"], work, entries, batch),
             "floor": lambda: pg_floor_ingest(urls["floor"], rows, batch),
             "copy": lambda: pg_copy_ingest(urls["copy"], rows, batch)}
    order = ("http", "floor", "copy") if http_first else ("floor", "copy", "http")
    seconds = {name: paths[name]() for name in order}
    assert all(stored_count(url) == len(entries) for url in urls.values())
    return {name: _rate(len(entries), s) for name, s in seconds.items()}


def summarise(rounds: list[dict], entries: int, batch: int) -> dict:
    for r in rounds:
        r["ratio"] = r["http"] / r["floor"]
    figures: dict = {"entries": entries, "batch": batch, "target_ratio": TARGET_RATIO, "rounds": rounds}
    for key in rounds[0]:
        values = [r[key] for r in rounds]
        figures[f"{key}_median"] = statistics.median(values)
        figures[f"{key}_range"] = [min(values), max(values)]
    # The names report.py and earlier results use.
    figures["http_rate"], figures["floor_rate"] = figures["http_median"], figures["floor_median"]
    figures["ratio"] = figures["ratio_median"]
    return figures


def print_table(results: dict[str, dict], entries: int, batch: int) -> None:
    rows = [("database", "round", "POST /sync (HTTP)", "floor executemany", "COPY", "HTTP / floor")]
    for label, figures in results.items():
        for number, r in enumerate(figures["rounds"], 1):
            copy = f"{r['copy']:,.0f}" if "copy" in r else ""
            rows.append((label, str(number), f"{r['http']:,.0f}", f"{r['floor']:,.0f}", copy, f"{r['ratio']:.3f}"))
        if len(figures["rounds"]) > 1:
            copy = f"{figures['copy_median']:,.0f}" if "copy_median" in figures else ""
            rows.append((label, "median", f"{figures['http_median']:,.0f}", f"{figures['floor_median']:,.0f}", copy,
                         f"{figures['ratio_median']:.3f}"))
        verdict = "PASS" if figures["ratio"] >= TARGET_RATIO else "BELOW TARGET"
        rows.append((label, "target", "", "", "", f">= {TARGET_RATIO} {verdict}"))
    table(f"Sync ingest against the storage floor, entries/s ({entries:,} encounters, batches of {batch})", rows)
    print(f"  ({FLOOR_NOTE})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000 if QUICK else 50_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1 if QUICK else 3)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    entries = make_entries(args.entries)
    results: dict[str, dict] = {}
    if args.db in ("sqlite", "both"):
        rounds = []
        for number in range(args.rounds):
            with tempfile.TemporaryDirectory(prefix="help-bench-") as tmp:
                print(f"SQLite round {number + 1}/{args.rounds}: {len(entries):,} encounters ...", flush=True)
                rounds.append(sqlite_round(entries, args.batch, Path(tmp), http_first=number % 2 == 0))
        results["SQLite"] = summarise(rounds, len(entries), args.batch)
        save("sync_ingest", {"database": "sqlite", **results["SQLite"]})
    if args.db in ("postgresql", "both"):
        rounds = []
        with tempfile.TemporaryDirectory(prefix="help-bench-") as tmp, postgres_cluster() as cluster:
            for number in range(args.rounds):
                print(f"PostgreSQL round {number + 1}/{args.rounds}: {len(entries):,} encounters ...", flush=True)
                rounds.append(postgresql_round(cluster, entries, args.batch, Path(tmp), number,
                                               http_first=number % 2 == 0))
            version = _server_version(cluster.url())
        label = f"PostgreSQL {version}"
        results[label] = summarise(rounds, len(entries), args.batch)
        results[label]["ratio_copy"] = results[label]["http_median"] / results[label]["copy_median"]
        save("sync_ingest_postgresql", {"database": "postgresql", "server_version": version, **results[label]})
    print_table(results, len(entries), args.batch)


def _server_version(url: str) -> str:
    with _pg_connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


if __name__ == "__main__":
    main()
