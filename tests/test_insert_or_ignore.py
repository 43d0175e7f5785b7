"""insert_or_ignore stores rows exactly once, as given, on both databases.

On PostgreSQL it sends one array per column (`INSERT ... SELECT * FROM unnest(...)`); these tests
check that it stores, column for column, what SQLAlchemy's general `INSERT ... VALUES` stores for the
same rows, and that rows it cannot send as arrays still go in through the general statement.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.cases.models import Case, CaseGoal, CaseNote, CaseTransition
from app.db import bulk
from app.db.bulk import insert_or_ignore
from app.encounters.models import Encounter
from app.entries.outcomes import Entry
from app.entries.store import store_once
from app.extensions import db
from app.people.models import Person
from app.records import as_utc
from app.referrals.models import Referral
from testkit import factories

EDMONTON = ZoneInfo("America/Edmonton")
NOW = datetime(2026, 11, 21, 18, 30, 15, 123456, tzinfo=UTC)
AWKWARD = 'quote " backslash \\ braces {a,b} comma, NULL\nnew line é ✓'


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def world(db):
    team = factories.make_team()
    agency = factories.make_agency()
    site = factories.make_site(agency)
    author = factories.make_user("officer", team=team)
    lead = factories.make_user("navigator", team=team, agency=agency)
    return {"team": team, "agency": agency, "site": site, "author": author, "lead": lead}


def stamp(world, index: int, change_seq: int = 0) -> dict:
    """The FieldRecord columns, varied a little from row to row."""
    return {"author_id": world["author"].id, "team_id": world["team"].id if index % 2 == 0 else None,
            "device_id": f"phone-{index}" if index != 1 else None, "received_at": NOW + timedelta(seconds=index),
            "entry_hash": f"{index:064x}", "change_seq": change_seq}


def person_rows(world, n: int = 3) -> list[dict]:
    rows = []
    for i in range(n):
        rows.append({"id": new_id(), "display_name": f"Alias {i}" if i else AWKWARD,
                     "given_name": None if i == 1 else "", "family_name": "O'Brien" if i == 2 else None,
                     "birth_year": 1975 + i if i != 1 else None, "gender": None, "description": AWKWARD,
                     "consent_to_share": i == 0,
                     "consent_recorded_at": datetime(2026, 11, 20, 9, 5, tzinfo=EDMONTON) if i == 0 else None,
                     "aliases": [f"Nick {i}", "Slim"] if i else [],  # the person service always writes them
                     "search_text": f"alias {i}", **stamp(world, i, change_seq=7)})
    return rows


def encounter_rows(world, persons: list[str]) -> list[dict]:
    needs = [["food", "housing"], [], ["medical"]]
    rows = []
    for i, need in enumerate(needs):
        rows.append({
            "id": new_id(), "kind": ("interaction", "shelter_check_in", "consultation")[i],
            "occurred_at": (datetime(2026, 11, 20, 23, 45, tzinfo=EDMONTON) if i == 0
                            else NOW - timedelta(hours=i, microseconds=i)),
            "occurred_on": date(2026, 11, 20), "person_id": persons[i] if i != 2 else None,
            "call_number": None, "site_id": world["site"].id if i == 1 else None,
            "needs": need, "risk_flags": ["overdose_risk"] if i == 0 else [],
            # A JSON None is stored as JSON null by both statements (the column is NOT NULL).
            "outcome": None if i == 2 else [{"referred": True, "to": ["a", 1, None]}],
            "triage_level": 4 - i, "triage_computed": 4 - i,
            "lat": 53.5461 if i != 1 else None, "lon": -113.4938 if i != 1 else None,
            "accuracy_m": 12.5 if i == 0 else None, "duration_minutes": (15, None, 0)[i],
            "description": AWKWARD if i == 0 else None, "notes": "" if i == 1 else "notes",
            **stamp(world, i)})
    return rows


def referral_rows(world, persons: list[str], encounters: list[str]) -> list[dict]:
    return [{"id": new_id(), "person_id": persons[i], "agency_id": world["agency"].id,
             "encounter_id": encounters[i] if i != 1 else None, "service": ("housing", "food", "medical")[i],
             "urgency": ("routine", "urgent", "emergent")[i], "consent_obtained": i != 1,
             "notes": AWKWARD if i == 0 else None, "status": "pending", "version": 1,
             "made_at": NOW - timedelta(days=i), "made_on": date(2026, 11, 21) - timedelta(days=i),
             "updated_at": NOW, **stamp(world, i, change_seq=3)} for i in range(3)]


def case_rows(world, persons: list[str]) -> list[dict]:
    """One open case per person (a person has at most one)."""
    return [{"id": new_id(), "person_id": person, "referral_id": None, "lead_user_id": world["lead"].id,
             "officer_id": world["author"].id if i == 0 else None, "agency_id": world["agency"].id,
             "program": "Heavy users" if i != 2 else None, "notes": AWKWARD if i == 1 else None,
             "status": "open", "opened_at": NOW - timedelta(days=i), "opened_on": date(2026, 11, 21) - timedelta(days=i),
             "review_due_on": date(2027, 2, 19) if i != 1 else None, "tracking_until": date(2028, 11, 21),
             **stamp(world, i, change_seq=5)} for i, person in enumerate(persons)]


def goal_rows(world, cases: list[str]) -> list[dict]:
    return [{"id": new_id(), "case_id": cases[i], "description": AWKWARD if i == 0 else f"goal {i}",
             "status": ("set", "in_progress", "met")[i], "set_on": date(2026, 11, 21),
             "target_date": date(2027, 1, 1) if i != 2 else None, "status_changed_at": NOW, **stamp(world, i)}
            for i in range(3)]


def note_rows(world, cases: list[str]) -> list[dict]:
    return [{"id": new_id(), "case_id": cases[i % 2], "body": AWKWARD if i == 0 else f"note {i}",
             "at": datetime(2026, 11, 21, 8, 0, tzinfo=EDMONTON) + timedelta(minutes=i), **stamp(world, i)}
            for i in range(3)]


def transition_rows(world, cases: list[str]) -> list[dict]:
    return [{"id": new_id(), "case_id": cases[i], "agency_id": world["agency"].id, "program": f"Program {i}",
             "transitioned_at": NOW + timedelta(hours=i), "transitioned_on": date(2026, 11, 21),
             **stamp(world, i, change_seq=9)} for i in range(2)]


@contextmanager
def statements():
    """The SQL text of every statement sent while inside."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def stored(model, ids) -> dict[str, dict]:
    table = model.__table__
    return {str(r["id"]): dict(r) for r in db.session.execute(
        sa.select(table).where(table.c.id.in_(list(ids)))).mappings()}


