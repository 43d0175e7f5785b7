"""The push side as real processes, for tests that kill things: a Web Push receiver that also reports
every message it got, and `python -m workers`, which can be killed with -9 and started again.

The receiver runs as `python -m testkit.push_processes --port N`: the receiver of
push_receiver.py (VAPID checked, aes128gcm decrypted) plus `GET /received`, which lists every POST
it got as {"device_id", "status", "payload", "problem"} (payload: the decrypted JSON, or null).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from testkit.push_receiver import PushReceiver
from testkit.services import _wait_for_port, free_port

ROOT = Path(__file__).resolve().parents[1]


def _spawn(command: list[str], log_path: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115  (the child writes to it; closed when the child is gone)
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _end(process: subprocess.Popen | None, signum: int, timeout: float = 10) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signum)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class ReceiverProcess:
    """The push service and the phones' browsers, in a process of its own."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ReceiverProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = _spawn([sys.executable, "-m", "testkit.push_processes", "--port", str(self.port)],
                              self.workdir / f"receiver-{self.port}.log")
        _wait_for_port(self.port)
        return self

    def new_devices(self, count: int) -> list[dict[str, Any]]:
        """Subscriptions as PushSubscription.toJSON() gives them; the device id ends the endpoint."""
        return requests.post(f"{self.url}/devices?n={count}", timeout=30).json()

    def received(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.url}/received", timeout=30).json()

    def stop(self) -> None:
        _end(self.process, signal.SIGTERM)
        self.process = None


class WorkerProcess:
    """`python -m workers` with a short periodic flush; kill() is kill -9 of it and its children."""

    def __init__(self, workdir: Path, env: dict[str, str], *, flush_interval: float = 1.0):
        self.workdir = workdir
        self.env = env
        self.flush_interval = flush_interval
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = _spawn([sys.executable, "-m", "workers", "--flush-interval", str(self.flush_interval)],
                              self.workdir / "worker.log", self.env)
        return self

    def pause(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        _end(self.process, signal.SIGKILL)
        self.process = None

    def kill_between_sends(self, holds_a_claim: Callable[[], bool], work_waiting: Callable[[], bool] = lambda: True,
                           timeout: float = 15) -> int:
        """kill -9 at a moment the worker holds no delivery claim and has work waiting; returns the tries.

        A worker killed after its claim is committed leaves that delivery to the claim's lease
        (app/push/jobs.py LEASE, minutes), and if its POST had reached the push service the alert is
        sent again once the lease lapses: at-least-once, which no test of "exactly once" can hold.
        So: stop the process, let in-flight database commits land, wait (stopped) for work to
        queue up, look, and kill only if no claim is held; else let it run a moment and try again.
        """
        deadline = time.monotonic() + timeout
        tries = 0
        while True:
            tries += 1
            self.pause()
            time.sleep(0.05)
            patience = time.monotonic() + 2
            while not work_waiting() and time.monotonic() < patience:
                time.sleep(0.05)
            if work_waiting() and not holds_a_claim():
                self.kill()
                return tries
            self.resume()
            if time.monotonic() > deadline:
                raise TimeoutError(f"no moment without a delivery claim and with work waiting in {tries} tries")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()  # a stopped process would not act on SIGTERM
        _end(self.process, signal.SIGTERM, timeout=15)
        self.process = None


def _add_received_log(receiver: PushReceiver) -> None:
    base = receiver._server.RequestHandlerClass

    class Handler(base):  # type: ignore[valid-type, misc]
        def do_GET(self) -> None:
            if self.path != "/received":
                super().do_GET()
                return
            listed = [{"device_id": r.device_id, "status": r.status, "problem": r.problem,
                       "payload": json.loads(r.plaintext) if r.plaintext else None}
                      for r in receiver.requests()]
            self._reply(200, json.dumps(listed).encode())

    receiver._server.RequestHandlerClass = Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Web Push receiver with GET /received (for fault-injection tests).")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    receiver = PushReceiver(port=args.port)
    _add_received_log(receiver)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"push receiver on {receiver.origin}", flush=True)
    receiver._server.serve_forever()


if __name__ == "__main__":
    main()
