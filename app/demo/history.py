"""Demo history for `flask seed-demo --encounters N`: staff per team, people, encounters and follow-ups.

Rows go in with bulk Core inserts in chunks (a million encounters in minutes, not hours), and the
daily rollup is counted chunk by chunk in the same transaction, as the ingest counts what it writes.
The generator only flushes; the caller commits after each chunk it is handed.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.cases.models import Case
from app.demo.history_rows import Author, HistoryRows
from app.directory.services import list_agencies, list_sites, list_teams
from app.encounters.models import Encounter
from app.entries.clock import take
from app.extensions import db
from app.people.models import Person
from app.records import local_day, service_zone, utcnow
from app.referrals.models import Referral, ReferralEvent
from app.stats import distinct, rollup

CHUNK = 10_000
OFFICERS_PER_TEAM = 3
NAVIGATORS_PER_TEAM = 2
# Generated staff exist to author history; no password verifies against this, so they cannot sign in.
NO_SIGN_IN = "!generated-demo-author"
DEMO_AUTHORS = ("officer", "navigator")  # seed-demo's own sign-ins also get some history


@dataclass(frozen=True)
class HistoryPlan:
    encounters: int
    days: int = 365
    persons: int | None = None
    seed: int | None = None

    @property
    def person_count(self) -> int:
        """About four encounters per person on average; heavy users take far more, most people one or two."""
        return self.persons or max(30, self.encounters // 4)


class HistoryGenerator:
    """Iterate `chunks()`; each step inserts (and flushes) some encounters and yields how many."""

    def __init__(self, plan: HistoryPlan):
        self.plan = plan
        self.totals: Counter[str] = Counter()

    def chunks(self) -> Iterator[int]:
        rows = self._cast()
        for start in range(0, self.plan.person_count, CHUNK):
            persons = rows.persons(min(CHUNK, self.plan.person_count - start))
            _insert(Person, persons)
            self.totals["persons"] += len(persons)
        yield 0
        days = rows.days_in_order(self.plan.encounters)
        for start in range(0, self.plan.encounters, CHUNK):
            chunk = days[start:start + CHUNK]
            self._chunk(rows, chunk)
            yield len(chunk)
        # The distinct counts (people, intakes, calls by month) recounted once from everything stored:
        # far quicker than noting a million subjects (app/stats/distinct.py).
        self.totals["distinct_rows"] = distinct.rebuild()
        yield 0

    def _chunk(self, rows: HistoryRows, days: list) -> None:
        encounters, referrals, events, cases = [], [], [], []
        counts: Counter[rollup.CountKey] = Counter()
        for encounter in sorted((rows.encounter(day) for day in days), key=lambda row: row["occurred_at"]):
            encounters.append(encounter)
            _count(counts, encounter["occurred_on"], encounter["kind"], encounter)
            referral, referral_events, case = rows.follow_up(encounter)
            if referral is not None:
                referrals.append(referral)
                events.extend(referral_events)
                _count(counts, referral["made_on"], "referrals_made", referral)
                if referral["accepted_on"] is not None:
                    _count(counts, referral["accepted_on"], "referrals_accepted", referral)
                    self.totals["referrals_accepted"] += 1
            if case is not None:
                cases.append(case)
                _count(counts, case["opened_on"], "case_intakes", case)
        for model, batch in ((Encounter, encounters), (Referral, referrals), (ReferralEvent, events),
                             (Case, cases)):
            _insert(model, batch)
        rollup.add_counts(counts)  # what the ingest's record_* calls would have added, in one statement
        self.totals.update(encounters=len(encounters), referrals=len(referrals), cases=len(cases))

    def _cast(self) -> HistoryRows:
        teams, agencies = list_teams(), [a for a in list_agencies() if a.active]
        sites = [s.id for s in list_sites() if s.kind in ("shelter", "drop_in")]
        if not teams or not agencies or not sites:
            raise ValueError("Seed the reference data (teams, agencies, shelters) before generating history.")
        authors = _ensure_staff(teams, [a.id for a in agencies])
        navigators: dict[int, list[int]] = {}
        for user in db.session.scalars(sa.select(User).where(User.role == "navigator", User.active.is_(True))):
            if user.agency_id is not None:  # always, for a navigator (a CHECK constraint)
                navigators.setdefault(user.agency_id, []).append(user.id)
        now = utcnow()
        last_day = local_day(now)
        return HistoryRows(
            rng=random.Random(self.plan.seed), zone=service_zone(), now=now,
            first_day=last_day - timedelta(days=self.plan.days - 1), last_day=last_day, authors=authors,
            agencies={a.id: list(a.services) for a in agencies}, navigators=navigators, site_ids=sites)


def _count(counts: Counter, day, measure: str, row: dict) -> None:
    counts[(day, measure, rollup.team_key(row["team_id"]), row["author_id"])] += 1


def _insert(model, rows: list[dict]) -> None:
    """Bulk insert; records the changes feed carries get a change number each, as entries would."""
    if not rows:
        return
    if "change_seq" in rows[0]:
        first = take(len(rows))
        for offset, row in enumerate(rows):
            row["change_seq"] = first + offset
    db.session.execute(sa.insert(model.__table__), rows)


def _ensure_staff(teams, agency_ids: list[int]) -> list[Author]:
    """Officers and navigators for every team, created once (found by username on later runs)."""
    authors = []
    for index, team in enumerate(teams):
        slug = re.sub(r"[^a-z0-9]+", "-", team.name.lower()).strip("-")
        wanted: list[tuple[str, int, int | None]] = [("officer", n, None) for n in range(1, OFFICERS_PER_TEAM + 1)]
        wanted += [("navigator", n, agency_ids[(index * NAVIGATORS_PER_TEAM + n) % len(agency_ids)])
                   for n in range(1, NAVIGATORS_PER_TEAM + 1)]
        for role, n, agency_id in wanted:
            username = f"demo-{slug}-{role}-{n}"
            user = db.session.scalar(sa.select(User).where(User.username == username))
            if user is None:
                user = User(username=username, display_name=f"{team.name} {role.title()} {n} (demo)", role=role,
                            team_id=team.id, agency_id=agency_id, password_hash=NO_SIGN_IN, active=True)
                db.session.add(user)
            authors.append(user)
    authors.extend(db.session.scalars(sa.select(User).where(User.username.in_(DEMO_AUTHORS))))
    db.session.flush()
    return [Author(user.id, user.team_id, user.role) for user in authors]
