"""Exact distinct counts over any period: people engaged, people taken in, calls for service.

Subjects (a person, or a call number) are counted once per period however often they appear, so
these figures cannot be added up from the daily rollup, and counting them from the records slows
down with the length of the period (five years at a million encounters: seconds). Instead:

- `distinct_months` holds one row per (measure, subject, scope, month) in which the subject counted,
  with the subject's `previous` and `next` month in that measure and scope. The scopes are the unit
  ("*"), each team ("t<id>") and each group of teams ("g<group>"), so a group counts a person met by
  two of its teams once.
- `distinct_month_pairs` counts those rows by (measure, scope, month, previous). The subjects that
  counted in the whole months [a, b] are exactly the rows with a <= month <= b and previous < a (each
  subject's first month in the range), so a five-year count sums a few thousand pair rows.
- The partial months at a period's ends are read from the records (at most a month each side); a
  subject met there is new to the period unless its row of that month points (`next` on the left,
  `previous` on the right) into the whole months. Reading a period: app/stats/distinct_period.py.

Kept in step on write, like the daily rollup, but by recomputing: every subject a transaction
touched (an encounter or case inserted, an encounter amended or voided, two people merged, a team
moved to another group) is noted, and just before the transaction commits its rows are rebuilt from
its records and the pair counts moved by the difference. A recount from the records therefore always
equals the tables (tests/test_stats_distinct.py checks it after corrections and merges). On
PostgreSQL the recomputation first takes a transaction-level advisory lock per bucket of subjects (in
bucket order), so two transactions that both wrote a person's encounters recompute one after the
other, the second seeing the first's committed rows (READ COMMITTED).
"""

from __future__ import annotations

import itertools
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from app.cases.models import Case
from app.directory.models import Team
from app.encounters.models import Encounter
from app.extensions import db
from app.stats.models import DISTINCT_MEASURES, NO_MONTH, NO_TEAM, DistinctMonth, DistinctMonthPair

PEOPLE, INTAKES, CALLS = DISTINCT_MEASURES
UNIT = "*"
PairKey = tuple[str, str, date, date]  # measure, scope, month, previous

_ROWS = DistinctMonth.__table__
_PAIRS = DistinctMonthPair.__table__
_PENDING = "help_distinct_pending"
_REGROUPED = "help_distinct_regrouped"
_CHUNK = 500
_BATCH = 10_000
_LOCK_CLASS = 0x48454C50  # "HELP"
_LOCK_BUCKETS = 256


def team_scope(team_id: int | None) -> str:
    return f"t{NO_TEAM if team_id is None else team_id}"


def group_scope(group: str | None) -> str:
    return f"g{group or ''}"


def scopes_of(team_id: int | None, groups: Mapping[int, str | None]) -> tuple[str, str, str]:
    """The unit, the team (NO_TEAM: staff without a team) and its group ("g": none)."""
    return UNIT, team_scope(team_id), group_scope(groups.get(team_id) if team_id is not None else None)


def team_groups(session: Session | None = None) -> dict[int, str | None]:
    session = session or db.session()
    return {team_id: group for team_id, group in session.execute(sa.select(Team.id, Team.group))}


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


# ---- noting what a transaction touched (listeners connected in app/wiring.py) --------------------

def _note(measure: str, subjects: Iterable[Any], session: Session | None = None) -> None:
    session = session or db.session()
    pending: dict[str, set[str]] = session.info.setdefault(_PENDING, defaultdict(set))
    pending[measure].update(str(s) for s in subjects if s is not None)


def _getter(record: Any):
    return record.get if isinstance(record, Mapping) else partial(getattr, record)


def on_records_inserted(model: type, *, rows: list[Any]) -> None:
    """Encounters: their people and their calls (primary responses); cases: their people."""
    if model is Encounter:
        gets = [_getter(row) for row in rows]
        _note(PEOPLE, (get("person_id") for get in gets))
        _note(CALLS, (get("call_number") for get in gets if get("kind") == "primary_response"))
    elif model is Case:
        _note(INTAKES, (_getter(row)("person_id") for row in rows))