def stored_text(model, ids) -> dict[str, tuple]:
    """Every column as PostgreSQL prints it: the stored bytes of JSON, times to the microsecond."""
    table = model.__table__
    return {str(r[0]): tuple(r) for r in db.session.execute(
        sa.select(*[sa.cast(c, sa.Text) for c in table.c]).where(table.c.id.in_(list(ids))))}


def assert_stored_as_given(model, rows: list[dict]) -> None:
    got = stored(model, {r["id"] for r in rows})
    assert set(got) == {r["id"] for r in rows}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, datetime):
                assert got[row["id"]][key] == as_utc(value), key
            else:
                assert got[row["id"]][key] == value, key


def insert_checked(model, rows: list[dict]) -> list[str]:
    """Insert through insert_or_ignore and check every promise; returns the ids."""
    ids = {r["id"] for r in rows}
    if on_postgresql():
        # Same rows, same ids: what the array statement stores equals what the general one stores.
        nested = db.session.begin_nested()
        with statements() as sent:
            assert insert_or_ignore(model, rows) == ids
        assert any("unnest(" in s for s in sent), sent
        by_arrays = stored_text(model, ids)
        nested.rollback()
        nested = db.session.begin_nested()
        assert bulk._insert_with_values(model.__table__, rows, "postgresql") == ids
        by_values = stored_text(model, ids)
        nested.rollback()
        assert by_arrays == by_values
    assert insert_or_ignore(model, rows) == ids
    assert_stored_as_given(model, rows)
    # A resend inserts nothing and changes nothing.
    assert insert_or_ignore(model, [dict(r, entry_hash="f" * 64) for r in rows]) == set()
    assert_stored_as_given(model, rows)
    return [r["id"] for r in rows]


def test_rows_of_every_model_are_stored_as_given(world):
    persons = insert_checked(Person, person_rows(world, 6))
    encounters = insert_checked(Encounter, encounter_rows(world, persons))
    insert_checked(Referral, referral_rows(world, persons, encounters))
    cases = insert_checked(Case, case_rows(world, persons[3:]))
    insert_checked(CaseGoal, goal_rows(world, cases))
    insert_checked(CaseNote, note_rows(world, cases))
    insert_checked(CaseTransition, transition_rows(world, cases))
    outcome = stored(Encounter, encounters)
    assert outcome[encounters[2]]["outcome"] is None
    assert outcome[encounters[1]]["needs"] == []
    assert outcome[encounters[0]]["outcome"] == [{"referred": True, "to": ["a", 1, None]}]


