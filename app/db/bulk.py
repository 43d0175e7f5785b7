"""Bulk insert-or-ignore for every field record, in each dialect's fastest form that keeps the
primary key the judge of a duplicate."""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def insert_or_ignore(model: Any, rows: list[dict[str, Any]]) -> set[str]:
    """Insert rows whose id is new; returns the ids actually inserted.

    The primary key decides (INSERT ... ON CONFLICT DO NOTHING), not a read before the write, so two
    deliveries of the same entry racing each other can never both insert. Every row has the same keys.

    On PostgreSQL (psycopg) the rows go as one array per column, `INSERT ... SELECT * FROM unnest(...)`:
    the statement text is the same for any number of rows, so psycopg converts its placeholders once
    and caches that, instead of re-parsing a 12,000-placeholder VALUES list on every batch. Rows or
    tables it cannot send that way (see _unnest_plan and _unnest_arrays) take the general statement.
    """
    if not rows:
        return set()
    table = model.__table__
    connection = db.session.connection(bind_arguments={"clause": table})
    dialect = connection.dialect
    if dialect.name == "postgresql":
        plan = _unnest_plan(dialect, table, tuple(rows[0]))
        arrays = _unnest_arrays(plan, rows) if plan is not None else None
        if plan is not None and arrays is not None:
            return {str(row_id) for row_id in connection.exec_driver_sql(plan.sql, arrays).scalars()}
    elif dialect.name == "sqlite":
        sqlite_plan = _sqlite_plan(dialect, table, tuple(rows[0]))
        if sqlite_plan is not None and all(row.keys() == rows[0].keys() for row in rows):
            return _sqlite_insert_or_ignore(connection, sqlite_plan, rows)
    return _insert_with_values(table, rows, dialect.name)


def insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """Plain INSERT of rows that all have the same keys (an executemany), e.g. a batch's audit rows.

    On SQLite the values are bind-processed here and go to the driver's executemany as tuples: what
    SQLAlchemy's executemany stores, without its per-row parameter bookkeeping (a third of the cost of
    a 500-row batch). Elsewhere, and for tables the plan cannot take, SQLAlchemy's own executemany.
    """
    if not rows:
        return
    table = model.__table__
    connection = db.session.connection(bind_arguments={"clause": table})
    dialect = connection.dialect
    if dialect.name == "sqlite":
        plan = _sqlite_plan(dialect, table, tuple(rows[0]))
        if plan is not None and all(row.keys() == rows[0].keys() for row in rows):
            connection.exec_driver_sql(plan.insert_sql, plan.values(rows))
            return
    db.session.execute(sa.insert(table), rows)


def _insert_with_values(table: sa.Table, rows: list[dict[str, Any]], dialect_name: str) -> set[str]:
    """The general statement: SQLAlchemy's INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING id."""
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
    return {str(row_id) for row_id in db.session.execute(statement, rows).scalars()}


# --- PostgreSQL: one array per column ---------------------------------------------------------------

@dataclass(frozen=True)
class _ArrayColumn:
    """How one column's values become one array parameter."""

    param: str
    key: str | None  # the rows' key; None: absent from the rows, filled with `default` (a scalar)
    default: Any
    process: Callable[[Any], Any] | None  # the type's bind processing, as SQLAlchemy applies it
    accepts: tuple[type, ...]  # the Python types (exactly) the array may hold after processing
    is_datetime: bool


@dataclass(frozen=True)
class _UnnestPlan:
    sql: str
    columns: tuple[_ArrayColumn, ...]


# Column types (after TypeDecorators, by the dialect type's visit name) sent as arrays, with the
# Python values each array may hold. Strings are cast to unbounded VARCHAR/TEXT as SQLAlchemy's own
# bind casts do: casting to VARCHAR(n) would silently cut an over-long value instead of failing.
_STRING_TYPES = {"string": "VARCHAR", "VARCHAR": "VARCHAR", "unicode": "VARCHAR", "NVARCHAR": "VARCHAR",
                 "text": "TEXT", "TEXT": "TEXT", "unicode_text": "TEXT"}