def on_encounter_moved(encounter: Any, *, before: Mapping[str, Any]) -> None:
    """An encounter amended (day, kind, person, call number, ...) or voided: its old and new subjects."""
    _note(PEOPLE, (before.get("person_id"), encounter.person_id))
    _note(CALLS, [before.get("call_number")] if before.get("kind") == "primary_response" else [])
    _note(CALLS, [encounter.call_number] if encounter.kind == "primary_response" else [])


def on_persons_merged(kept_id: str, *, duplicate_id: str) -> None:
    """The duplicate's encounters and cases now name the person kept: both are recounted."""
    _note(PEOPLE, (kept_id, duplicate_id))
    _note(INTAKES, (kept_id, duplicate_id))


def on_team_group_set(team: Team, value: Any, oldvalue: Any, _initiator: Any) -> None:
    """Team.group set (attribute event): a team moved to another group moves its subjects' group rows."""
    if team.id is not None and value != oldvalue:
        session = db.session()
        session.info.setdefault(_REGROUPED, set()).add(team.id)


def write_pending(session: Session) -> None:
    """Session before_commit (attached by app/wiring.py, after the daily rollup's)."""
    if session.in_nested_transaction():
        return
    pending: dict[str, set[str]] = session.info.pop(_PENDING, None) or {}
    regrouped: set[int] = session.info.pop(_REGROUPED, None) or set()
    if not pending and not regrouped:
        return
    session.flush()
    if regrouped:
        pending = {measure: set(subjects) for measure, subjects in pending.items()}
        for measure in DISTINCT_MEASURES:
            for chunk in chunks(sorted(regrouped)):
                source = _source(measure).where(_source_team(measure).in_(chunk))
                pending.setdefault(measure, set()).update(str(s) for s, *_rest in session.execute(source))
    recompute(pending, session)


def forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """Session after_soft_rollback: a whole transaction rolled back notes nothing. (A savepoint's
    subjects stay noted: recounting a subject from its records is right whether or not it changed.)"""
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_REGROUPED, None)


# ---- computing rows from the records --------------------------------------------------------------

def _source(measure: str) -> sa.Select:
    """(subject, local day, team_id) of every record that counts for the measure, ordered by subject."""
    if measure == PEOPLE:
        return (sa.select(Encounter.person_id, Encounter.occurred_on, Encounter.team_id)
                .where(Encounter.person_id.is_not(None), Encounter.voided.is_(False)))
    if measure == INTAKES:
        return sa.select(Case.person_id, Case.opened_on, Case.team_id)
    return (sa.select(Encounter.call_number, Encounter.occurred_on, Encounter.team_id)
            .where(Encounter.kind == "primary_response", Encounter.call_number.is_not(None),
                   Encounter.voided.is_(False)))


def _source_subject(measure: str) -> Any:
    return {PEOPLE: Encounter.person_id, INTAKES: Case.person_id, CALLS: Encounter.call_number}[measure]


def _source_team(measure: str) -> Any:
    return Case.team_id if measure == INTAKES else Encounter.team_id


def rows_for(measure: str, occurrences: Iterable[tuple[Any, date, int | None]],
             groups: Mapping[int, str | None]) -> Iterator[dict[str, Any]]:
    """distinct_months rows for the occurrences (subject, day, team_id), any order."""
    months: dict[tuple[str, str], set[date]] = defaultdict(set)
    for subject, day, team_id in occurrences:
        for scope in scopes_of(team_id, groups):
            months[(str(subject), scope)].add(month_of(day))
    for (subject, scope), held in months.items():
        ordered = sorted(held)
        for index, month in enumerate(ordered):
            yield {"measure": measure, "month": month, "scope": scope, "subject": subject,
                   "previous": ordered[index - 1] if index else None,
                   "next": ordered[index + 1] if index + 1 < len(ordered) else None}


def _pair(row: Mapping[str, Any]) -> PairKey:
    return (row["measure"], row["scope"], row["month"], row["previous"] or NO_MONTH)


def recount() -> tuple[set[tuple], Counter[PairKey]]:
    """What both tables should hold, from the records: (distinct_months rows as tuples, pair totals)."""
    groups = team_groups()
    rows: set[tuple] = set()
    pairs: Counter[PairKey] = Counter()
    for measure in DISTINCT_MEASURES:
        for row in rows_for(measure, db.session.execute(_source(measure)), groups):
            rows.add(tuple(row[c.name] for c in _ROWS.columns))
            pairs[_pair(row)] += 1
    return rows, pairs


