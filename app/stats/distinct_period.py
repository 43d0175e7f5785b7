"""Reading the distinct counts (app/stats/distinct.py) for a period of local days.

Whole months come from `distinct_month_pairs` (a sum of a few thousand rows for five years). A partial
month at either end is read from the records, unless nothing was recorded on its days outside the
period: then the period is as good as whole months there (a period from the first record, or to today,
needs no record read at all). A subject met in a partial month counts unless its row of that month in
`distinct_months` points into the whole months (`next` on the left, `previous` on the right): looked up
subject by subject for an edge of a few days, from the month's rows for a longer one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date, timedelta

import sqlalchemy as sa

from app.cases.models import Case
from app.encounters.models import Encounter
from app.extensions import db
from app.stats.distinct import CALLS, INTAKES, PEOPLE, chunks, month_of, next_month, scopes_of, team_groups
from app.stats.models import DISTINCT_MEASURES, DistinctMonth, DistinctMonthPair

_ROWS = DistinctMonth.__table__
_PAIRS = DistinctMonthPair.__table__


def counts(start: date, end: date) -> dict[str, Counter[str]]:
    """{measure: {scope: distinct subjects}} over the local days [start, end]."""
    start, end = _widened(start, end)
    first_full = month_of(start) if start.day == 1 else next_month(month_of(start))
    last_full = month_of(end) if next_month(month_of(end)) - timedelta(days=1) == end \
        else month_of(month_of(end) - timedelta(days=1))
    result: dict[str, Counter[str]] = {measure: Counter() for measure in DISTINCT_MEASURES}
    groups = team_groups()
    if first_full > last_full:  # under two months, no whole one: straight from the records
        for measure, [only] in _edge_subjects([(start, end)], groups).items():
            result[measure].update(scope for scope, _subject in only)
        return result

    whole = (sa.select(_PAIRS.c.measure, _PAIRS.c.scope, sa.func.sum(_PAIRS.c.total))
             .where(_PAIRS.c.month.between(first_full, last_full), _PAIRS.c.previous < first_full)
             .group_by(_PAIRS.c.measure, _PAIRS.c.scope))
    for measure, scope, n in db.session.execute(whole):
        result[measure][scope] += int(n)

    edges: list[tuple[date, date]] = []
    if start < first_full:
        edges.append((start, first_full - timedelta(days=1)))
    right_month = next_month(last_full)
    if end >= right_month:
        edges.append((right_month, end))
    if not edges:
        return result
    held_by_edge = _edge_subjects(edges, groups)
    for measure, per_edge in held_by_edge.items():
        new: set[tuple[str, str]] = set()
        for (edge_start, edge_end), held in zip(edges, per_edge, strict=True):
            if held:
                left = edge_start < first_full
                new.update(held - _counted_in_whole_months(measure, (edge_start, edge_end), held, left,
                                                           (first_full, last_full)))
        result[measure].update(scope for scope, _subject in new)
    return result


def _widened(start: date, end: date) -> tuple[date, date]:
    """The period with its partial end months made whole where that changes no count: when nothing was
    recorded (an encounter, voided or not, or a case) on the days of start's month before start, the
    period may as well start on the 1st; likewise up to the month's last day after `end`. A period
    from the first record's day to today is then whole months, answered from the pair counts alone."""
    month_start = month_of(start)
    if start > month_start and not _recorded_between(month_start, start - timedelta(days=1)):
        start = month_start
    month_end = next_month(month_of(end)) - timedelta(days=1)
    if end < month_end and not _recorded_between(end + timedelta(days=1), month_end):
        end = month_end
    return start, end


def _recorded_between(first: date, last: date) -> bool:
    """Any encounter or case on the local days [first, last] (along ix_encounters_day_kind, ix_cases_opened_on)."""
    return bool(db.session.scalar(sa.select(sa.or_(
        sa.exists().where(Encounter.occurred_on.between(first, last)),
        sa.exists().where(Case.opened_on.between(first, last))))))


# An edge of fewer days than this looks its subjects up one by one in distinct_months (primary-key
# probes); a longer one reads its whole month there, which is then the cheaper way.
_PROBE_DAYS = 7


def _counted_in_whole_months(measure: str, edge: tuple[date, date], held: set[tuple[str, str]], left: bool,
                             whole: tuple[date, date]) -> set[tuple[str, str]]:
    """The (scope, subject) pairs of `held`, met in the edge month, that also count in the whole months:
    their row of that month points (`next` for the left edge, `previous` for the right) into them."""
    first_full, last_full = whole
    link = _ROWS.c.next if left else _ROWS.c.previous

    def inside(linked: date | None) -> bool:
        return linked is not None and (linked <= last_full if left else linked >= first_full)

    month = month_of(edge[0])
    mine = (_ROWS.c.measure == measure) & (_ROWS.c.month == month)
    if (edge[1] - edge[0]).days + 1 >= _PROBE_DAYS:
        return {(scope, subject) for scope, subject, linked in db.session.execute(
            sa.select(_ROWS.c.scope, _ROWS.c.subject, link).where(mine)) if inside(linked)}
    by_scope: dict[str, list[str]] = defaultdict(list)
    for scope, subject in held:
        by_scope[scope].append(subject)
    found: set[tuple[str, str]] = set()
    for scope, subjects in sorted(by_scope.items()):
        for chunk in chunks(sorted(subjects)):
            query = sa.select(_ROWS.c.subject, link).where(mine, _ROWS.c.scope == scope, _ROWS.c.subject.in_(chunk))
            found.update((scope, subject) for subject, linked in db.session.execute(query) if inside(linked))
    return found


def _edge_subjects(edges: list[tuple[date, date]],
                   groups: Mapping[int, str | None]) -> dict[str, list[set[tuple[str, str]]]]:
    """{measure: [{(scope, subject)} per edge]} from the records of those days."""
    held: dict[str, list[set[tuple[str, str]]]] = {m: [set() for _ in edges] for m in DISTINCT_MEASURES}
    for index, (first, last) in enumerate(edges):
        encounters = (sa.select(Encounter.person_id, Encounter.kind, Encounter.call_number, Encounter.team_id)
                      .where(Encounter.occurred_on.between(first, last), Encounter.voided.is_(False)))
        for person_id, kind, call_number, team_id in db.session.execute(encounters):
            scopes = scopes_of(team_id, groups)
            if person_id is not None:
                held[PEOPLE][index].update((scope, str(person_id)) for scope in scopes)
            if kind == "primary_response" and call_number is not None:
                held[CALLS][index].update((scope, call_number) for scope in scopes)
        for person_id, team_id in db.session.execute(
                sa.select(Case.person_id, Case.team_id).where(Case.opened_on.between(first, last))):
            held[INTAKES][index].update((scope, str(person_id)) for scope in scopes_of(team_id, groups))
    return held
