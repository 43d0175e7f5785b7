"""Many phones syncing at once over real HTTP, plus supervisors reading counts.

    .venv/bin/python bench/load.py [--phones 200] [--seconds 30] [--db sqlite|postgresql] [--workers 4]

Prints throughput, p50/p95/p99 latency (all batches and 50-entry batches), errors, 5xx, server
memory (RSS of gunicorn's processes) and, at the end, checks every entry was stored exactly once.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import prepare_database, save, table  # noqa: E402
from bench.sync_ingest import make_entries  # noqa: E402
from testkit.live_server import LiveServer  # noqa: E402

SECRET = "bench-secret-key"
BATCH_SIZES = [1, 5, 10, 20, 50, 50, 100]


def open_sessions(url: str, instance: Path, phones: int, supervisors: int) -> list[tuple[str, str, str]]:
    """Sign-in sessions made directly (as a sign-in would), so the run measures sync, not argon2."""
    from app import create_app
    from app.auth.models import User
    from app.auth.services import create_user
    from app.auth.sessions import csrf_token_for, start_session
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "APP_ENV": "test"})
    app.instance_path = str(instance)
    sessions = []
    with app.app_context():
        officers = [db.session.scalar(db.select(User).where(User.username == "bench"))]
        for i in range(19):
            officers.append(create_user(f"officer{i}", "officer", "steady-measure-2048", team="Downtown HELP"))
        boss = create_user("boss", "supervisor", "steady-measure-2048")
        for i in range(phones):
            session, token = start_session(officers[i % len(officers)])
            sessions.append(("phone", token, csrf_token_for(session)))
        for _ in range(supervisors):
            session, token = start_session(boss)
            sessions.append(("supervisor", token, csrf_token_for(session)))
        db.session.commit()
        db.engine.dispose()
    return sessions


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (gunicorn master and workers)."""
    import subprocess

    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                   text=True).stdout.split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--supervisors", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pause", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                        help="seconds a phone waits between syncs (a real phone syncs a few times an hour)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="help-load-") as tmp:
        work = Path(tmp)
        cluster = None
        if args.db == "postgresql":
            from testkit.services import PostgresCluster

            cluster = PostgresCluster().start()
            url = cluster.create_database("load")
        else:
            url = f"sqlite:///{work / 'load.db'}"
        try:
            prepare_database(url, work / "instance")
            sessions = open_sessions(url, work / "instance", args.phones, args.supervisors)
            server = LiveServer(url, work, workers=args.workers, extra_env={"SECRET_KEY": SECRET}).start()
            try:
                figures = run(server, sessions, args)
            finally:
                server.stop()
            figures["stored_once"] = verify(url, work / "instance", figures.pop("sent_ids"))
        finally:
            if cluster is not None:
                cluster.stop()
    report(figures, args)