_ARRAY_VALUES: dict[str, tuple[type, ...]] = {
    **{name: (str,) for name in _STRING_TYPES},
    "uuid": (str, uuid.UUID), "UUID": (str, uuid.UUID),
    "integer": (int,), "INTEGER": (int,), "small_integer": (int,), "SMALLINT": (int,),
    "big_integer": (int,), "BIGINT": (int,),
    "float": (float, int), "FLOAT": (float, int), "double": (float, int), "DOUBLE": (float, int),
    "double_precision": (float, int), "DOUBLE_PRECISION": (float, int), "REAL": (float, int),
    "boolean": (bool,), "BOOLEAN": (bool,),
    "date": (date,), "DATE": (date,),
    "datetime": (datetime,), "DATETIME": (datetime,), "TIMESTAMP": (datetime,),
}
_JSON_TYPES = ("JSON", "JSONB")

_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dialect -> {(table, keys): plan}


def _unnest_plan(dialect: Any, table: sa.Table, keys: tuple[str, ...]) -> _UnnestPlan | None:
    """The statement and per-column recipe for rows with these keys, built once; None: not possible."""
    per_dialect = _plans.setdefault(dialect, {})
    try:
        return per_dialect[(table, keys)]
    except KeyError:
        plan = per_dialect[(table, keys)] = _build_unnest_plan(dialect, table, keys)
        return plan


def _build_unnest_plan(dialect: Any, table: sa.Table, keys: tuple[str, ...]) -> _UnnestPlan | None:
    if dialect.driver != "psycopg" or "id" not in table.c or len(set(keys)) != len(keys):
        return None
    targets = _insert_targets(table, keys)
    if targets is None:
        return None
    preparer = dialect.identifier_preparer
    columns, names, arrays = [], [], []
    for index, (column, key, default) in enumerate(targets):
        stored = column.type.dialect_impl(dialect)
        while isinstance(stored, sa.types.TypeDecorator):
            stored = stored.impl_instance
        visit = stored.__visit_name__
        if isinstance(stored, sa.Enum) or (visit not in _ARRAY_VALUES and visit not in _JSON_TYPES):
            return None
        if visit in _JSON_TYPES:
            # The JSON bind processing wraps each value in psycopg's Json/Jsonb (a value that is itself a
            # list stays one element); psycopg serializes them into a JSON[] as it would one by one.
            from psycopg.types.json import Json, Jsonb

            accepts: tuple[type, ...] = (Json, Jsonb)
            cast = dialect.type_compiler_instance.process(stored)
        else:
            accepts = _ARRAY_VALUES[visit]
            cast = _STRING_TYPES.get(visit) or dialect.type_compiler_instance.process(stored)
        param = f"c{index}"
        columns.append(_ArrayColumn(param=param, key=key, default=default,
                                    process=column.type.dialect_impl(dialect).bind_processor(dialect),
                                    accepts=accepts, is_datetime=accepts == (datetime,)))
        names.append(preparer.quote(column.name).replace("%", "%%"))
        arrays.append(f"%({param})s::{cast}[]")
    sql = (f"INSERT INTO {preparer.format_table(table).replace('%', '%%')} ({', '.join(names)}) "
           f"SELECT * FROM unnest({', '.join(arrays)}) "
           f"ON CONFLICT ({preparer.quote('id')}) DO NOTHING RETURNING {preparer.quote('id')}")
    return _UnnestPlan(sql=sql, columns=tuple(columns))


def _unnest_arrays(plan: _UnnestPlan, rows: list[dict[str, Any]]) -> dict[str, list[Any]] | None:
    """One list per column, bind-processed; None when a value would not go into an array as it goes alone.

    psycopg refuses lists mixing Python types, and a list inside a list would become a second
    dimension: such rows take the general statement, as do rows whose keys differ.
    """
    keys = rows[0].keys()
    if any(row.keys() != keys for row in rows):
        return None
    arrays: dict[str, list[Any]] = {}
    for column in plan.columns:
        if column.key is None:
            values = [column.default] * len(rows)
        else:
            key = column.key
            values = [row[key] for row in rows]
        if column.process is not None:
            process = column.process
            values = [process(value) for value in values]
        kinds = set(map(type, values))
        kinds.discard(type(None))
        if len(kinds) > 1 or (kinds and kinds.pop() not in column.accepts):
            return None
        if column.is_datetime and len({value.tzinfo is None for value in values if value is not None}) > 1:
            return None
        arrays[column.param] = values
    return arrays


# --- SQLite: one multi-row VALUES statement, values bind-processed once --------------------------------

# SQLite's default limit on host parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
_SQLITE_MAX_PARAMETERS = 32_766


