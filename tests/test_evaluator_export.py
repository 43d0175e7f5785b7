"""GET /exports/encounters.csv: de-identified rows for evaluators.

The canary test loads 1,000 encounters (and their people) through POST /sync with a unique marker in
every field that identifies someone or something (names, aliases, descriptions, notes, call numbers,
the site's name and address) and distinctive coordinates and times, then searches the file for each.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.directory.models import Site
from app.extensions import db as _db
from app.vocabulary import ENCOUNTER_KINDS, NEEDS, OUTCOMES, RISK_FLAGS
from testkit import entries as e
from testkit import factories

EDMONTON = ZoneInfo("America/Edmonton")
COLUMNS = ["person_key", "week", "team", "kind", "needs", "risk_flags", "outcome", "triage_level", "age_band"]


def export(client, **period) -> tuple[list[str], list[dict], str]:
    response = client.get("/exports/encounters.csv", query_string=period)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader), text


def test_no_identifying_field_of_a_thousand_records_reaches_the_export(db, make_client, team, supervisor):
    marker = f"CANARY{uuid.uuid4().hex[:10]}"
    rng = random.Random(4)
    site = factories.make_site(name=f"{marker}-site")
    _db.session.execute(sa.update(Site).where(Site.id == site.id).values(address=f"{marker}-address"))
    officers = [factories.make_user("officer", team=team) for _ in range(3)]
    phones = [make_client().sign_in_as(o) for o in officers]
    start = datetime(2026, 1, 5, tzinfo=UTC)
    sent_times, coordinates = [], []
    entries_by_phone: list[list[dict]] = [[] for _ in phones]
    people = []
    met: set[str] = set()
    for n in range(200):
        person = e.person(display_name=f"{marker}-display-{n}", given_name=f"{marker}-given",
                          family_name=f"{marker}-family", description=f"{marker} tall, green jacket",
                          aliases=[f"{marker}-alias-a", f"{marker}-alias-b"], gender=f"{marker}-gender",
                          birth_year=rng.randrange(1940, 2008))
        people.append(person)
        entries_by_phone[n % len(phones)].append(person)
    for n in range(1000):
        phone = n % len(phones)
        kind = rng.choice(ENCOUNTER_KINDS)
        at = start + timedelta(seconds=rng.randrange(0, 300 * 24 * 3600))
        lat, lon = round(53.4 + rng.random() / 10, 7), round(-113.6 + rng.random() / 10, 7)
        sent_times.append(at)
        coordinates += [lat, lon]
        person = people[rng.randrange(len(people))] if n % 10 else None
        data = {"occurred_at": at.isoformat(), "notes": f"{marker} note {n}", "description": f"{marker} seen {n}",
                "location": {"lat": lat, "lon": lon, "accuracy_m": 7.25}, "duration_minutes": 17,
                "needs": rng.sample(NEEDS, 2), "risk_flags": rng.sample(RISK_FLAGS, 1),
                "outcome": rng.sample(OUTCOMES, 1)}
        if kind in ("primary_response", "on_scene_assist"):
            data["call_number"] = f"{marker}-{n}"
        if kind == "shelter_check_in":
            data["site_id"] = site.id
        if person is not None:  # people are the team's: any officer's phone may name any of them
            data["person_id"] = person["id"]
            met.add(person["id"])
        entries_by_phone[phone].append(e.encounter(kind, **data))
    # People first (all phones), then encounters.
    for phone, entries in zip(phones, entries_by_phone, strict=True):
        persons = [x for x in entries if x["type"] == "person"]
        assert e.statuses(phone.post("/sync", e.batch(*persons))) == ["created"] * len(persons)
    for phone, entries in zip(phones, entries_by_phone, strict=True):
        encounters = [x for x in entries if x["type"] == "encounter"]
        for chunk in range(0, len(encounters), 400):
            batch = encounters[chunk:chunk + 400]
            assert e.statuses(phone.post("/sync", e.batch(*batch))) == ["created"] * len(batch)

    columns, rows, text = export(make_client().sign_in_as(supervisor), **{"from": "2026-01-01", "to": "2026-12-31"})
    assert columns == COLUMNS and len(rows) == 1000
    assert marker not in text and marker.lower() not in text.lower()
    for at in sent_times:  # neither the instant nor the local date or time of day
        local = at.astimezone(EDMONTON)
        for form in (at.isoformat(), local.isoformat(), local.date().isoformat(), local.strftime("%H:%M:%S"),
                     at.strftime("%H:%M:%S")):
            assert form not in text, form
    for value in coordinates:
        assert str(value) not in text
    assert "7.25" not in text and ",17," not in text
    # The people are there, pseudonymously: one key per person met, the anonymous tenth without one.
    assert len({r["person_key"] for r in rows if r["person_key"]}) == len(met)
    assert sum(1 for r in rows if r["person_key"] == "") == 100
    assert not [p["id"] for p in people if p["id"] in text or p["id"].replace("-", "") in text]


@pytest.fixture
def small_history(db, make_client, team, supervisor):
    officer = factories.make_user("officer", team=team)
    phone = make_client().sign_in_as(officer)
    young, old, unknown = (e.person(display_name="A", birth_year=2001), e.person(display_name="B", birth_year=1957),
                           e.person(display_name="C"))
    # 2026-03-01 is a Sunday (ISO week 9); 23:30 in Edmonton is already 2026-03-02 in UTC (week 10).
    first = e.encounter("interaction", person_id=young["id"], occurred_at="2026-03-01T23:30:00-07:00",
                        needs=["housing", "food"], risk_flags=["exposure_cold"], outcome=["transported_shelter"])
    second = e.encounter("consultation", person_id=young["id"], occurred_at="2026-03-09T10:00:00-06:00")
    third = e.encounter("primary_response", person_id=old["id"], occurred_at="2026-03-02T08:00:00-07:00",
                        call_number="26-000111", outcome=["diverted_from_custody"], triage_level=2)
    fourth = e.encounter("interaction", person_id=unknown["id"], occurred_at="2026-03-03T12:00:00-07:00")
    anonymous = e.encounter("interaction", occurred_at="2026-03-04T12:00:00-07:00")
    voided = e.encounter("interaction", person_id=old["id"], occurred_at="2026-03-04T13:00:00-07:00")
    outside = e.encounter("interaction", person_id=old["id"], occurred_at="2026-02-28T23:59:00-07:00")
    assert set(e.statuses(phone.post("/sync", e.batch(young, old, unknown, first, second, third, fourth, anonymous,
                                                     voided, outside)))) == {"created"}
    assert e.statuses(phone.post("/sync", e.batch(e.encounter_void(voided["id"])))) == ["created"]
    return {"young": young, "old": old, "unknown": unknown, "team": team}


def test_each_row_carries_only_coarse_values(small_history, client, supervisor):
    as_supervisor = client.sign_in_as(supervisor)
    _columns, rows, _text = export(as_supervisor, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert len(rows) == 5  # the voided one and the one on February 28 (local) are left out
    by_kind = sorted((r["week"], r["kind"], r["age_band"], r["needs"], r["risk_flags"], r["outcome"],
                      r["triage_level"], r["team"]) for r in rows)
    assert by_kind == sorted([
        ("2026-W09", "interaction", "20-29", "food;housing", "exposure_cold", "transported_shelter", "2",
         "Downtown HELP"),  # triage level 2: the rules' level for exposure to cold
        ("2026-W11", "consultation", "20-29", "", "", "", "4", "Downtown HELP"),
        ("2026-W10", "primary_response", "60-69", "", "", "diverted_from_custody", "2", "Downtown HELP"),
        ("2026-W10", "interaction", "", "", "", "", "4", "Downtown HELP"),
        ("2026-W10", "interaction", "", "", "", "", "4", "Downtown HELP"),
    ])
    young_keys = {r["person_key"] for r in rows if r["age_band"] == "20-29"}
    assert len(young_keys) == 1 and young_keys != {""}  # one person, one pseudonym within the export
    assert sorted(r["person_key"] == "" for r in rows).count(True) == 1  # the anonymous encounter
    # Sorted by week, team, kind and pseudonym: the order says nothing finer than the week.
    assert rows == sorted(rows, key=lambda r: (r["week"], r["team"], r["kind"], r["person_key"]))


def test_the_pseudonym_differs_from_one_export_to_the_next(small_history, client, supervisor):
    as_supervisor = client.sign_in_as(supervisor)
    period = {"from": "2026-03-01", "to": "2026-03-31"}
    keys = [{r["person_key"] for r in export(as_supervisor, **period)[1] if r["person_key"]} for _ in range(2)]
    assert len(keys[0]) == 3 and len(keys[1]) == 3 and not keys[0] & keys[1]
    for person in ("young", "old", "unknown"):
        assert small_history[person]["id"] not in str(keys)


def test_exports_are_audited_and_periods_default_to_the_first_encounter_until_today(small_history, client,
                                                                                     supervisor):
    as_supervisor = client.sign_in_as(supervisor)
    response = as_supervisor.get("/exports/encounters.csv")
    assert response.status_code == 200
    today = datetime.now(EDMONTON).date().isoformat()
    assert f'help-encounters-2026-02-28-{today}.csv' in response.headers["Content-Disposition"]
    event = _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.encounters")).one()
    assert event.actor_id == supervisor.id and event.detail == {"date_from": "2026-02-28", "date_to": today,
                                                                 "rows": 6}


@pytest.mark.parametrize("query, bad_field", [({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
                                              ({"to": "3000-01-01"}, "to")])
def test_bad_periods_are_refused(db, client, supervisor, query, bad_field):
    response = client.sign_in_as(supervisor).get("/exports/encounters.csv", query_string=query)
    assert response.status_code == 400 and bad_field in response.get_json()["error"]["fields"]


def test_iso_weeks_and_age_bands():
    from app.stats.evaluator_export import age_band, iso_week

    assert iso_week(date(2026, 1, 1)) == "2026-W01" and iso_week(date(2027, 1, 1)) == "2026-W53"
    assert iso_week(date(2025, 12, 29)) == "2026-W01"
    assert age_band(1996, date(2026, 5, 1)) == "30-39" and age_band(1997, date(2026, 5, 1)) == "20-29"
    assert age_band(None, date(2026, 5, 1)) == "" and age_band(2030, date(2026, 5, 1)) == ""


def test_a_long_export_is_streamed_sorted_as_one_file_and_audited_with_its_rows(db, client, supervisor, team):
    """Weeks are read and written one after another; the file is the one sorting every row would give,
    across an ISO year that starts in December (2025-W01 begins on 2024-12-30)."""
    from tests.test_stats_factories import make_encounter, make_person

    north = factories.make_team("North HELP")
    officers = [factories.make_user("officer", team=t) for t in (team, north)]
    people = [make_person(officers[n % 2], f"P{n}") for n in range(6)]
    rng = random.Random(15)
    start = datetime(2024, 12, 1, 18, tzinfo=UTC)
    for n in range(300):
        make_encounter(officers[n % 2], start + timedelta(hours=rng.randrange(24 * 70)), rng.choice(ENCOUNTER_KINDS),
                       person=rng.choice([*people, None]))
    response = client.sign_in_as(supervisor).get("/exports/encounters.csv",
                                                 query_string={"from": "2024-12-01", "to": "2025-02-15"})
    assert response.status_code == 200 and response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == COLUMNS and len(rows) == 301
    assert {"2024-W52", "2025-W01", "2025-W02"} <= {row[1] for row in rows[1:]}
    assert rows[1:] == sorted(rows[1:], key=lambda r: (r[1], r[2], r[3], r[0], r[4:]))
    event = _db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.encounters")).one()
    assert event.detail["rows"] == 300
