"""GET /stats/summary against an independent recount of a known five-year history sent through POST /sync.

Four teams in two groups (core, branch) and a supervisor without a team; people met again and again
over the years (and by the supervisor too), call numbers logged by several officers of different
teams, voided encounters, people taken in, closed and taken in again, referrals accepted and completed
on later days. Times sit on the DST days of each year and on the local midnights that bound the
periods asked for (America/Edmonton). The test keeps what it sent and recounts every figure itself,
overall, per team and per group.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.vocabulary import ENCOUNTER_KINDS
from testkit import entries as e
from testkit import factories

EDMONTON = ZoneInfo("America/Edmonton")
KIND_FIGURES = {"interaction": "interactions", "primary_response": "primary_responses",
                "consultation": "consultations", "on_scene_assist": "on_scene_assists",
                "shelter_check_in": "shelter_check_ins"}
FIGURES = ("interactions", "primary_responses", "calls_for_service", "consultations", "on_scene_assists",
           "shelter_check_ins", "referrals_made", "referrals_accepted", "referrals_completed", "case_intakes",
           "people_engaged")
# DST: spring forward (02:00 does not exist) and fall back (01:30 twice) in each year; month and year ends.
EDGES = [(2022, 3, 13), (2022, 11, 6), (2023, 3, 12), (2023, 11, 5), (2024, 3, 10), (2024, 11, 3),
         (2025, 3, 9), (2025, 11, 2), (2026, 3, 8)]


def local(text: str, *, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=EDMONTON, fold=fold)


def edge_moments() -> list[datetime]:
    moments = []
    for y, m, d in EDGES:
        day = date(y, m, d)
        moments += [local(f"{day}T00:00:00"), local(f"{day}T01:30:00"), local(f"{day}T01:30:00", fold=1),
                    local(f"{day}T03:00:00"), local(f"{day}T23:59:59"),
                    local(f"{day - timedelta(days=1)}T23:59:59")]
    for year in range(2022, 2027):
        moments += [local(f"{year - 1}-12-31T23:59:59"), local(f"{year}-01-01T00:00:00"),
                    local(f"{year}-06-30T23:59:59"), local(f"{year}-07-01T00:00:00")]
    return moments


@dataclass
class Sent:
    encounters: list[dict] = field(default_factory=list)
    referrals: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)  # {"person", "team_id", "opened"}
    groups: dict = field(default_factory=dict)  # team_id (None: no team) -> group


@pytest.fixture
def history(db, make_client, team, agency):
    rng = random.Random(1505)
    team.group = "core"
    teams = [team, factories.make_team("Whyte Ave HELP"), factories.make_team("North Branch"),
             factories.make_team("West Branch")]
    for t, group in zip(teams[1:], ("core", "branch", "branch"), strict=True):
        t.group = group
    site = factories.make_site()
    officers = [factories.make_user("officer", team=t) for t in teams] + [factories.make_user("officer", team=teams[0])]
    supervisor = factories.make_user("supervisor")
    navigator = factories.make_user("navigator", team=teams[0], agency=agency)
    phones = {u.id: make_client().sign_in_as(u) for u in [*officers, supervisor, navigator]}
    sent = Sent(groups={t.id: t.group for t in teams} | {None: None})

    def sync(user, entries):
        for start in range(0, len(entries), 300):
            chunk = entries[start:start + 300]
            assert e.statuses(phones[user.id].post("/sync", e.batch(*chunk))) == ["created"] * len(chunk)

    # People: each team's own (a team sees its own people); the supervisor meets some of every team's.
    people = {}
    for officer in officers:
        mine = [e.person(display_name=f"Person {officer.id}-{n}") for n in range(6)]
        sync(officer, mine)
        people.setdefault(officer.team_id, []).extend(p["id"] for p in mine)
    first, last = datetime(2021, 12, 5, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)
    span = int((last - first).total_seconds() // 60)
    moments = edge_moments() + [first + timedelta(minutes=rng.randrange(span)) for _ in range(260)]
    calls = [f"EPS{n:05d}" for n in range(45)]  # a small pool: officers of several teams log the same call
    by_author: dict[int, list[dict]] = {}
    for at in moments:
        author = rng.choice([*officers, *officers, supervisor])
        kind = rng.choice(ENCOUNTER_KINDS)
        team_id = author.team_id
        pool = people[team_id] if team_id is not None else [p for ps in people.values() for p in ps]
        person = rng.choice(pool) if rng.random() < 0.75 else None
        data = {"occurred_at": at.isoformat(), "person_id": person}
        if kind in ("primary_response", "on_scene_assist"):
            data["call_number"] = rng.choice(calls)
        if kind == "shelter_check_in":
            data["site_id"] = site.id
        entry = e.encounter(kind, **data)
        by_author.setdefault(author.id, []).append(entry)
        sent.encounters.append({"id": entry["id"], "kind": kind, "at": at, "team_id": team_id, "person": person,
                                "call": data.get("call_number"), "voided": False, "author": author})
    users = {u.id: u for u in [*officers, supervisor, navigator]}
    for user_id, entries in by_author.items():
        sync(users[user_id], entries)
    voids: dict[int, list[dict]] = {}
    for voided in rng.sample(sent.encounters, 30):
        voids.setdefault(voided["author"].id, []).append(e.encounter_void(voided["id"]))
        voided["voided"] = True
    for user_id, entries in voids.items():
        sync(users[user_id], entries)

    # Cases: people taken in, closed, and some taken in again years later (intakes count people).
    stages: list[dict[int, list[dict]]] = [{}, {}, {}]
    for officer in officers[:4]:
        for n, person in enumerate(people[officer.team_id][:4]):
            opened = first + timedelta(minutes=rng.randrange(span // 2))
            intake = e.case_intake(person, opened_at=opened.isoformat())
            stages[0].setdefault(officer.id, []).append(intake)
            sent.cases.append({"person": person, "team_id": officer.team_id, "opened": opened})
            if n < 2:
                closed = opened + timedelta(days=rng.randrange(30, 300))
                stages[1].setdefault(officer.id, []).append(
                    e.case_closure(intake["id"], closed_at=closed.isoformat()))
                again = closed + timedelta(days=rng.randrange(1, 500))
                stages[2].setdefault(officer.id, []).append(e.case_intake(person, opened_at=again.isoformat()))
                sent.cases.append({"person": person, "team_id": officer.team_id, "opened": again})
    # the fall-back night's second 01:30 (MST) and a new year's first second, for intakes too
    edge_people = people[officers[2].team_id][4:6]
    for person, opened in zip(edge_people, (local("2024-11-03T01:30:00", fold=1), local("2025-01-01T00:00:00")),
                              strict=True):
        stages[0].setdefault(officers[2].id, []).append(e.case_intake(person, opened_at=opened.isoformat()))
        sent.cases.append({"person": person, "team_id": officers[2].team_id, "opened": opened})
    for stage in stages:
        for user_id, entries in stage.items():
            sync(users[user_id], entries)

    # Referrals: made by officers, accepted and completed by the agency's navigator on later days.
    referral_stages: list[dict[int, list[dict]]] = [{}, {}, {}]
    for n in range(40):
        officer = rng.choice(officers[:4])
        person = e.person()
        made = first + timedelta(minutes=rng.randrange(span - 60 * 24 * 30))
        if n == 0:
            made = local("2025-03-09T03:00:00")
        referral = e.referral(person["id"], agency.id, made_at=made.isoformat())
        referral_stages[0].setdefault(officer.id, []).extend([person, referral])
        record = {"team_id": officer.team_id, "made": made, "accepted": None, "completed": None}
        if n % 3:
            accepted = made + timedelta(hours=rng.randrange(1, 72))
            referral_stages[1].setdefault(navigator.id, []).append(
                e.referral_update(referral["id"], "accepted", occurred_at=accepted.isoformat()))
            record["accepted"] = accepted
            if n % 2:
                completed = accepted + timedelta(days=rng.randrange(1, 25))
                referral_stages[2].setdefault(navigator.id, []).append(
                    e.referral_update(referral["id"], "completed", occurred_at=completed.isoformat()))
                record["completed"] = completed
        sent.referrals.append(record)
    for stage in referral_stages:
        for user_id, entries in stage.items():
            sync(users[user_id], entries)
    return {"sent": sent, "teams": teams, "supervisor": phones[supervisor.id]}


def day_of(at: datetime) -> date:
    return at.astimezone(EDMONTON).date()


def recount(sent: Sent, start: date, end: date, keep) -> dict[str, int]:
    """Every figure over the records whose team passes `keep(team_id)`."""
    inside = lambda at: at is not None and start <= day_of(at) <= end  # noqa: E731
    live = [x for x in sent.encounters if not x["voided"] and inside(x["at"]) and keep(x["team_id"])]
    figures = dict.fromkeys(FIGURES, 0)
    for x in live:
        figures[KIND_FIGURES[x["kind"]]] += 1
    figures["calls_for_service"] = len({x["call"] for x in live if x["kind"] == "primary_response"})
    figures["people_engaged"] = len({x["person"] for x in live if x["person"]})
    figures["case_intakes"] = len({c["person"] for c in sent.cases if inside(c["opened"]) and keep(c["team_id"])})
    for name, moment in (("referrals_made", "made"), ("referrals_accepted", "accepted"),
                         ("referrals_completed", "completed")):
        figures[name] = sum(1 for r in sent.referrals if inside(r[moment]) and keep(r["team_id"]))
    return figures


PERIODS = [
    (None, None),                     # since the first record, to today
    ("2021-12-01", "2026-11-30"),     # five years of whole months
    ("2022-03-13", "2022-03-13"),     # a 23-hour day
    ("2024-11-03", "2024-11-03"),     # a 25-hour day
    ("2024-11-02", "2024-11-04"),
    ("2023-03-12", "2025-11-02"),     # from one DST day to another (partial months both ends)
    ("2023-01-01", "2023-12-31"),
    ("2024-12-31", "2025-01-01"),     # across a new year, inside no whole month
    ("2022-07-01", "2026-06-30"),
    ("2022-06-15", "2022-08-14"),     # one whole month between two partial ones
    ("2025-02-01", "2025-03-09"),
]


def test_every_figure_of_the_summary_equals_a_recount_of_what_was_sent(history):
    sent, teams, client = history["sent"], history["teams"], history["supervisor"]
    for start, end in PERIODS:
        query = {k: v for k, v in (("from", start), ("to", end)) if v}
        report = client.get("/stats/summary", query_string=query).get_json()
        first = date.fromisoformat(report["from"])
        last = date.fromisoformat(report["to"])
        if start is None:
            firsts = [day_of(x["at"]) for x in sent.encounters] + [day_of(c["opened"]) for c in sent.cases] + \
                     [day_of(r["made"]) for r in sent.referrals]
            assert first == min(firsts)
        label = f"{first}..{last}"
        assert {n: report[n] for n in FIGURES} == recount(sent, first, last, lambda _t: True), label
        for row in report["by_team"]:
            assert {n: row[n] for n in FIGURES} == recount(sent, first, last, lambda t, i=row["team_id"]: t == i), \
                (label, row["name"])
        # Staff without a team (the supervisor) get a row, and the group null, when they hold anything.
        no_team = [None] if any(recount(sent, first, last, lambda t: t is None).values()) else []
        assert [row["team_id"] for row in report["by_team"]] == sorted(
            [t.id for t in teams], key=lambda i: next(t.name for t in teams if t.id == i)) + no_team
        assert [row["group"] for row in report["by_group"]] == ["branch", "core", *no_team]
        for row in report["by_group"]:
            expected = recount(sent, first, last, lambda t, g=row["group"]: sent.groups[t] == g)
            assert {n: row[n] for n in FIGURES} == expected, (label, row["group"])
        core = client.get("/stats/summary", query_string={**query, "group": "core"}).get_json()
        assert {n: core[n] for n in FIGURES} == recount(sent, first, last, lambda t: sent.groups[t] == "core")


def test_the_history_has_what_the_figures_must_tell_apart(history):
    sent = history["sent"]
    primaries = [x for x in sent.encounters if x["kind"] == "primary_response" and not x["voided"]]
    by_call: dict[str, set] = {}
    for x in primaries:
        by_call.setdefault(x["call"], set()).add(x["team_id"])
    assert any(len(teams) > 1 for teams in by_call.values()), "no call logged by two teams"
    persons = [c["person"] for c in sent.cases]
    assert len(persons) > len(set(persons)), "nobody taken in twice"
    years = {day_of(x["at"]).year for x in sent.encounters}
    assert years >= {2022, 2023, 2024, 2025, 2026}
