"""GET /stats/outcomes and GET /stats/referrals against an independent recount of a known history.

The history goes in through POST /sync the way phones send it (two teams, two agencies, voided
encounters, referrals through every status, some recent ones pending inside and past their deadline),
with times on the DST days and at the local midnights that bound the periods asked for in
America/Edmonton. The test keeps what it sent and recounts every figure itself.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from app.vocabulary import ENCOUNTER_KINDS, OUTCOMES
from testkit import entries as e
from testkit import factories
from testkit.cases import today_in_edmonton

EDMONTON = ZoneInfo("America/Edmonton")
HOURS = {"emergent": 1, "urgent": 24, "routine": 72}

# Instants that sit on the edges of the periods below, local time in Edmonton.
EDGE_TIMES = [
    "2026-02-28T23:59:59", "2026-03-01T00:00:00",   # a month boundary
    "2026-03-08T01:59:59", "2026-03-08T03:00:00",   # spring forward: 02:00 does not exist
    "2026-03-08T23:59:59", "2026-03-09T00:00:00",
    "2026-10-31T23:59:59", "2026-11-01T00:00:00",
    "2026-11-01T01:30:00",                           # fall back: 01:30 happens twice (MDT, then MST)
    "2026-11-01T23:59:59", "2026-11-02T00:00:00",
    "2025-12-31T23:59:59", "2026-01-01T00:00:00",   # a year boundary
]


def local(text: str, *, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=EDMONTON, fold=fold)


@dataclass
class Sent:
    """What the test sent: the recount works from this alone."""

    encounters: list[dict] = field(default_factory=list)
    referrals: dict[str, dict] = field(default_factory=dict)


@pytest.fixture
def history(db, make_client, team, agency):
    rng = random.Random(15)
    other_team = factories.make_team("Whyte Ave HELP")
    other_agency = factories.make_agency("Boyle Street", services=["housing", "food"])
    factories.make_agency("Quiet Agency", services=["housing"])  # no referrals: listed with zeros
    site = factories.make_site()
    officers = [factories.make_user("officer", team=team), factories.make_user("officer", team=other_team)]
    navigators = {agency.id: factories.make_user("navigator", team=team, agency=agency),
                  other_agency.id: factories.make_user("navigator", team=other_team, agency=other_agency)}
    phones = {u.id: make_client().sign_in_as(u) for u in [*officers, *navigators.values()]}
    sent = Sent()

    def sync(user, entries):
        for start in range(0, len(entries), 400):
            chunk = entries[start:start + 400]
            assert e.statuses(phones[user.id].post("/sync", e.batch(*chunk))) == ["created"] * len(chunk)

    # Encounters: the edge instants (the fall-back 01:30 once in MDT, once in MST) and random ones.
    moments = [local(t) for t in EDGE_TIMES] + [local("2026-11-01T01:30:00", fold=1)]
    start = datetime(2025, 6, 1, tzinfo=UTC)
    moments += [start + timedelta(minutes=rng.randrange(0, 60 * 24 * 520)) for _ in range(220)]
    by_officer: dict[int, list[dict]] = {o.id: [] for o in officers}
    for at in moments:
        officer = rng.choice(officers)
        kind = rng.choice(ENCOUNTER_KINDS)
        outcome = rng.sample(OUTCOMES, rng.choice([0, 1, 1, 2, 3]))
        extra = {"site_id": site.id} if kind == "shelter_check_in" else {}
        entry = e.encounter(kind, occurred_at=at.isoformat(), outcome=outcome, **extra)
        by_officer[officer.id].append(entry)
        sent.encounters.append({"id": entry["id"], "kind": kind, "outcome": outcome, "at": at,
                                "team_id": officer.team_id, "voided": False, "author": officer})
    for officer in officers:
        sync(officer, by_officer[officer.id])
    voids: dict[int, list[dict]] = {o.id: [] for o in officers}
    for voided in rng.sample(sent.encounters, 25):
        voids[voided["author"].id].append(e.encounter_void(voided["id"]))
        voided["voided"] = True
    for officer in officers:
        sync(officer, voids[officer.id])

    # Referrals: a person each, to either agency, moved by the agency's navigator (the referrer withdraws).
    now = datetime.now(UTC)
    plans = []
    for _ in range(70):
        made = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
        plans.append((made, rng.choice(["pending", "accepted", "declined", "withdrawn", "completed", "no_show",
                                        "accepted_withdrawn"]), rng.choice(list(HOURS))))
    made_on_edges = [local("2026-03-08T03:30:00"), local("2026-11-01T01:30:00", fold=1), local("2026-02-28T23:59:59")]
    plans += [(at, "completed", "urgent") for at in made_on_edges]
    # Recent pending referrals: each side of its deadline.
    plans += [(now - timedelta(minutes=30), "pending", "emergent"), (now - timedelta(hours=2), "pending", "emergent"),
              (now - timedelta(hours=2), "pending", "urgent"), (now - timedelta(hours=30), "pending", "urgent"),
              (now - timedelta(hours=70), "pending", "routine"), (now - timedelta(hours=80), "pending", "routine")]
    # Sent in stages (made, accepted, then completed / no-show / declined / withdrawn), one batch per user
    # and stage: every move comes after the one before it.
    stages: list[dict[int, list[dict]]] = [{}, {}, {}]
    users = {u.id: u for u in [*officers, *navigators.values()]}

    def later(stage: int, user, entry: dict) -> None:
        stages[stage].setdefault(user.id, []).append(entry)

    for made, fate, urgency in plans:
        officer = rng.choice(officers)
        target = rng.choice([agency, other_agency])
        person = e.person()
        referral = e.referral(person["id"], target.id, made_at=made.isoformat(), urgency=urgency)
        later(0, officer, person)
        later(0, officer, referral)
        record = {"agency_id": target.id, "made_at": made, "status": "pending", "urgency": urgency,
                  "accepted_at": None, "completed_at": None}
        navigator = navigators[target.id]
        at = made
        if fate in ("accepted", "completed", "no_show", "accepted_withdrawn"):
            at = made + timedelta(minutes=rng.randrange(5, 60 * 96))
            later(1, navigator, e.referral_update(referral["id"], "accepted", occurred_at=at.isoformat()))
            record.update(status="accepted", accepted_at=at)
        if fate in ("completed", "no_show"):
            at = min(at + timedelta(minutes=rng.randrange(60, 60 * 24 * 40)), now - timedelta(hours=1))
            later(2, navigator, e.referral_update(referral["id"], fate, occurred_at=at.isoformat()))
            record.update(status=fate, completed_at=at if fate == "completed" else None)
        if fate == "declined":
            at = made + timedelta(hours=rng.randrange(1, 48))
            later(1, navigator, e.referral_update(referral["id"], "declined", occurred_at=at.isoformat()))
            record["status"] = "declined"
        if fate in ("withdrawn", "accepted_withdrawn"):
            at = at + timedelta(hours=rng.randrange(1, 48))
            later(2, officer, e.referral_update(referral["id"], "withdrawn", occurred_at=at.isoformat()))
            record["status"] = "withdrawn"
        assert at < now
        sent.referrals[referral["id"]] = record
    for stage in stages:
        for user_id, entries in stage.items():
            sync(users[user_id], entries)
    return {"sent": sent, "teams": (team, other_team), "agencies": (agency, other_agency)}


def day_of(at: datetime) -> date:
    return at.astimezone(EDMONTON).date()


def expected_outcomes(sent: Sent, start: date, end: date, team_id: int | None = None) -> dict:
    by_kind = {kind: dict.fromkeys(OUTCOMES, 0) for kind in ENCOUNTER_KINDS}
    for enc in sent.encounters:
        if enc["voided"] or not start <= day_of(enc["at"]) <= end:
            continue
        if team_id is not None and enc["team_id"] != team_id:
            continue
        for code in enc["outcome"]:
            by_kind[enc["kind"]][code] += 1
    overall = Counter()
    for counts in by_kind.values():
        overall.update(counts)
    return {"from": start.isoformat(), "to": end.isoformat(),
            "outcomes": {code: overall[code] for code in OUTCOMES}, "by_kind": by_kind}


PERIODS = [
    ("2026-03-08", "2026-03-08"),  # the 23-hour day
    ("2026-11-01", "2026-11-01"),  # the 25-hour day
    ("2026-03-01", "2026-03-31"),
    ("2026-02-28", "2026-02-28"),
    ("2025-12-31", "2026-01-01"),
    ("2025-06-01", "2026-11-29"),
]


def test_outcomes_match_a_recount_on_dst_days_and_period_edges(history, client, supervisor):
    sent = history["sent"]
    as_supervisor = client.sign_in_as(supervisor)
    for start, end in PERIODS:
        answer = as_supervisor.get("/stats/outcomes", query_string={"from": start, "to": end})
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json() == expected_outcomes(sent, date.fromisoformat(start), date.fromisoformat(end)), \
            (start, end)
    some = expected_outcomes(sent, date(2026, 3, 8), date(2026, 3, 8))
    assert sum(some["outcomes"].values()) > 0  # the DST day holds counted outcomes (the test has teeth)


def test_outcomes_for_one_team_and_without_a_period(history, client, supervisor):
    sent = history["sent"]
    other_team = history["teams"][1]
    as_supervisor = client.sign_in_as(supervisor)
    answer = as_supervisor.get("/stats/outcomes", query_string={"from": "2025-06-01", "to": "2026-11-29",
                                                                "team_id": other_team.id}).get_json()
    assert answer == expected_outcomes(sent, date(2025, 6, 1), date(2026, 11, 29), team_id=other_team.id)
    # Without from/to: from the first encounter's local day to today, local.
    first = min(day_of(enc["at"]) for enc in sent.encounters)
    whole = as_supervisor.get("/stats/outcomes").get_json()
    assert whole == expected_outcomes(sent, first, today_in_edmonton())


def elapsed_hours(start: datetime, end: datetime) -> float:
    """Hours that really passed: in UTC (two times in one ZoneInfo subtract as wall clocks, which is an
    hour off across a DST change)."""
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600


def expected_funnel(sent: Sent, agencies, start: date, end: date, now: datetime) -> list[dict]:
    rows = []
    for agency in sorted(agencies, key=lambda a: (a.name, a.id)):
        mine = [r for r in sent.referrals.values()
                if r["agency_id"] == agency.id and start <= day_of(r["made_at"]) <= end]
        statuses = Counter(r["status"] for r in mine)
        to_accept = [elapsed_hours(r["made_at"], r["accepted_at"]) for r in mine if r["accepted_at"]]
        to_complete = [elapsed_hours(r["made_at"], r["completed_at"]) for r in mine if r["completed_at"]]
        rows.append({
            "agency_id": agency.id, "name": agency.name, "made": len(mine),
            "pending": statuses["pending"], "accepted": len(to_accept), "declined": statuses["declined"],
            "withdrawn": statuses["withdrawn"], "completed": statuses["completed"], "no_show": statuses["no_show"],
            "overdue": sum(1 for r in mine if r["status"] == "pending"
                           and r["made_at"] + timedelta(hours=HOURS[r["urgency"]]) < now),
            "median_hours_to_accept": round(median(to_accept), 2) if to_accept else None,
            "median_hours_to_complete": round(median(to_complete), 2) if to_complete else None,
        })
    return rows


def test_the_referral_funnel_matches_a_recount_per_agency(history, client, supervisor):
    from app.directory.models import Agency
    from app.extensions import db

    sent = history["sent"]
    agencies = list(db.session.scalars(db.select(Agency)))
    as_supervisor = client.sign_in_as(supervisor)
    for start, end in [*PERIODS, (today_in_edmonton().isoformat(), today_in_edmonton().isoformat())]:
        answer = as_supervisor.get("/stats/referrals", query_string={"from": start, "to": end})
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        assert (body["from"], body["to"]) == (start, end)
        expected = expected_funnel(sent, agencies, date.fromisoformat(start), date.fromisoformat(end),
                                   datetime.now(UTC))
        assert body["agencies"] == expected, (start, end)
    # The edge referrals (DST days, the last second of February) land on their local days.
    dst = as_supervisor.get("/stats/referrals", query_string={"from": "2026-03-08", "to": "2026-03-08"}).get_json()
    assert sum(row["made"] for row in dst["agencies"]) >= 1
    whole = as_supervisor.get("/stats/referrals").get_json()
    assert sum(row["overdue"] for row in whole["agencies"]) >= 3  # the recent ones past their deadline count
    first = min(day_of(r["made_at"]) for r in sent.referrals.values())
    assert whole["agencies"] == expected_funnel(sent, agencies, first, today_in_edmonton(), datetime.now(UTC))


def test_the_funnel_for_one_agency_lists_only_it(history, client, supervisor):
    sent, agency = history["sent"], history["agencies"][1]
    body = client.sign_in_as(supervisor).get("/stats/referrals", query_string={
        "from": "2025-01-01", "to": "2026-12-31", "agency_id": agency.id}).get_json()
    assert body["agencies"] == expected_funnel(sent, [agency], date(2025, 1, 1), date(2026, 12, 31),
                                               datetime.now(UTC))


def test_response_deadlines_follow_the_configured_hours(app, history, client, supervisor):
    """REFERRAL_RESPONSE_HOURS moves every deadline: with a week for urgent ones, the 30-hour-old urgent
    referral is no longer overdue."""
    before = client.sign_in_as(supervisor).get("/stats/referrals").get_json()
    app.config["REFERRAL_RESPONSE_HOURS"] = {**app.config["REFERRAL_RESPONSE_HOURS"], "urgent": 24 * 7.0}
    try:
        after = client.get("/stats/referrals").get_json()
    finally:
        app.config["REFERRAL_RESPONSE_HOURS"] = {**app.config["REFERRAL_RESPONSE_HOURS"], "urgent": 24.0}
    assert sum(r["overdue"] for r in after["agencies"]) < sum(r["overdue"] for r in before["agencies"])


@pytest.mark.parametrize("path", ["/stats/outcomes", "/stats/referrals"])
@pytest.mark.parametrize("query, bad_field", [
    ({"from": "2026-11-21", "to": "2026-11-20"}, "from"),
    ({"from": "1899-12-31"}, "from"),
    ({"to": "3000-01-01"}, "to"),
    ({"from": "2026-02-30"}, "from"),
])
def test_bad_periods_are_validation_errors(client, supervisor, path, query, bad_field):
    response = client.sign_in_as(supervisor).get(path, query_string=query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and bad_field in error["fields"]


@pytest.mark.parametrize("path, action", [("/stats/outcomes", "stats.outcomes"),
                                          ("/stats/referrals", "stats.referrals")])
def test_reading_the_figures_is_audited(db, client, supervisor, path, action):
    from app.audit.models import AuditEvent

    assert client.sign_in_as(supervisor).get(path, query_string={"from": "2026-01-01"}).status_code == 200
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)).one()
    assert event.actor_id == supervisor.id and event.detail["date_from"] == "2026-01-01"


def test_the_median_hours_are_those_of_the_middle_referrals_by_time_waited(client, supervisor, officer, agency):
    """Each agency's middle referral(s) by the time waited (not by when made or accepted): the one in the
    middle, or the mean of the middle two."""
    from tests.test_stats_factories import make_person, make_referral

    noon = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)  # 14:00 in Edmonton: every referral made on June 1
    person = make_person(officer)
    for made, waited in ((-12, 30), (0, 5), (1, 1), (3, 2), (9, 7 / 6)):  # hours
        make_referral(officer, person, agency, noon + timedelta(hours=made),
                      noon + timedelta(hours=made + waited))
    period = {"from": "2026-06-01", "to": "2026-06-01"}
    as_supervisor = client.sign_in_as(supervisor)

    def row() -> dict:
        agencies = as_supervisor.get("/stats/referrals", query_string=period).get_json()["agencies"]
        return next(r for r in agencies if r["agency_id"] == agency.id)

    assert (row()["accepted"], row()["median_hours_to_accept"]) == (5, 2.0)
    make_referral(officer, person, agency, noon + timedelta(hours=4), noon + timedelta(hours=7, minutes=18))
    assert (row()["accepted"], row()["median_hours_to_accept"]) == (6, 2.65)