def run(server: LiveServer, sessions, args) -> dict:
    stop_at = time.monotonic() + args.seconds
    lock = threading.Lock()
    latencies: list[tuple[int, float]] = []
    read_latencies: list[float] = []
    errors = {"5xx": 0, "other": 0, "exceptions": 0}
    acknowledged: list[str] = []
    peak_rss = [0]

    def phone(index: int, token: str, csrf: str) -> None:
        rng = random.Random(index)
        http = requests.Session()
        http.cookies.set("help_session", token, domain="127.0.0.1")
        outbox: list[dict] = []
        time.sleep(rng.uniform(0, args.pause[1]))  # phones do not all start at once
        while time.monotonic() < stop_at:
            if not outbox:
                outbox = make_entries(rng.choice(BATCH_SIZES), seed=rng.randrange(1 << 30))
            started = time.perf_counter()
            try:
                response = http.post(f"{server.url}/api/v1/sync", json={"device_id": f"phone-{index}",
                                                                         "entries": outbox},
                                     headers={"X-CSRF-Token": csrf}, timeout=60)
            except requests.RequestException:
                with lock:
                    errors["exceptions"] += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                if response.status_code >= 500:
                    errors["5xx"] += 1
                elif response.status_code != 200:
                    errors["other"] += 1
                else:
                    latencies.append((len(outbox), elapsed))
                    done = {r["id"] for r in response.json()["results"] if r["status"] in ("created", "duplicate")}
                    acknowledged.extend(done)
                    outbox = [e for e in outbox if e["id"] not in done]
            time.sleep(rng.uniform(*args.pause))

    def supervisor(index: int, token: str, csrf: str) -> None:
        http = requests.Session()
        http.cookies.set("help_session", token, domain="127.0.0.1")
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = http.get(f"{server.url}/api/v1/stats/daily?from=2026-10-01&to=2026-11-30", timeout=60)
            with lock:
                if response.status_code >= 500:
                    errors["5xx"] += 1
                elif response.status_code == 200:
                    read_latencies.append(time.perf_counter() - started)
                else:
                    errors["other"] += 1
            time.sleep(1.0)

    def sample_memory() -> None:
        while time.monotonic() < stop_at:
            peak_rss[0] = max(peak_rss[0], rss_kib(server.process.pid))
            time.sleep(0.5)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(sessions) + 1) as pool:
        pool.submit(sample_memory)
        for index, (kind, token, csrf) in enumerate(sessions):
            pool.submit(phone if kind == "phone" else supervisor, index, token, csrf)
    wall = time.monotonic() - started
    return {"latencies": latencies, "read_latencies": read_latencies, "errors": errors, "wall": wall,
            "sent_ids": acknowledged, "peak_rss_kib": peak_rss[0]}


def verify(url: str, instance: Path, acknowledged: list[str]) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("sqlite:///", "sqlite:///"))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*), count(DISTINCT id) FROM encounters")).one()
    engine.dispose()
    unique_acked = len(set(acknowledged))
    return {"acknowledged": unique_acked, "stored_rows": rows[0], "stored_distinct": rows[1],
            "ok": rows[0] == rows[1] == unique_acked}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def report(figures: dict, args) -> None:
    all_lat = [s for _n, s in figures["latencies"]]
    fifty = [s for n, s in figures["latencies"] if n == 50]
    entries = sum(n for n, _s in figures["latencies"])
    stored = figures["stored_once"]
    rows = [("figure", "value"),
            ("database / web workers", f"{args.db} / {args.workers}"),
            ("phones / supervisors / seconds", f"{args.phones} / {args.supervisors} / {args.seconds:.0f}"),
            ("pause between a phone's syncs (s)", f"{args.pause[0]:g}-{args.pause[1]:g}"),
            ("sync requests answered", f"{len(all_lat):,}"),
            ("entries acknowledged / s", f"{entries / figures['wall']:,.0f}"),
            ("sync p50 / p95 / p99 (ms)", "/".join(f"{pct(all_lat, q) * 1000:.0f}" for q in (50, 95, 99))),
            ("50-entry batch p95 (ms, target < 250)", f"{pct(fifty, 95) * 1000:.0f}"),
            ("daily counts p95 (ms)", f"{pct(figures['read_latencies'], 95) * 1000:.0f}"),
            ("5xx / other errors / exceptions", "{5xx} / {other} / {exceptions}".format(**figures["errors"])),
            ("server RSS peak (MiB)", f"{figures['peak_rss_kib'] / 1024:.0f}"),
            ("stored exactly once", f"{stored['ok']} ({stored['stored_distinct']:,} rows, "
                                    f"{stored['acknowledged']:,} acknowledged)")]
    table("Load: phones syncing, supervisors reading", rows)
    save(f"load_{args.db}", {"args": vars(args), "entries_per_s": entries / figures["wall"],
                             "p50_ms": pct(all_lat, 50) * 1000, "p95_ms": pct(all_lat, 95) * 1000,
                             "p99_ms": pct(all_lat, 99) * 1000, "p95_50_entry_ms": pct(fifty, 95) * 1000,
                             "errors": figures["errors"], "peak_rss_mib": figures["peak_rss_kib"] / 1024,
                             "stored_once": stored})


if __name__ == "__main__":
    main()