def stored() -> tuple[set[tuple], Counter[PairKey]]:
    """What both tables hold now, in recount()'s form."""
    rows = {tuple(row) for row in db.session.execute(sa.select(*_ROWS.columns))}
    pairs = Counter({(m, s, month, previous): total for m, s, month, previous, total
                     in db.session.execute(sa.select(*_PAIRS.columns))})
    return rows, pairs


def recompute(pending: Mapping[str, set[str]], session: Session) -> None:
    """Rebuild the rows of the subjects noted, from their records, and move the pair counts."""
    _lock(pending, session)
    groups = team_groups(session)
    delta: Counter[PairKey] = Counter()
    for measure, subjects in sorted(pending.items()):
        for chunk in chunks(sorted(subjects)):
            mine = (_ROWS.c.measure == measure) & _ROWS.c.subject.in_(chunk)
            for month, scope, previous in session.execute(sa.select(_ROWS.c.month, _ROWS.c.scope, _ROWS.c.previous)
                                                          .where(mine)):
                delta[(measure, scope, month, previous or NO_MONTH)] -= 1
            session.execute(sa.delete(_ROWS).where(mine))
            source = _source(measure).where(_source_subject(measure).in_(chunk))
            new = list(rows_for(measure, session.execute(source), groups))
            if new:
                session.execute(sa.insert(_ROWS), new)
            delta.update(_pair(row) for row in new)
    add_pairs(delta, session)


def _lock(pending: Mapping[str, set[str]], session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: one writer at a time already
    buckets = sorted({zlib.crc32(f"{measure}:{subject}".encode()) % _LOCK_BUCKETS
                      for measure, subjects in pending.items() for subject in subjects})
    for bucket in buckets:
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:kind, :bucket)"),
                        {"kind": _LOCK_CLASS, "bucket": bucket})


def add_pairs(delta: Mapping[PairKey, int], session: Session | None = None) -> None:
    """Move the pair totals by `delta` (sorted upserts, as the rollup), dropping rows that reach zero."""
    session = session or db.session()
    rows: list[dict[str, Any]] = [{"measure": m, "scope": s, "month": month, "previous": previous, "total": n}
            for (m, s, month, previous), n in sorted(delta.items()) if n]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(_PAIRS) if dialect == "postgresql" else sqlite.insert(_PAIRS)
    session.execute(insert.on_conflict_do_update(
        index_elements=[c.name for c in _PAIRS.primary_key.columns],
        set_={"total": _PAIRS.c.total + insert.excluded.total}), rows)
    emptied = [{f"k_{c}": row[c] for c in ("measure", "scope", "month", "previous")} for row in rows if row["total"] < 0]
    if emptied:
        session.execute(sa.delete(_PAIRS).where(
            _PAIRS.c.total == 0, *(_PAIRS.c[c] == sa.bindparam(f"k_{c}") for c in ("measure", "scope", "month", "previous"))),
            emptied)


def rebuild(session: Session | None = None) -> int:
    """Replace both tables with a recount from the records (the migration, bulk loaders, repairs);
    returns the rows written. Streams each measure's records in subject order. Run it while nothing writes."""
    session = session or db.session()
    session.execute(sa.delete(_ROWS))
    session.execute(sa.delete(_PAIRS))
    groups = team_groups(session)
    pairs: Counter[PairKey] = Counter()
    written = 0
    for measure in DISTINCT_MEASURES:
        source = _source(measure).order_by(_source_subject(measure))
        result = session.execute(source.execution_options(yield_per=_BATCH))
        batch: list[dict[str, Any]] = []
        for _subject, occurrences in itertools.groupby(result, key=lambda row: row[0]):
            for row in rows_for(measure, occurrences, groups):
                batch.append(row)
                pairs[_pair(row)] += 1
            if len(batch) >= _BATCH:
                session.execute(sa.insert(_ROWS), batch)
                written += len(batch)
                batch = []
        if batch:
            session.execute(sa.insert(_ROWS), batch)
            written += len(batch)
    add_pairs(pairs, session)
    return written


def chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]
