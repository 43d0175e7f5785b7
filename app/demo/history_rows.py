"""Rows of plausible field history (persons, encounters, referrals, cases) as plain dicts for bulk inserts.

Proportions follow the unit's published year (2,837 interactions : 951 primary responses :
943 consultations : 579 on-scene assists, 1,796 referrals, 740 people into case management),
plus shelter check-ins; more happens in the evening and at the end of the week.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from app.vocabulary import KINDS_WITH_CALL_NUMBER, NEEDS, OUTCOMES, RISK_FLAGS

KIND_WEIGHTS = {"interaction": 2837, "primary_response": 951, "consultation": 943, "on_scene_assist": 579,
                "shelter_check_in": 600}
# Local hour of day: quiet before dawn, rising through the afternoon, busiest 17:00-22:00.
HOUR_WEIGHTS = (3, 2, 2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 7, 8, 9, 11, 12, 12, 11, 10, 7, 5)
WEEKDAY_WEIGHTS = (9, 9, 10, 10, 12, 13, 11)  # Monday .. Sunday
REFERRALS_PER_IDENTIFIED_ENCOUNTER = 1796 / 5310 / 0.85
ANONYMOUS_SHARE = 0.15
NEED_WEIGHTS = {"addictions": 9, "mental_health": 8, "housing": 10, "medical": 5, "food": 6,
                "id_documents": 4, "income": 3, "employment": 2, "legal": 2, "safety": 3, "family": 2,
                "transportation": 2, "other": 1}
SEVERE_FLAGS = {"overdose_risk", "suicidal", "medical_distress"}
GIVEN = ("Alex", "Sam", "Dale", "Jordan", "Casey", "Robin", "Terry", "Lee", "Morgan", "Pat", "Jesse", "Shawn",
         "Dana", "Chris", "Jamie", "Kelly", "Lou", "Marty", "Riley", "Toni", "Wes", "Frankie", "Ray", "Bev")
FAMILY = ("Cardinal", "Smith", "Nguyen", "Laboucane", "Brown", "Thompson", "Gladue", "Martin", "Wong",
          "Auger", "Campbell", "Desjarlais", "Wilson", "Ahmed", "Lee", "Moosomin", "Tremblay", "Young")
NICKNAMES = ("Red", "Smokey", "Slim", "Tex", "Birdie", "Chief", "Doc", "Sunny", "Shorty", "Blue")
DESCRIPTIONS = ("man, 40s, green parka", "woman, 30s, red toque", "man, 60s, walker", "youth, grey hoodie",
                "woman, 50s, shopping cart", "man, 20s, black backpack")
PROGRAMS = ("Housing First", "Intensive Case Management", "Addictions Recovery", "Mental Health Outreach",
            "Indigenous Wellness", "Employment Readiness")


HOURS = tuple(range(24))


def _pick(rng: random.Random, items: Sequence, cum_weights: list) -> Any:
    """One weighted choice: random.choices without its per-call list and checks (called millions of times)."""
    return items[bisect(cum_weights, rng.random() * cum_weights[-1])]


@dataclass(frozen=True)
class Author:
    user_id: int
    team_id: int | None
    role: str


@dataclass
class HistoryRows:
    """Makes rows; holds the random source, the clock and the cast (staff, agencies, sites, persons)."""

    rng: random.Random
    zone: ZoneInfo
    now: datetime
    first_day: date
    last_day: date
    authors: list[Author]
    agencies: dict[int, list[str]]  # agency id -> needs served
    navigators: dict[int, list[int]]  # agency id -> navigator user ids
    site_ids: list[int]
    person_ids: list[str] = field(default_factory=list)
    person_weights: list[float] = field(default_factory=list)
    persons_with_case: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        span = (self.last_day - self.first_day).days + 1
        self._days = [self.first_day + timedelta(days=n) for n in range(span)]
        self._day_cum = list(accumulate(WEEKDAY_WEIGHTS[d.weekday()] for d in self._days))
        self._hour_cum = list(accumulate(HOUR_WEIGHTS))
        self._kinds = list(KIND_WEIGHTS)
        self._kind_cum = list(accumulate(KIND_WEIGHTS.values()))
        self._needs = list(NEED_WEIGHTS)
        self._need_cum = list(accumulate(NEED_WEIGHTS.values()))
        self._person_cum: list[float] = []

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # Persons -----------------------------------------------------------------------------------
    def persons(self, count: int) -> list[dict[str, Any]]:
        """A pool of people; ~1% are heavy users who draw far more encounters than the long tail."""
        rows, heavy = [], max(3, count // 100)
        for n in range(count):
            rows.append(self._person())
            weight = self.rng.uniform(40, 120) if n < heavy else min(self.rng.paretovariate(1.2), 25.0)
            self.person_weights.append(weight)
        self.person_ids.extend(row["id"] for row in rows)
        self._person_cum = list(accumulate(self.person_weights))
        return rows

    def _person(self) -> dict[str, Any]:
        rng, author = self.rng, self.rng.choice(self.authors)
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        named = rng.random() < 0.6
        display = f"{given} {family[0]}." if rng.random() < 0.8 else f"'{rng.choice(NICKNAMES)}'"
        consent = rng.random() < 0.55
        created = self._utc(self.first_day - timedelta(days=rng.randrange(0, 400)), rng.randrange(24))
        return {
            "id": self.new_id(), "display_name": display, "given_name": given if named else None,
            "family_name": family if named else None, "birth_year": rng.randint(1950, 2006) if named else None,
            "gender": rng.choice(("man", "woman", "two-spirit", None)), "description": None,
            "consent_to_share": consent, "consent_recorded_at": created if consent else None,
            "search_text": " ".join(filter(None, (display, given if named else None,
                                                  family if named else None))).lower(),
            **self._record(author, created),
        }

    # Encounters --------------------------------------------------------------------------------
    def days_in_order(self, count: int) -> list[date]:
        """The days of `count` encounters, oldest first: history is written roughly as it happened,
        so rows of one period sit together on disk as they would after months of syncing."""
        return sorted(_pick(self.rng, self._days, self._day_cum) for _ in range(count))

    def encounter(self, day: date) -> dict[str, Any]:
        rng = self.rng
        kind = _pick(rng, self._kinds, self._kind_cum)
        author = self._author_for(kind)
        at = min(self._utc(day, _pick(rng, HOURS, self._hour_cum)),
                 self.now - timedelta(minutes=rng.randrange(1, 180)))
        needs = sorted(set(rng.choices(self._needs, cum_weights=self._need_cum, k=rng.choice((0, 1, 1, 2, 2, 3)))))
        flags = sorted(set(rng.sample(RISK_FLAGS, rng.choice((1, 1, 2))))) if rng.random() < 0.25 else []
        computed = 1 if SEVERE_FLAGS & set(flags) else 2 if flags else 3 if len(needs) >= 2 else 4
        level = min(4, max(1, computed + rng.choice((-1, 1)))) if rng.random() < 0.1 else computed
        person = None if rng.random() < ANONYMOUS_SHARE else self._person_id()
        return {
            "kind": kind, "occurred_at": at, "occurred_on": self._day_of(at),
            "person_id": person,
            "call_number": f"{at.year % 100:02d}-{rng.randrange(10**6):06d}" if kind in KINDS_WITH_CALL_NUMBER else None,
            "site_id": rng.choice(self.site_ids) if kind == "shelter_check_in" else None,
            "needs": needs, "risk_flags": flags,
            "outcome": sorted(set(rng.choices(OUTCOMES[:3] * 4 + OUTCOMES, k=rng.choice((1, 1, 2))))),
            "triage_level": level, "triage_computed": computed,
            "lat": round(53.5461 + rng.uniform(-0.09, 0.09), 5), "lon": round(-113.4938 + rng.uniform(-0.15, 0.15), 5),
            "accuracy_m": round(rng.uniform(4, 60), 1), "duration_minutes": rng.randint(3, 90),
            "description": rng.choice(DESCRIPTIONS) if person is None else None, "notes": None,
            **self._record(author, self._synced(at), id=self.new_id()),
        }

    def _author_for(self, kind: str) -> Author:
        if kind == "shelter_check_in":
            navigators = [a for a in self.authors if a.role == "navigator"]
            if navigators:
                return self.rng.choice(navigators)
        return self.rng.choice(self.authors)

    def _person_id(self) -> str:
        return _pick(self.rng, self.person_ids, self._person_cum)

    def _synced(self, at: datetime) -> datetime:
        """Most entries sync within minutes; some wait for signal for hours, a few for days."""
        roll = self.rng.random()
        delay = (timedelta(seconds=self.rng.randrange(5, 600)) if roll < 0.7 else
                 timedelta(minutes=self.rng.randrange(10, 360)) if roll < 0.95 else
                 timedelta(hours=self.rng.randrange(6, 96)))
        return min(at + delay, self.now)

    # Referrals, their status changes, case intakes ---------------------------------------------
    def follow_up(self, encounter: dict[str, Any]) -> tuple[dict | None, list[dict], dict | None]:
        """Maybe a referral out of an identified encounter, its status events, and maybe a case intake."""
        rng = self.rng
        if encounter["person_id"] is None or rng.random() >= REFERRALS_PER_IDENTIFIED_ENCOUNTER:
            return None, [], None
        service = rng.choice(encounter["needs"]) if encounter["needs"] else rng.choice(NEEDS[:5])
        serving = [a for a, services in self.agencies.items() if service in services] or list(self.agencies)
        agency_id = rng.choice(serving)
        author = Author(encounter["author_id"], encounter["team_id"], "")
        made_at = min(encounter["occurred_at"] + timedelta(minutes=rng.randrange(1, 45)), self.now)
        referral = {
            "person_id": encounter["person_id"], "agency_id": agency_id, "encounter_id": encounter["id"],
            "service": service, "urgency": rng.choices(("routine", "urgent", "emergent"), (70, 25, 5))[0],
            "consent_obtained": rng.random() < 0.75, "notes": None, "status": "pending", "version": 1,
            "made_at": made_at, "made_on": self._day_of(made_at), "accepted_at": None,
            "accepted_on": None, "completed_on": None, "updated_at": made_at,
            **self._record(author, self._synced(made_at), id=self.new_id()),
        }
        events = self._lifecycle(referral, agency_id)
        return referral, events, self._intake(referral, agency_id)

    def _lifecycle(self, referral: dict[str, Any], agency_id: int) -> list[dict[str, Any]]:
        rng, navigator = self.rng, self._navigator(agency_id, referral["author_id"])
        roll, steps = rng.random(), []
        if roll < 0.65:
            accepted = referral["made_at"] + timedelta(minutes=rng.randrange(30, 4 * 24 * 60))
            steps.append(("accepted", accepted, navigator))
            ending = rng.choices(("completed", "no_show", "withdrawn", None), (50, 20, 5, 25))[0]
            if ending:
                steps.append((ending, accepted + timedelta(days=rng.randrange(1, 60)), navigator))
        elif roll < 0.80:
            steps.append(("declined", referral["made_at"] + timedelta(hours=rng.randrange(1, 72)), navigator))
        elif roll < 0.88:
            steps.append(("withdrawn", referral["made_at"] + timedelta(days=rng.randrange(1, 20)),
                          referral["author_id"]))
        events = []
        for status, at, actor in steps:
            if at > self.now:
                break
            events.append({"entry_id": None, "entry_hash": None, "referral_id": referral["id"],
                           "from_status": referral["status"], "to_status": status,
                           "version": referral["version"] + 1, "note": None, "actor_id": actor, "at": at})
            referral.update(status=status, version=referral["version"] + 1, updated_at=at)
            if status == "accepted":
                referral.update(accepted_at=at, accepted_on=self._day_of(at))
            elif status == "completed":
                referral.update(completed_on=self._day_of(at))
        return events

    def _intake(self, referral: dict[str, Any], agency_id: int) -> dict[str, Any] | None:
        rng, person = self.rng, referral["person_id"]
        if referral["accepted_at"] is None or person in self.persons_with_case or rng.random() >= 0.9:
            return None
        opened = referral["accepted_at"] + timedelta(hours=rng.randrange(1, 72))
        if opened > self.now:
            return None
        self.persons_with_case.add(person)
        closed = opened + timedelta(days=rng.randrange(60, 720))
        status = "open" if closed > self.now else rng.choice(("transitioned", "closed"))
        author = Author(referral["author_id"], referral["team_id"], "")
        return {
            "person_id": person, "referral_id": referral["id"],
            "lead_user_id": self._navigator(agency_id, referral["author_id"]), "agency_id": agency_id,
            "program": rng.choice(PROGRAMS), "notes": None, "status": status, "opened_at": opened,
            "opened_on": self._day_of(opened), "closed_at": None if status == "open" else closed,
            "close_reason": None if status == "open" else
            ("Moved on to a longer-term program." if status == "transitioned" else "Goals met."),
            **self._record(author, self._synced(opened), id=self.new_id()),
        }

    def _navigator(self, agency_id: int, fallback: int) -> int:
        staff = self.navigators.get(agency_id)
        return self.rng.choice(staff) if staff else fallback

    # Shared columns ----------------------------------------------------------------------------
    def _day_of(self, at: datetime) -> date:
        """app.records.local_day without the per-call config lookup (zone is the service_zone())."""
        return at.astimezone(self.zone).date()

    def _utc(self, day: date, hour: int) -> datetime:
        local = datetime(day.year, day.month, day.day, hour, self.rng.randrange(60), self.rng.randrange(60),
                         tzinfo=self.zone)
        return local.astimezone(UTC)

    def _record(self, author: Author, received_at: datetime, id: str | None = None) -> dict[str, Any]:
        row = {"received_at": received_at, "device_id": "demo-history", "entry_hash": None, "change_seq": 0,
               "author_id": author.user_id, "team_id": author.team_id}
        if id is not None:
            row["id"] = id
        return row