@dataclass(frozen=True)
class _SqlitePlan:
    insert_sql: str  # INSERT INTO t (...) VALUES (?, ...): one row, for executemany
    prefix: str  # INSERT INTO t (...) VALUES
    row_marks: str  # (?, ?, ...)
    suffix: str  # ON CONFLICT (id) DO NOTHING RETURNING id
    keys: tuple[str | None, ...]  # the rows' key per column; None: filled with the column's scalar default
    defaults: tuple[Any, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    id_processor: Callable[[Any], Any] | None

    def values(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """Each row's bind-processed values, in the statement's order (column by column: fewer calls)."""
        columns = []
        for key, default, process in zip(self.keys, self.defaults, self.processors, strict=True):
            values = [row[key] for row in rows] if key is not None else [default] * len(rows)
            columns.append(list(map(process, values)) if process is not None else values)
        return list(zip(*columns, strict=True))


_sqlite_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dialect -> {(table, keys): plan}


def _sqlite_plan(dialect: Any, table: sa.Table, keys: tuple[str, ...]) -> _SqlitePlan | None:
    per_dialect = _sqlite_plans.setdefault(dialect, {})
    try:
        return per_dialect[(table, keys)]
    except KeyError:
        plan = per_dialect[(table, keys)] = _build_sqlite_plan(dialect, table, keys)
        return plan


def _insert_targets(table: sa.Table, keys: tuple[str, ...]) -> list[tuple[sa.Column, str | None, Any]] | None:
    """The columns an INSERT of rows with these keys writes: (column, the rows' key, or None and a scalar
    default). None when a key is unknown or a Python-side default is computed per row (the general
    statement handles those); columns without a default are left to the server, as SQLAlchemy does."""
    if any(key not in table.c for key in keys):
        return None
    targets: list[tuple[sa.Column, str | None, Any]] = [(table.c[key], key, None) for key in keys]
    for column in table.c:
        if column.key in keys or column.default is None:
            continue
        default = column.default
        if not (isinstance(default, sa.ColumnDefault) and default.is_scalar):
            return None
        targets.append((column, None, default.arg))
    return targets


def _build_sqlite_plan(dialect: Any, table: sa.Table, keys: tuple[str, ...]) -> _SqlitePlan | None:
    """The statement and bind processing SQLAlchemy would use for rows with these keys; None: not possible
    (an unknown key, a Python-side default computed per row: the general statement handles those)."""
    if len(set(keys)) != len(keys):
        return None
    targets = _insert_targets(table, keys)
    if targets is None:
        return None
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(column.name) for column, _key, _default in targets)
    marks = "(" + ", ".join("?" for _ in targets) + ")"
    prefix = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES "
    id_processor = None
    suffix = ""
    if "id" in table.c:
        id_column = table.c["id"]
        id_processor = id_column.type.dialect_impl(dialect).result_processor(dialect, None)
        quoted_id = preparer.quote(id_column.name)
        suffix = f" ON CONFLICT ({quoted_id}) DO NOTHING RETURNING {quoted_id}"
    return _SqlitePlan(
        insert_sql=prefix + marks, prefix=prefix, row_marks=marks, suffix=suffix,
        keys=tuple(key for _column, key, _default in targets),
        defaults=tuple(default for _column, _key, default in targets),
        processors=tuple(column.type.dialect_impl(dialect).bind_processor(dialect)
                         for column, _key, _default in targets),
        id_processor=id_processor)


def _sqlite_insert_or_ignore(connection: Any, plan: _SqlitePlan, rows: list[dict[str, Any]]) -> set[str]:
    """INSERT ... VALUES (...), (...) ON CONFLICT (id) DO NOTHING RETURNING id, in as few statements as
    SQLite's parameter limit allows; the ids inserted, as SQLAlchemy returns them."""
    per_statement = max(1, _SQLITE_MAX_PARAMETERS // len(plan.keys))
    inserted: set[str] = set()
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        parameters: list[Any] = []
        for values in plan.values(chunk):
            parameters.extend(values)
        sql = plan.prefix + ", ".join([plan.row_marks] * len(chunk)) + plan.suffix
        returned = connection.exec_driver_sql(sql, tuple(parameters)).scalars()
        process = plan.id_processor
        inserted.update(str(process(value)) if process is not None else str(value) for value in returned)
    return inserted
