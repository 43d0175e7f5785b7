"""Flask extensions, created unbound so the factory can bind them to any app."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from app.rest import HelpApi

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Objects stay readable after a commit: the sign-in check commits early (see auth/guard.py) and the
# request goes on using the user it loaded, without a refresh that would take the write lock again.
db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION), session_options={"expire_on_commit": False})

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.orm import DeclarativeBase

    class Model(DeclarativeBase):
        """What a type checker sees of db.Model, which Flask-SQLAlchemy builds at run time."""

        __table__: ClassVar[Table]  # every model maps one table
else:
    Model = db.Model  # the base class of every model

migrate = Migrate(compare_type=True, render_as_batch=True)
api = HelpApi()

# Engine event handlers, attached by app/wiring.py.


def sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL, a busy timeout and enforced foreign keys for every SQLite connection.

    pysqlite's own transaction handling is switched off (isolation_level=None) so that
    SQLAlchemy's BEGIN/SAVEPOINT statements mean what they say (per-entry savepoints in sync).
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sqlite_begin(conn) -> None:
    """Emit BEGIN IMMEDIATE ourselves on SQLite.

    Every request may write (audited reads, session activity), and a deferred transaction that
    reads and then writes fails at once with SQLITE_BUSY when another writer committed in between;
    taking the write lock up front makes writers queue on the busy timeout instead.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
