"""The daily rollup: count records as they are written, read counts per day, rebuild from the records.

The rule that keeps it right: in the transaction that writes a record, count it exactly once: every
encounter, referral and case that was *inserted* (a duplicate or rejected entry inserts nothing and
counts nothing), and every referral at the moment it becomes accepted. Increments commute, so
concurrent syncs cannot lose counts the way a recomputation could. The counts follow the entry
services' events (app/entries/events.py), connected in app/wiring.py:
- records_inserted (store_once: encounters, referrals, cases inserted now) -> on_records_inserted
- referral_moved (referrals.services.change_status), status "accepted"      -> on_referral_moved
- encounter_moved (encounters.corrections: an amended day or kind, a void)  -> on_encounter_moved
  (the old key is subtracted and, unless voided, the new one added: an encounter counts once, on its
  day and kind now; a voided one counts nowhere, and the recount leaves it out)
tests/test_stats_rollup.py checks them through POST /sync and PATCH /referrals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from app.cases.models import Case
from app.encounters.models import Encounter
from app.extensions import db
from app.referrals.models import Referral
from app.savepoints import current_transaction, within
from app.stats.models import NO_TEAM, DailyAuthorCount, DailyTeamCount

# (day, measure, team_key, author_id): one count at the finest grain.
CountKey = tuple[date, str, int, int]
Record = Any  # a model instance or the row dict a bulk insert used

_TEAMS = DailyTeamCount.__table__
_AUTHORS = DailyAuthorCount.__table__
_KEY_COLUMNS = ("day", "measure", "team_key", "author_id")
_TEAM_KEY_COLUMNS = _KEY_COLUMNS[:3]  # the team grain has no author


def team_key(team_id: int | None) -> int:
    return NO_TEAM if team_id is None else team_id


def on_records_inserted(model: type, *, rows: list[Record]) -> None:
    """Count what store_once inserted now (connected in app/wiring.py): encounters by kind, referrals
    made, case intakes; other records are not counted."""
    counter = _COUNTED.get(model)
    if counter is not None:
        counter(rows)


def on_referral_moved(referral: Record, *, status: str) -> None:
    """A referral that has just become accepted counts as referrals_accepted (connected in app/wiring.py)."""
    if status == "accepted":
        record_referrals_accepted([referral])


def on_encounter_moved(encounter: Record, *, before: Mapping[str, Any]) -> None:
    """An encounter amended onto another day or kind, or voided (connected in app/wiring.py)."""
    record_encounter_moved(before, None if encounter.voided else encounter)


def record_encounter_moved(old: Record, new: Record | None) -> None:
    """Move one encounter's count from its old (day, kind) to its new one; None: voided, only subtract."""
    _record([old], "occurred_on", lambda get: get("kind"), sign=-1)
    if new is not None:
        record_encounters([new])


def record_encounters(encounters: Iterable[Record]) -> None:
    """Count encounters just inserted (each once; never a duplicate) on their occurred_on, by kind."""
    _record(encounters, "occurred_on", lambda get: get("kind"))


def record_referrals(referrals: Iterable[Record]) -> None:
    """Count referrals just inserted as referrals_made on their made_on."""
    _record(referrals, "made_on", lambda _get: "referrals_made")


def record_referrals_accepted(referrals: Iterable[Record]) -> None:
    """Count referrals that have just become accepted (accepted_on set) as referrals_accepted."""
    _record(referrals, "accepted_on", lambda _get: "referrals_accepted")


def record_case_intakes(cases: Iterable[Record]) -> None:
    """Count cases just inserted as case_intakes on their opened_on."""
    _record(cases, "opened_on", lambda _get: "case_intakes")


_COUNTED: dict[type, Callable[[Iterable[Record]], None]] = {
    Encounter: record_encounters, Referral: record_referrals, Case: record_case_intakes}


def _record(records: Iterable[Record], day_field: str, measure_of: Callable[[Callable], str], sign: int = 1) -> None:
    """Note the counts; they are written once, just before the transaction commits.

    Every sync of a team touches the same few rows (its days and kinds): written at once, a
    transaction would hold their locks through the rest of its work and writers would queue on
    PostgreSQL. Written last, sorted, in one statement per table, the locks last a moment and are
    always taken in the same order. Counts are noted against the innermost transaction: a savepoint
    that rolls back (an entry that failed) forgets its counts, and so does a rolled-back transaction.
    """
    session = db.session()
    by_transaction: dict[Any, Counter[CountKey]] = session.info.setdefault(_PENDING, {})
    pending = by_transaction.setdefault(current_transaction(session), Counter())
    for record in records:
        get: Callable[[str], Any] = record.get if isinstance(record, Mapping) else partial(getattr, record)
        day = get(day_field)
        if day is None:
            raise ValueError(f"Set {day_field} (the local day, app.records.local_day) before counting.")
        pending[(day, measure_of(get), team_key(get("team_id")), get("author_id"))] += sign


_PENDING = "help_rollup_pending"


def write_pending_counts(session: Session) -> None:
    """Session before_commit (attached by app/wiring.py)."""
    if session.in_nested_transaction():
        return  # a savepoint released: its counts wait for the outermost commit
    by_transaction = session.info.pop(_PENDING, None)
    if by_transaction:
        pending: Counter[CountKey] = Counter()
        for counts in by_transaction.values():
            pending.update(counts)
        session.flush()
        add_counts(pending, session)


