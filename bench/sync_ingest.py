"""Sync ingest over real HTTP (gunicorn) against raw sqlite3.executemany on the same schema.

    .venv/bin/python bench/sync_ingest.py [--entries 50000] [--batch 500]

Prints entries/s for both and their ratio (target: ingest >= 1/8 of the raw rate on SQLite).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_PASSWORD, prepare_database, save, table  # noqa: E402
from tests.support.live_server import LiveServer, Phone  # noqa: E402

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


def raw_ingest(path: Path, entries: list[dict], batch: int) -> float:
    """The storage limit: the same rows, already built, through executemany, one transaction a batch."""
    from app.encounters.triage import level_for
    from app.records import content_hash

    now = datetime.now(timezone.utc).isoformat(sep=" ")
    rows = []
    for entry in entries:
        d = entry["data"]
        occurred = datetime.fromisoformat(d["occurred_at"])
        level = level_for(d["needs"], [])
        rows.append((entry["id"].replace("-", ""), d["kind"], occurred.astimezone(timezone.utc).isoformat(sep=" "),
                     occurred.date().isoformat(), d.get("call_number"), json_list(d["needs"]), "[]",
                     json_list(d["outcome"]), level, level, d["duration_minutes"], d["notes"], 1, 1, "raw", now,
                     content_hash("encounter", d), 0))
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    sql = ("INSERT INTO encounters (id, kind, occurred_at, occurred_on, call_number, needs, risk_flags, outcome, "
           "triage_level, triage_computed, duration_minutes, notes, author_id, team_id, device_id, received_at, "
           "entry_hash, change_seq) VALUES (" + ",".join("?" * 18) + ")")
    started = time.perf_counter()
    for i in range(0, len(rows), batch):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, rows[i:i + batch])
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def json_list(values: list[str]) -> str:
    import json

    return json.dumps(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    entries = make_entries(args.entries)
    with tempfile.TemporaryDirectory(prefix="help-bench-") as tmp:
        work = Path(tmp)
        http_db, raw_db = work / "http.db", work / "raw.db"
        prepare_database(f"sqlite:///{http_db}", work / "instance")
        prepare_database(f"sqlite:///{raw_db}", work / "instance")
        print(f"ingesting {len(entries):,} encounters in batches of {args.batch} ...", flush=True)
        http_seconds = http_ingest(f"sqlite:///{http_db}", work, entries, args.batch)
        raw_seconds = raw_ingest(raw_db, entries, args.batch)
    http_rate, raw_rate = len(entries) / http_seconds, len(entries) / raw_seconds
    ratio = http_rate / raw_rate
    table("Sync ingest on SQLite", [
        ("path", "seconds", "entries/s"),
        ("POST /sync over HTTP (gunicorn)", f"{http_seconds:.2f}", f"{http_rate:,.0f}"),
        ("raw sqlite3.executemany", f"{raw_seconds:.2f}", f"{raw_rate:,.0f}"),
        ("ratio (target >= 1/8 = 0.125)", f"{ratio:.3f}", "PASS" if ratio >= 0.125 else "BELOW TARGET"),
    ])
    save("sync_ingest", {"entries": len(entries), "batch": args.batch, "http_seconds": http_seconds,
                         "raw_seconds": raw_seconds, "http_rate": http_rate, "raw_rate": raw_rate, "ratio": ratio,
                         "target_ratio": 0.125})


if __name__ == "__main__":
    main()
