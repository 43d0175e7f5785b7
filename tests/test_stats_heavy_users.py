"""GET /stats/heavy-users: who draws most on the teams lately, for case planning; every call audited."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from app.records import utcnow
from tests.test_stats_factories import make_case, make_encounter, make_person

ZERO_KINDS = {"interaction": 0, "primary_response": 0, "consultation": 0, "on_scene_assist": 0,
              "shelter_check_in": 0}


@pytest.fixture
def as_supervisor(client, supervisor):
    return client.sign_in_as(supervisor)


def days_ago(days: float):
    return utcnow() - timedelta(days=days)


def meet(author, person, *ages_in_days, kind="interaction"):
    for age in ages_in_days:
        make_encounter(author, days_ago(age), kind, person=person)


def heavy_users(client, **query) -> dict:
    response = client.get("/stats/heavy-users", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_people_are_listed_most_encounters_first_then_latest_contact(as_supervisor, officer):
    most, recent, earlier = (make_person(officer, n) for n in ("Most", "Recent", "Earlier"))
    meet(officer, most, 1, 2, 3, 4, 5, 6)
    meet(officer, recent, 10, 11, 12, 13, 1.5)
    meet(officer, earlier, 10, 11, 12, 13, 2.5)
    people = heavy_users(as_supervisor)["people"]
    assert [p["display_name"] for p in people] == ["Most", "Recent", "Earlier"]
    assert [p["encounters"] for p in people] == [6, 5, 5]


def test_each_person_shows_counts_by_kind_last_contact_and_whether_a_case_is_open(as_supervisor, officer):
    person = make_person(officer, "Jesse M.")
    meet(officer, person, 20, 30, kind="interaction")
    meet(officer, person, 15, kind="primary_response")
    meet(officer, person, 5, kind="shelter_check_in")
    last = make_encounter(officer, days_ago(0.5), "consultation", person=person)
    make_case(officer, person, days_ago(100), status="open")
    closed = make_person(officer, "Closed C.")
    meet(officer, closed, 1, 2, 3, 4, 5)
    make_case(officer, closed, days_ago(200), status="closed")
    people = heavy_users(as_supervisor)["people"]
    assert people[0] == {
        "person_id": person.id, "display_name": "Jesse M.", "encounters": 5,
        "by_kind": {**ZERO_KINDS, "interaction": 2, "primary_response": 1, "consultation": 1,
                    "shelter_check_in": 1},
        "last_contact": last.occurred_at.isoformat(), "open_case": True}
    assert (people[1]["display_name"], people[1]["open_case"]) == ("Closed C.", False)


def test_people_below_the_minimum_outside_the_window_or_anonymous_are_left_out(as_supervisor, officer):
    few = make_person(officer, "Few")
    meet(officer, few, 1, 2, 3, 4)  # four in the window
    meet(officer, few, 91, 120, 200)  # older than 90 days
    for age in (1, 2, 3, 4, 5, 6):
        make_encounter(officer, days_ago(age))  # nobody named
    assert heavy_users(as_supervisor)["people"] == []


def test_criteria_default_to_the_configured_values(as_supervisor, officer, app, monkeypatch):
    monkeypatch.setitem(app.config, "HEAVY_USER_DAYS", 30)
    monkeypatch.setitem(app.config, "HEAVY_USER_MIN_ENCOUNTERS", 2)
    lately, before = make_person(officer, "Lately"), make_person(officer, "Before")
    meet(officer, lately, 1, 29)
    meet(officer, before, 31, 40, 50)
    body = heavy_users(as_supervisor)
    assert (body["days"], body["min_encounters"]) == (30, 2)
    assert [p["display_name"] for p in body["people"]] == ["Lately"]


def test_criteria_in_the_query_override_the_defaults(as_supervisor, officer):
    person = make_person(officer, "Once")
    meet(officer, person, 3)
    meet(officer, make_person(officer, "Long ago"), 10)
    body = heavy_users(as_supervisor, days=7, min_encounters=1)
    assert (body["days"], body["min_encounters"]) == (7, 1)
    assert [p["display_name"] for p in body["people"]] == ["Once"]


def test_the_list_is_limited(as_supervisor, officer):
    for n in range(3):
        meet(officer, make_person(officer, f"P{n}"), *range(1, 6 + n))
    assert [p["display_name"] for p in heavy_users(as_supervisor, limit=2)["people"]] == ["P2", "P1"]
    response = as_supervisor.get("/stats/heavy-users", query_string={"limit": 101})
    assert response.status_code == 400 and "limit" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("query, field", [({"days": 0}, "days"), ({"days": 367}, "days"),
                                          ({"min_encounters": 0}, "min_encounters")])
def test_out_of_range_criteria_are_validation_errors(as_supervisor, query, field):
    response = as_supervisor.get("/stats/heavy-users", query_string=query)
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]


def test_every_call_is_audited_with_ids_and_never_names(as_supervisor, supervisor, officer):
    alex, sam = make_person(officer, "Alex Zebulon"), make_person(officer, "Sam Quixote")
    meet(officer, alex, 1, 2, 3, 4, 5, 6)
    meet(officer, sam, 1, 2, 3, 4, 5)
    heavy_users(as_supervisor)
    heavy_users(as_supervisor, min_encounters=50)
    events = list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "stats.heavy_users").order_by(AuditEvent.id)))
    assert [(e.actor_id, e.target_type, e.detail) for e in events] == [
        (supervisor.id, "person", {"days": 90, "min_encounters": 5, "listed": 2, "person_ids": [alex.id, sam.id]}),
        (supervisor.id, "person", {"days": 90, "min_encounters": 50, "listed": 0, "person_ids": []}),
    ]
    stored = json.dumps([e.detail for e in events]).lower()
    assert "zebulon" not in stored and "quixote" not in stored


def test_the_team_filter_counts_only_that_teams_encounters(as_supervisor, officer, team):
    from testkit import factories

    north = factories.make_team("North HELP")
    colleague = factories.make_user("officer", team=north)
    shared, theirs = make_person(officer, "Shared"), make_person(colleague, "Theirs")
    meet(officer, shared, 1, 2, 3)
    meet(colleague, shared, 4, 5, 6)
    meet(colleague, theirs, 1, 2, 3, 4, 5)
    assert [(p["display_name"], p["encounters"]) for p in heavy_users(as_supervisor)["people"]] == [
        ("Shared", 6), ("Theirs", 5)]
    assert [(p["display_name"], p["encounters"]) for p in heavy_users(as_supervisor, team_id=north.id)["people"]] \
        == [("Theirs", 5)]
    assert heavy_users(as_supervisor, team_id=team.id, min_encounters=3)["people"][0]["encounters"] == 3