def forget_rolled_back_counts(session: Session, previous_transaction: SessionTransaction) -> None:
    """Session after_soft_rollback (attached by app/wiring.py)."""
    by_transaction = session.info.get(_PENDING)
    if not by_transaction:
        return
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
        return
    for transaction in [t for t in by_transaction if within(t, previous_transaction)]:
        del by_transaction[transaction]


def add_counts(counts: Mapping[CountKey, int], session: Session | None = None) -> None:
    """Add pre-aggregated counts to both grains (bulk loaders that insert with Core statements use this)."""
    session = session or db.session()
    by_team: Counter[tuple[date, str, int]] = Counter()
    for (day, measure, team, _author), n in counts.items():
        by_team[(day, measure, team)] += n
    # Sorted keys: two transactions touching the same rows lock them in the same order (no deadlock).
    author_rows: list[dict[str, Any]] = [dict(zip(_KEY_COLUMNS, key, strict=True), total=n)
                                         for key, n in sorted(counts.items()) if n]
    team_rows: list[dict[str, Any]] = [dict(zip(_TEAM_KEY_COLUMNS, key, strict=True), total=n)
                                       for key, n in sorted(by_team.items()) if n]
    for table, rows in ((_TEAMS, team_rows), (_AUTHORS, author_rows)):
        if rows:
            session.execute(_upsert_statement(table, session), rows)
        # A count taken back (an encounter amended away or voided) may leave a row at zero: gone, so the
        # rollup holds exactly the recount's rows. Only rows this transaction has just locked are touched.
        key = _KEY_COLUMNS if table is _AUTHORS else _TEAM_KEY_COLUMNS
        emptied = [{f"key_{c}": row[c] for c in key} for row in rows if row["total"] < 0]
        if emptied:
            session.execute(sa.delete(table).where(
                table.c.total == 0, *(table.c[c] == sa.bindparam(f"key_{c}") for c in key)), emptied)


def _upsert_statement(table: sa.Table, session: Session) -> sa.Insert:
    dialect = session.get_bind().dialect.name
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise RuntimeError(f"The daily rollup supports SQLite and PostgreSQL, not {dialect}.")
    return statement.on_conflict_do_update(index_elements=[c.name for c in table.primary_key.columns],
                                           set_={"total": table.c.total + statement.excluded.total})


def counts_by_day(start: date, end: date, *, team_id: int | None = None,
                  user_id: int | None = None) -> list[tuple[date, str, int]]:
    """(day, measure, total) for every day and measure with something in [start, end]."""
    table = _TEAMS if user_id is None else _AUTHORS
    query = (sa.select(table.c.day, table.c.measure, sa.func.sum(table.c.total))
             .where(table.c.day.between(start, end)).group_by(table.c.day, table.c.measure))
    if team_id is not None:
        query = query.where(table.c.team_key == team_id)
    if user_id is not None:
        query = query.where(table.c.author_id == user_id)
    return [(day, measure, int(n)) for day, measure, n in db.session.execute(query)]


def counts_by_team(start: date, end: date) -> list[tuple[int | None, str, int]]:
    """(team_id or None, measure, total) over [start, end]."""
    query = (sa.select(_TEAMS.c.team_key, _TEAMS.c.measure, sa.func.sum(_TEAMS.c.total))
             .where(_TEAMS.c.day.between(start, end)).group_by(_TEAMS.c.team_key, _TEAMS.c.measure))
    return [(None if team == NO_TEAM else team, measure, int(n)) for team, measure, n in db.session.execute(query)]


def _sources() -> list[sa.Select]:
    """The GROUP BYs the rollup must always equal, one per kind of record."""
    def grouped(model, day_column, measure=None, label: str = "") -> sa.Select:
        keys = [day_column, model.team_id, model.author_id] + ([measure] if measure is not None else [])
        return (sa.select(day_column.label("day"),
                          (measure if measure is not None else sa.literal_column(f"'{label}'")).label("measure"),
                          sa.func.coalesce(model.team_id, NO_TEAM).label("team_key"),
                          model.author_id.label("author_id"), sa.func.count().label("total"))
                .where(day_column.is_not(None)).group_by(*keys))

    return [grouped(Encounter, Encounter.occurred_on, Encounter.kind).where(Encounter.voided.is_(False)),
            grouped(Referral, Referral.made_on, label="referrals_made"),
            grouped(Referral, Referral.accepted_on, label="referrals_accepted"),
            grouped(Case, Case.opened_on, label="case_intakes")]


def recount(start: date | None = None, end: date | None = None) -> dict[CountKey, int]:
    """What the rollup should hold, counted from the records themselves (for checks and rebuilds)."""
    counts: dict[CountKey, int] = {}
    for source in _sources():
        day = source.selected_columns.day
        if start is not None:
            source = source.where(day >= start)
        if end is not None:
            source = source.where(day <= end)
        for row in db.session.execute(source):
            counts[(row.day, row.measure, row.team_key, row.author_id)] = row.total
    return counts


def rebuild(start: date | None = None, end: date | None = None) -> int:
    """Replace both grains (all days, or [start, end]) with a recount; returns the finest-grain rows written.

    For the migration that introduces the tables and for repairs. Run it while nothing is being
    written for those days: a recount races with concurrent increments, which is why writes increment.
    """
    for table in (_TEAMS, _AUTHORS):
        wipe = sa.delete(table)
        if start is not None:
            wipe = wipe.where(table.c.day >= start)
        if end is not None:
            wipe = wipe.where(table.c.day <= end)
        db.session.execute(wipe)
    counts = recount(start, end)
    add_counts(counts)
    return len(counts)