def test_duplicates_are_ignored_and_not_reported(world):
    first = person_rows(world, 2)
    assert insert_or_ignore(Person, first) == {r["id"] for r in first}
    again = dict(first[0], display_name="Someone else", entry_hash="e" * 64)
    fresh = person_rows(world, 1)[0]
    assert insert_or_ignore(Person, [again, fresh, first[1]]) == {fresh["id"]}
    assert_stored_as_given(Person, first + [fresh])


def test_an_id_twice_in_one_call_is_inserted_once_with_the_first_content(world):
    persons = insert_checked(Person, person_rows(world, 3))
    one, other = encounter_rows(world, persons)[:2]
    twin = dict(other, id=one["id"])
    assert insert_or_ignore(Encounter, [one, twin]) == {one["id"]}
    assert_stored_as_given(Encounter, [one])


@pytest.mark.only_db("postgresql")  # the array statement is PostgreSQL's
def test_one_statement_text_for_any_number_of_rows(world):
    texts = []
    for n in (1, 4, 120):
        with statements() as sent:
            insert_or_ignore(Person, person_rows(world, n))
        texts += [s for s in sent if s.startswith("INSERT INTO persons")]
    assert len(texts) == 3 and len(set(texts)) == 1
    assert "unnest(" in texts[0] and "VALUES" not in texts[0]


def test_rows_the_arrays_cannot_carry_take_the_general_statement(world):
    persons = insert_checked(Person, person_rows(world, 6))

    # A float column given an int and a float (psycopg refuses mixed lists).
    mixed = encounter_rows(world, persons)[:2]
    mixed[0]["lat"], mixed[1]["lat"] = 53, 53.25
    with statements() as sent:
        assert insert_or_ignore(Encounter, mixed) == {r["id"] for r in mixed}
    assert_stored_as_given(Encounter, mixed)
    if on_postgresql():
        assert not any("unnest(" in s for s in sent)

    # A column left out whose Python default is computed per row (the tracking window from the intake day).
    without_window = case_rows(world, persons[:1])
    del without_window[0]["tracking_until"]
    with statements() as sent:
        assert insert_or_ignore(Case, without_window) == {without_window[0]["id"]}
    assert stored(Case, [without_window[0]["id"]])[without_window[0]["id"]]["tracking_until"] == date(2028, 11, 21)
    if on_postgresql():
        assert not any("unnest(" in s for s in sent)

    # A column left out with a constant default is filled as the general statement fills it.
    without_seq = case_rows(world, persons[1:2])
    for row in without_seq:
        del row["change_seq"], row["status"]
    with statements() as sent:
        assert insert_or_ignore(Case, without_seq) == {without_seq[0]["id"]}
    got = stored(Case, [without_seq[0]["id"]])[without_seq[0]["id"]]
    assert (got["change_seq"], got["status"]) == (0, "open")
    if on_postgresql():
        assert any("unnest(" in s for s in sent)


def test_a_row_breaking_a_rule_fails_the_batch_and_store_once_isolates_it(world):
    persons = insert_checked(Person, person_rows(world, 3))
    rows = encounter_rows(world, persons)
    rows[1]["person_id"] = new_id()  # no such person: a foreign key violation
    with pytest.raises(IntegrityError), db.session.begin_nested():
        insert_or_ignore(Encounter, rows)
    assert stored(Encounter, [r["id"] for r in rows]) == {}

    rows[2]["triage_level"] = 9  # breaks the CHECK constraint
    entries = [Entry(id=r["id"], type="encounter", data={}, hash=r["entry_hash"]) for r in rows]
    outcomes = store_once(Encounter, entries, rows, lambda _r: None)
    assert [o.status for o in outcomes] == ["created", "rejected", "rejected"]
    assert {o.error["code"] for o in outcomes[1:]} == {"validation_error"}
    assert_stored_as_given(Encounter, rows[:1])


@pytest.mark.only_db("postgresql")  # SQLite does not enforce VARCHAR lengths
def test_an_over_long_text_is_refused_not_cut(world):
    rows = person_rows(world, 2)
    rows[1]["display_name"] = "x" * 121  # VARCHAR(120)
    with pytest.raises(sa.exc.DataError), db.session.begin_nested():
        insert_or_ignore(Person, rows)
    assert stored(Person, [r["id"] for r in rows]) == {}
