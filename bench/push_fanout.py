"""Push fan-out: 2,000 alerts through the outbox, Redis and one `python -m workers` process to a local
Web Push receiver, against a plain pywebpush loop sending the same 2,000 to the same receiver.

Both paths use the same pywebpush call (same VAPID signer, keep-alive session, headers, payload);
the ratio is the price of the queue: outbox rows, enqueueing, rq bookkeeping and the per-delivery
claim that makes jobs safe to run twice. Runnable from a fresh clone:

    .venv/bin/python bench/push_fanout.py [--referrals 200] [--subscribers 10] [--rounds 3]
                                          [--push-latency-ms 0] [--database-url URL]

--push-latency-ms makes the receiver answer later, as a push service across the internet does; the
default (0) is the local receiver alone, where the queue's fixed cost per job weighs most.

Needs redis-server (apt-get install redis-server). Prints a table; writes bench/results/push_fanout.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a plain script from a fresh clone: the app's imports follow

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pywebpush import webpush
from rq import Worker

from app import create_app, jobs
from app.extensions import db
from app.push import alerts, messages, sender, services, vapid
from app.push.models import PendingAlert
from bench.common import save, table
from testkit import factories
from testkit.push_records import make_person, make_referral
from testkit.services import RedisServer, _wait_for_port, free_port
from workers import worker_connection

TARGET_OVERHEAD = 0.25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=200, help="new referrals (default 200)")
    parser.add_argument("--subscribers", type=int, default=10, help="navigator subscriptions each alerts (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating plain/queue rounds; medians reported")
    parser.add_argument("--push-latency-ms", type=float, default=0.0,
                        help="make the receiver answer this much later, as a push service across the internet would")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    total = args.referrals * args.subscribers
    rounds: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="help-bench-push-") as tmp, \
            Services(Path(tmp), args.database_url, args.push_latency_ms) as services_, \
            services_.app.app_context():
        subscriptions, referral_ids = setup(args.referrals, args.subscribers, services_.receiver_url)
        services_.start_worker()
        # Warm-up, untimed: connections, imports and caches on both paths.
        plain_loop(services_, subscriptions, referral_ids[:1])
        through_queue(services_, referral_ids[:1], len(subscriptions))
        for _ in range(args.rounds):
            rounds.append({"plain": plain_loop(services_, subscriptions, referral_ids),
                           "queued": through_queue(services_, referral_ids, total)})
    report(args, total, rounds)


class Services:
    """Redis, the receiver and the worker as separate processes, all thrown away afterwards."""

    def __init__(self, workdir: Path, database_url: str | None, latency_ms: float = 0.0):
        self.workdir = workdir
        self.latency_ms = latency_ms
        self.redis = RedisServer(workdir / "redis")
        self.receiver_port = free_port()
        self.receiver_url = f"http://127.0.0.1:{self.receiver_port}"
        key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
        self.env = {
            "APP_ENV": "production", "SECRET_KEY": "bench-secret-key", "VAPID_PRIVATE_KEY": key,
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.db'}",
            "REDIS_URL": self.redis.url, "PUSH_ENDPOINT_ALLOWLIST": "127.0.0.1", "PUSH_ALLOW_HTTP": "1",
        }
        self.processes: list[subprocess.Popen] = []
        self.app = None

    def __enter__(self) -> Self:
        self.redis.start()
        self.processes.append(self._spawn([sys.executable, "-m", "testkit.push_receiver",
                                           "--port", str(self.receiver_port), "--delay-ms", str(self.latency_ms)]))
        _wait_for_port(self.receiver_port)
        os.environ.update(self.env)
        self.app = create_app()
        self.app.instance_path = str(self.workdir / "instance")
        with self.app.app_context():
            db.drop_all()
            db.create_all()
        return self

    def start_worker(self) -> None:
        self.processes.append(self._spawn([sys.executable, "-m", "workers"]))
        connection = worker_connection(self.redis.url)
        deadline = time.monotonic() + 30
        while not Worker.all(connection=connection):
            if time.monotonic() > deadline:
                raise RuntimeError("the worker did not start within 30 s")
            time.sleep(0.1)

    def delivered(self) -> int:
        return requests.get(f"{self.receiver_url}/stats", timeout=5).json()["delivered"]

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{Path(command[-1]).name}-{len(self.processes)}.log", "w")  # noqa: SIM115
        return subprocess.Popen(command, cwd=REPO, env=os.environ | self.env, stdout=log, stderr=subprocess.STDOUT)

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.redis.stop()


def setup(referral_count: int, subscriber_count: int, receiver_url: str) -> tuple[list[dict], list[str]]:
    agency = factories.make_agency("Hope Mission")
    officer = factories.make_user("officer", team=factories.make_team("Downtown HELP"))
    devices = requests.post(f"{receiver_url}/devices?n={subscriber_count}", timeout=30).json()
    for device in devices:
        navigator = factories.make_user("navigator", agency=agency)
        services.subscribe(navigator, device["endpoint"], device["keys"]["p256dh"], device["keys"]["auth"])
    referral_ids = [make_referral(officer, make_person(officer), agency, urgency=("urgent", "routine")[i % 2]).id
                    for i in range(referral_count)]
    db.session.commit()
    return devices, referral_ids


def plain_loop(services_: Services, subscriptions: list[dict], referral_ids: list[str]) -> dict:
    payloads = []
    for referral_id in referral_ids:
        alert = PendingAlert(kind="referral.created", referral_id=referral_id, referral_version=1)
        payloads.append(messages.for_alert(alert))
    db.session.rollback()
    signer, session, subject = vapid.signer(), requests.Session(), services_.app.config["VAPID_SUBJECT"]
    before = services_.delivered()
    started = time.perf_counter()
    for message in payloads:
        body = json.dumps(message.payload, separators=(",", ":"))
        headers = {"Urgency": sender.URGENCY_HEADER[message.urgency], "Topic": message.topic}
        for subscription in subscriptions:
            webpush(subscription, data=body, vapid_private_key=signer, vapid_claims={"sub": subject},
                    ttl=sender.TTL_SECONDS, headers=headers, timeout=sender.TIMEOUT, requests_session=session)
    elapsed = time.perf_counter() - started
    sent = len(payloads) * len(subscriptions)
    assert services_.delivered() - before == sent, "the receiver did not accept every plain message"
    return {"messages": sent, "seconds": elapsed, "per_second": sent / elapsed}


def through_queue(services_: Services, referral_ids: list[str], total: int) -> dict:
    before = services_.delivered()
    started = time.perf_counter()
    for referral_id in referral_ids:
        alerts.announce("referral.created", referral_id, 1)
    jobs.commit()  # the request's commit: alerts are handed to the queue right after it
    handed_over = time.perf_counter() - started
    deadline = time.monotonic() + 600
    while services_.delivered() - before < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {services_.delivered() - before} of {total} alerts arrived within 600 s")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    return {"messages": total, "seconds": elapsed, "per_second": total / elapsed, "hand_over_seconds": handed_over}


def report(args, total: int, rounds: list[dict]) -> None:
    plain = _median(r["plain"] for r in rounds)
    queued = _median(r["queued"] for r in rounds)
    overhead = queued["seconds"] / plain["seconds"] - 1
    latency = f", push service answering after {args.push_latency_ms:g} ms" if args.push_latency_ms else ""
    rows = [("path", "alerts", "seconds", "alerts/s", "each round (alerts/s)")]
    for name, key, row in (("plain pywebpush loop", "plain", plain), ("outbox -> rq -> 1 worker", "queued", queued)):
        rows.append((name, row["messages"], f"{row['seconds']:.2f}", f"{row['per_second']:.1f}",
                     ", ".join(f"{r[key]['per_second']:.0f}" for r in rounds)))
    table(f"Push fan-out: {args.referrals} referrals x {args.subscribers} navigator subscriptions = {total} "
          f"alerts{latency}; median of {len(rounds)} alternating round(s)", rows)
    print(f"\n  queue rate / plain rate: {queued['per_second'] / plain['per_second']:.2f}; "
          f"queue overhead: {overhead:+.0%} (target: under +{TARGET_OVERHEAD:.0%}); "
          f"hand-over (commit -> all jobs enqueued): {queued['hand_over_seconds']:.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    name = "push_fanout" + (f"_latency{args.push_latency_ms:g}ms" if args.push_latency_ms else "")
    save(name, {"referrals": args.referrals, "subscribers": args.subscribers,
                "push_latency_ms": args.push_latency_ms,
                "database": "postgresql" if args.database_url else "sqlite", "plain": plain, "queued": queued,
                "rounds": rounds, "ratio": queued["per_second"] / plain["per_second"], "overhead": overhead,
                "target_overhead": TARGET_OVERHEAD, "load_average": os.getloadavg()})


def _median(rows) -> dict:
    ordered = sorted(rows, key=lambda r: r["seconds"])
    return ordered[len(ordered) // 2]


if __name__ == "__main__":
    main()
