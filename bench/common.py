"""Shared pieces of the benchmarks: a scratch database, a demo account, printing and saving figures."""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "steady-measure-2048"


def prepare_database(url: str, instance: Path, *, migrated: bool = False) -> None:
    """Empty schema plus reference data and a bench officer.

    The schema comes from the models (drop_all/create_all), or with `migrated` from the app's own
    migrations (`flask db upgrade` on an empty database: the DDL a deployment runs).
    """
    from app import create_app
    from app.auth.services import create_user
    from app.demo.seed import seed_reference_data
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "APP_ENV": "test"})
    app.instance_path = str(instance)
    with app.app_context():
        if migrated:
            import contextlib
            import io

            from flask_migrate import upgrade

            with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines, one set per database
                upgrade(directory=str(ROOT / "migrations"))
        else:
            db.drop_all()
            db.create_all()
        seed_reference_data()
        create_user("bench", "officer", BENCH_PASSWORD, team="Downtown HELP")
        db.session.commit()
        db.engine.dispose()


@contextmanager
def postgres_cluster() -> Iterator:
    """A throwaway PostgreSQL cluster, as the tests start one (testkit/services.py); stopped after."""
    from testkit.services import PostgresCluster

    cluster = PostgresCluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


class KeptPostgres:
    """A PostgreSQL cluster whose data directory outlives the run (bench --keep/--reuse): started from
    `directory`/data when it exists (initdb otherwise), stopped cleanly after, never removed."""

    def __init__(self, directory: Path) -> None:
        from testkit.services import PostgresCluster

        directory.mkdir(parents=True, exist_ok=True)
        self.cluster = PostgresCluster(workdir=directory)

    def __enter__(self) -> KeptPostgres:
        from testkit.services import _pg_bin

        cluster = self.cluster
        if not (cluster.workdir / "data").exists():
            cluster.start()
        else:
            if (cluster.workdir / "data" / "postmaster.pid").exists():
                raise RuntimeError(f"A PostgreSQL server already runs on {cluster.workdir / 'data'} "
                                   "(another bench, or one left behind: stop it with pg_ctl -D ... stop).")
            options = (f"-p {cluster.port} -k {cluster.workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            cluster._run([str(_pg_bin("pg_ctl")), "-D", str(cluster.workdir / "data"), "-l",
                          str(cluster.workdir / "pg.log"), "-w", "-o", options, "start"])
        return self

    def url(self, database: str) -> str:
        """The database's URL, created when missing."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.cluster.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{database}"')
        return self.cluster.url(database)

    def __exit__(self, *_exc: object) -> None:
        from testkit.services import _pg_bin

        self.cluster._run([str(_pg_bin("pg_ctl")), "-D", str(self.cluster.workdir / "data"), "-m", "fast", "stop"])


def on_postgres(option: str, database: str, measure: Callable[[str], dict]) -> dict | None:
    """`measure(url)` on PostgreSQL. `option`: a URL (its tables are the bench's to drop), "auto" (a throwaway
    cluster like the tests', stopped after) or "none". Without PostgreSQL here it says so and answers None,
    so the SQLite figures still stand."""
    if option == "none":
        return None
    if option != "auto":
        return measure(option)
    from testkit.services import PostgresCluster

    cluster = PostgresCluster()
    try:
        try:
            cluster.start()
            url = cluster.create_database(database)
        except Exception as exc:  # noqa: BLE001  (no PostgreSQL here: say so, keep the SQLite figures)
            print(f"\nPostgreSQL skipped: {exc}")
            return None
        return measure(url)
    finally:
        cluster.stop()


def table(title: str, rows: list[tuple]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def save(name: str, figures: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    figures = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}, **figures}
    path.write_text(json.dumps(figures, indent=2))
    print(f"\nfigures written to {path.relative_to(ROOT)}")
    return path
