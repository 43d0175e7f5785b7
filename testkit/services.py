"""Throwaway Redis servers and PostgreSQL clusters, started and stopped by the tests themselves."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


@dataclass
class RedisServer:
    """A redis-server on a free port that keeps nothing on disk; stop() and start() again at will."""

    workdir: Path
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--dir", str(self.workdir), "--pidfile", str(self.workdir / "redis.pid"),
             "--logfile", str(self.workdir / "redis.log")],
            check=True,
        )
        _wait_for_port(self.port)
        return self

    def stop(self) -> None:
        pidfile = self.workdir / "redis.pid"
        if not pidfile.exists():
            return
        pid = int(pidfile.read_text().strip() or 0)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
                time.sleep(0.02)
            except ProcessLookupError:
                break
        pidfile.unlink(missing_ok=True)


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb refuses root, so it runs as the postgres user)."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="help-pg-")))
    port: int = field(default_factory=free_port)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, command: list[str]) -> None:
        if os.geteuid() == 0:
            os.chown(self.workdir, *_postgres_ids())
            quoted = " ".join(f"'{c}'" for c in command)
            subprocess.run(["su", "postgres", "-c", quoted], check=True, capture_output=True)
        else:
            subprocess.run(command, check=True, capture_output=True)

    def start(self) -> PostgresCluster:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL server binaries are not installed (apt-get install postgresql)")
        data = self.workdir / "data"
        self._run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        options = (f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run([pg_ctl, "-D", str(data), "-l", str(self.workdir / "pg.log"), "-w", "-o", options, "start"])
        return self

    def stop(self) -> None:
        pg_ctl = _pg_bin("pg_ctl")
        if pg_ctl and (self.workdir / "data").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run([pg_ctl, "-D", str(self.workdir / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.workdir, ignore_errors=True)

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid
