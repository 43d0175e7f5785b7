"""The distinct counts' own tables (app/stats/distinct.py) stay equal to a recount from the records
through everything that moves a person or a call: entries through POST /sync, amendments (another
person, day, kind or call number), voids, merges of people and a team moved to another group."""

from __future__ import annotations

import pytest

from app.stats import distinct
from testkit import cases as c
from testkit import entries as e
from testkit import factories


@pytest.fixture
def as_supervisor(make_client, supervisor):
    return make_client().sign_in_as(supervisor)


@pytest.fixture
def as_admin(make_client, admin):
    return make_client().sign_in_as(admin)


def _sync(client, *entries) -> list[str]:
    return e.statuses(client.post("/sync", e.batch(*entries)))


def _in_step() -> None:
    rows, pairs = distinct.stored()
    assert (rows, pairs) == distinct.recount()


def test_the_tables_equal_a_recount_after_corrections_merges_and_regrouping(
        as_officer, as_supervisor, as_admin, make_client, team, db):
    team.group = "core"
    branch = factories.make_team("Whyte Ave HELP")
    branch.group = "branch"
    as_branch = make_client().sign_in_as(factories.make_user("officer", team=branch))
    kept, dup, third = (c.new_person(as_officer, display_name=name) for name in ("Kay Moss", "K. Moss", "Lee Ray"))
    first = e.encounter(person_id=kept, occurred_at="2025-03-08T23:30:00-07:00")
    call = e.encounter("primary_response", person_id=dup, call_number="25-0001", occurred_at="2025-03-09T03:10:00-06:00")
    same_call = e.encounter("primary_response", call_number="25-0001", occurred_at="2025-03-09T03:40:00-06:00")
    later = e.encounter(person_id=dup, occurred_at="2025-11-01T01:30:00-06:00")
    assert _sync(as_officer, first, call, later, e.case_intake(dup)) == ["created"] * 4
    wren = c.new_person(as_branch, display_name="Wren Abbott")
    assert _sync(as_branch, same_call, e.encounter(person_id=wren, occurred_at="2025-07-01T00:00:00-06:00"),
                 e.encounter("primary_response", call_number="25-0002",
                             occurred_at="2025-12-31T23:59:00-07:00")) == ["created"] * 3
    _in_step()

    # Another person, another day, another kind, another call number; then a void.
    assert _sync(as_officer, e.encounter_amend(first["id"], person_id=third)) == ["created"]
    assert _sync(as_officer, e.encounter_amend(later["id"], occurred_at="2026-01-15T10:00:00-07:00")) == ["created"]
    assert _sync(as_branch, e.encounter_amend(same_call["id"], call_number="25-0003")) == ["created"]
    assert _sync(as_officer, e.encounter_amend(call["id"], kind="interaction", call_number=None)) == ["created"]
    _in_step()
    assert _sync(as_branch, e.encounter_void(same_call["id"])) == ["created"]
    _in_step()

    assert as_supervisor.post(f"/persons/{kept}/merge", {"duplicate_id": dup, "reason": "Same person."}) \
        .status_code == 200
    _in_step()
    summary = as_supervisor.get("/stats/summary", query_string={"from": "2025-01-01", "to": "2026-12-31"}).get_json()
    assert (summary["people_engaged"], summary["case_intakes"], summary["calls_for_service"]) == (3, 1, 1)
    assert [(g["group"], g["people_engaged"]) for g in summary["by_group"]] == [("branch", 1), ("core", 2)]

    assert as_admin.patch(f"/teams/{branch.id}", {"group": "core"}).status_code == 200
    _in_step()
    summary = as_supervisor.get("/stats/summary", query_string={"from": "2025-01-01", "to": "2026-12-31"}).get_json()
    assert [(g["group"], g["people_engaged"]) for g in summary["by_group"]] == [("core", 3)]


def test_a_rejected_entry_in_a_batch_leaves_the_tables_in_step(as_officer, team):
    person = c.new_person(as_officer)
    good = e.encounter(person_id=person, occurred_at="2025-05-05T10:00:00-06:00")
    bad = e.encounter(person_id=factories.new_id(), occurred_at="2025-05-05T10:00:00-06:00")  # nobody
    statuses = _sync(as_officer, good, bad)
    assert statuses[0] == "created" and statuses[1] != "created"
    _in_step()


def test_rebuild_gives_what_was_kept_in_step(as_officer, team, db):
    person = c.new_person(as_officer)
    _sync(as_officer, e.encounter(person_id=person, occurred_at="2025-05-05T10:00:00-06:00"),
          e.encounter(person_id=person, occurred_at="2025-08-05T10:00:00-06:00"),
          e.encounter("primary_response", person_id=person, occurred_at="2025-09-05T10:00:00-06:00"))
    before = distinct.stored()
    assert before[0]
    distinct.rebuild()
    assert distinct.stored() == before
