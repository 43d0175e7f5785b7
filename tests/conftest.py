"""Fixtures: the suite runs on SQLite and on PostgreSQL, with throwaway Redis and PostgreSQL servers.

Under CI=true a missing PostgreSQL or Redis fails the run instead of skipping.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db as _db
from testkit import factories
from testkit.client import ApiClient
from testkit.push_fixtures import (  # noqa: F401  (fixtures of tests/test_push_*.py)
    push_receiver,
    push_settings,
    push_world,
    rq_worker,
)
from testkit.services import PostgresCluster, RedisServer

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DATABASES = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption("--db", action="append", choices=DATABASES,
                     help="Run database tests on this database only (repeatable). Default: both.")


def pytest_generate_tests(metafunc):
    if "database_kind" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--db") or list(DATABASES)
        only = metafunc.definition.get_closest_marker("only_db")
        if only is not None:  # a behaviour one database has and the other has not: run it there only
            chosen = [kind for kind in chosen if kind in only.args]
        metafunc.parametrize("database_kind", chosen, scope="session")


def _unavailable(what: str, exc: Exception):
    message = f"{what} is not available: {exc}"
    if IN_CI:
        pytest.fail(message + " (CI=true: real services are required, not skipped)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def run_dir():
    with tempfile.TemporaryDirectory(prefix="help-field-tests-") as path:
        yield Path(path)


@pytest.fixture(scope="session")
def postgres_cluster():
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        yield url
        return
    cluster = PostgresCluster()
    try:
        cluster.start()
    except Exception as exc:  # noqa: BLE001  (any failure to start means: not available)
        cluster.stop()
        _unavailable("PostgreSQL", exc)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def redis_server(run_dir):
    server = RedisServer(run_dir / "redis")
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001
        _unavailable("Redis", exc)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(database_kind, run_dir, request):
    if database_kind == "sqlite":
        return f"sqlite:///{run_dir / 'suite.db'}"
    cluster = request.getfixturevalue("postgres_cluster")
    if isinstance(cluster, str):
        return cluster
    return cluster.create_database("help_field_suite")


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "APP_ENV": "test",
        "DEVELOPMENT": True,
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": None,
        "SESSION_COOKIE_SECURE": False,
        "VAPID_PRIVATE_KEY": None,
    }


@pytest.fixture(scope="session")
def app(database_url, run_dir):
    """One app per database for the whole run; tables made from the models (migrations are tested apart)."""
    instance = run_dir / "instance"
    application = create_app(base_config(database_url, instance))
    application.instance_path = str(instance)
    with application.app_context():
        _db.drop_all()
        _db.create_all()
        _db.engine.dispose()
    return application


@pytest.fixture
def db(app):
    """Rollback isolation: everything a test and its requests commit is undone afterwards.

    Requests made through the test client run in this thread and share the outer transaction;
    their commits release savepoints. Tests with threads or other processes use `committed_db`.
    """
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id
        )
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def committed_db(app):
    """Real commits visible to other threads and processes; every table is emptied afterwards."""
    with app.app_context():
        yield _db
        _db.session.remove()
        _empty_all_tables()


def _empty_all_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app, db):
    return ApiClient(app.test_client())


@pytest.fixture
def make_client(app):
    """More clients (a second phone, another user) against the same app."""
    return lambda: ApiClient(app.test_client())


@pytest.fixture
def team(db):
    return factories.make_team("Downtown HELP")


@pytest.fixture
def agency(db):
    return factories.make_agency("Hope Mission", services=["housing", "food", "addictions"])


@pytest.fixture
def officer(db, team):
    return factories.make_user("officer", team=team)


@pytest.fixture
def navigator(db, team, agency):
    return factories.make_user("navigator", team=team, agency=agency)


@pytest.fixture
def supervisor(db):
    return factories.make_user("supervisor")


@pytest.fixture
def admin(db):
    return factories.make_user("admin")


@pytest.fixture
def as_officer(client, officer):
    return client.sign_in_as(officer)


def count(model) -> int:
    """Rows of a table, read fresh from the database."""
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))
