"""A real HELP Field server process (gunicorn) for tests that kill, restart or race it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from testkit.services import _wait_for_port, free_port

ROOT = Path(__file__).resolve().parents[1]


class LiveServer:
    def __init__(self, database_url: str, workdir: Path, *, workers: int = 1, extra_env: dict | None = None,
                 config_file: Path | None = None, extra_args: list[str] | None = None):
        self.database_url = database_url
        self.workdir = workdir
        self.workers = workers
        self.extra_env = extra_env or {}
        self.config_file = config_file
        self.extra_args = extra_args or []
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "APP_ENV": "test", "SECRET_KEY": "test-secret-key", "DATABASE_URL": self.database_url,
               "PYTHONPATH": str(ROOT), **self.extra_env}
        env.pop("REDIS_URL", None) if "REDIS_URL" not in self.extra_env else None
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers",
                   str(self.workers), "--threads", "1", "--timeout", "60", "--graceful-timeout", "1"]
        if self.config_file is not None:
            command += ["--config", str(self.config_file)]
        command += self.extra_args
        command.append("wsgi:app")
        # The server keeps its own copy of the log's descriptor; ours is closed once it has started.
        with open(self.workdir / f"gunicorn-{self.port}.log", "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log,
                                            start_new_session=True)
        _wait_for_port(self.port, timeout=30)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, timeout: float = 60) -> None:
        """The master binds the port before its workers have loaded the app: wait for an answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the server on {self.url} did not become ready within {timeout}s")

    def kill(self) -> None:
        """kill -9 of the whole server (master and workers): no cleanup, no goodbyes."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


class Phone:
    """A phone talking HTTP to a live server: a cookie jar and the CSRF token from sign-in."""

    def __init__(self, server: LiveServer, username: str, password: str):
        self.server = server
        self.username, self.password = username, password
        self.http = requests.Session()
        self.csrf: str | None = None

    def sign_in(self) -> Phone:
        response = self.http.post(f"{self.server.url}/api/v1/auth/login",
                                  json={"username": self.username, "password": self.password}, timeout=30)
        response.raise_for_status()
        self.csrf = response.json()["csrf_token"]
        return self

    def sync(self, batch: dict, timeout: float = 60) -> requests.Response:
        return self.http.post(f"{self.server.url}/api/v1/sync", json=batch, timeout=timeout,
                              headers={"X-CSRF-Token": self.csrf or ""})


def wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear within {timeout}s")
        time.sleep(0.01)
