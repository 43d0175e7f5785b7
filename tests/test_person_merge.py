"""Merging duplicate persons: the candidates a supervisor reviews, the merge itself in one
transaction, the duplicate left as a pointer, and entries naming it afterwards stored against the kept
person; distinct-people counts follow, daily counts do not move."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.encounters.models import Encounter
from app.extensions import db
from app.people.models import Person
from app.records import local_day
from testkit import cases as c
from testkit import entries as e


@pytest.fixture
def as_supervisor(make_client, supervisor):
    return make_client().sign_in_as(supervisor)


def _new(client, **data) -> str:
    return c.new_person(client, **data)


def _merge(client, kept_id, duplicate_id, reason="Same person: same birth year, street name matches."):
    return client.post(f"/persons/{kept_id}/merge", {"duplicate_id": duplicate_id, "reason": reason})


def _sync(client, *entries) -> list[dict]:
    return client.post("/sync", e.batch(*entries)).get_json()["results"]


# --- duplicates ------------------------------------------------------------------------------

def test_duplicates_pair_a_street_name_and_initials_with_the_full_name_best_first(as_officer, as_supervisor):
    beverly = _new(as_officer, display_name="Beverly Moore", birth_year=1979)
    bev = _new(as_officer, display_name="Bev M.", birth_year=1979)
    slim = _new(as_officer, display_name="Robert King", aliases=["Slim"], birth_year=1990)
    slim_again = _new(as_officer, display_name="Slim", birth_year=1991)
    _new(as_officer, display_name="Wren Abbott", birth_year=1960)
    items = as_supervisor.get("/persons/duplicates").get_json()["items"]
    pairs = [({i["a"]["id"], i["b"]["id"]}, i["reasons"]) for i in items]
    assert {bev, beverly} in [p for p, _ in pairs] and {slim, slim_again} in [p for p, _ in pairs]
    assert len(items) == 2
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert all(0 < i["score"] <= 1 for i in items)
    reasons = dict((frozenset(p), r) for p, r in pairs)
    assert reasons[frozenset({bev, beverly})] == ["similar_name", "same_birth_year"]
    assert reasons[frozenset({slim, slim_again})] == ["alias_is_name", "birth_year_within_1"]


def test_duplicates_skip_far_birth_years_and_merged_persons_and_honour_the_limit(as_officer, as_supervisor):
    _new(as_officer, display_name="Dana Cree", birth_year=1950)
    _new(as_officer, display_name="Dana Cree", birth_year=1990)
    kept = _new(as_officer, display_name="Jo Tallman", aliases=["Tall Jo"])
    dup = _new(as_officer, display_name="Jo Tallman", aliases=["Tall Jo"])
    _new(as_officer, display_name="Ari Lent")
    _new(as_officer, display_name="Ari Lent")
    assert len(as_supervisor.get("/persons/duplicates?limit=1").get_json()["items"]) == 1
    assert len(as_supervisor.get("/persons/duplicates").get_json()["items"]) == 2
    assert _merge(as_supervisor, kept, dup).status_code == 200
    [item] = as_supervisor.get("/persons/duplicates").get_json()["items"]
    assert item["a"]["display_name"] == "Ari Lent"


def test_only_supervisors_and_admins_list_duplicates_or_merge(as_officer, navigator, admin, make_client):
    a, b = _new(as_officer), _new(as_officer)
    as_navigator = make_client().sign_in_as(navigator)
    for client in (as_officer, as_navigator):
        assert client.get("/persons/duplicates").status_code == 403
        assert _merge(client, a, b).status_code == 403
    as_admin = make_client().sign_in_as(admin)
    assert as_admin.get("/persons/duplicates").status_code == 200
    assert _merge(as_admin, a, b).status_code == 200


# --- the merge -------------------------------------------------------------------------------

def test_a_merge_moves_records_names_and_aliases_to_the_kept_person(as_officer, as_supervisor, agency):
    kept = _new(as_officer, display_name="Beverly Moore", aliases=["Bev"], birth_year=1979)
    dup = _new(as_officer, display_name="Bev M.", given_name="Beverly", family_name="Moore",
               aliases=["bev", "Birdie"], gender="woman", description="red coat", birth_year=1979)
    enc, ref = e.encounter(person_id=dup), e.referral(dup, agency.id)
    assert [r["status"] for r in _sync(as_officer, enc, ref)] == ["created", "created"]
    case = c.open_case(as_officer, dup)
    response = _merge(as_supervisor, kept, dup)
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == kept and body["aliases"] == ["Bev", "Bev M.", "Birdie"]
    assert (body["encounters"], body["referrals"], body["cases"]) == ([enc["id"]], [ref["id"]], [case["id"]])
    assert body["version"] == 2 and body["history"][-1]["fields"] == ["aliases"]
    gone = as_supervisor.get(f"/persons/{dup}").get_json()
    assert gone["merged_into"] == kept and gone["id"] == dup
    assert all(gone[name] in (None, []) for name in ("display_name", "given_name", "family_name", "birth_year",
                                                      "gender", "description", "aliases"))
    assert (gone["encounters"], gone["referrals"], gone["cases"]) == ([], [], [])
    assert as_officer.get("/persons?q=bev").get_json()[0]["id"] == kept
    assert len(as_officer.get("/persons?q=bev").get_json()) == 1


def test_the_kept_person_holds_at_most_ten_aliases_its_own_first(as_officer, as_supervisor):
    kept = _new(as_officer, display_name="Kay", aliases=[f"K{n}" for n in range(8)])
    dup = _new(as_officer, display_name="Kay L.", aliases=["Kit", "Kitty", "Katie"])
    body = _merge(as_supervisor, kept, dup).get_json()
    assert body["aliases"] == [*(f"K{n}" for n in range(8)), "Kay L.", "Kit"]


def test_the_merge_is_audited_with_ids_only(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    reason = "Both are Beverly from the river valley camp"
    assert _merge(as_supervisor, kept, dup, reason=reason).status_code == 200
    [row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "person.merge")).all()
    assert (row.target_id, row.detail, row.outcome) == (kept, {"duplicate_id": dup}, "ok")
    assert "river" not in str(db.session.scalars(sa.select(AuditEvent.detail)).all())


def test_both_with_an_open_case_is_a_conflict_and_nothing_changes(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer, display_name="Wren")
    c.open_case(as_officer, kept)
    c.open_case(as_officer, dup)
    response = _merge(as_supervisor, kept, dup)
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "conflict")
    assert as_supervisor.get(f"/persons/{dup}").get_json()["display_name"] == "Wren"


def test_merging_into_a_merged_person_or_into_itself_is_a_validation_error(as_officer, as_supervisor):
    kept, dup, third = _new(as_officer), _new(as_officer), _new(as_officer)
    assert _merge(as_supervisor, kept, kept).status_code == 400
    assert _merge(as_supervisor, kept, dup).status_code == 200
    for kept_id, dup_id in ((dup, third), (third, dup)):
        response = _merge(as_supervisor, kept_id, dup_id)
        assert (response.status_code, response.get_json()["error"]["code"]) == (400, "validation_error")
    assert _merge(as_supervisor, kept, "0d4f7a8e-0000-4000-8000-000000000000").status_code == 404


def test_a_later_merge_of_the_kept_person_repoints_the_earlier_duplicate(as_officer, as_supervisor):
    first, second, third = _new(as_officer), _new(as_officer), _new(as_officer)
    _merge(as_supervisor, second, first)
    _merge(as_supervisor, third, second)
    assert as_supervisor.get(f"/persons/{first}").get_json()["merged_into"] == third


def test_the_changes_feed_carries_the_duplicate_with_merged_into(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    cursor = as_officer.get("/sync/changes").get_json()["cursor"]
    _merge(as_supervisor, kept, dup)
    persons = {p["id"]: p for p in as_officer.get(f"/sync/changes?since={cursor}").get_json()["persons"]}
    assert persons[dup]["merged_into"] == kept and persons[dup]["display_name"] is None
    assert kept in persons


# --- entries naming the duplicate afterwards -------------------------------------------------

def test_entries_naming_the_duplicate_afterwards_are_stored_against_the_kept_person(as_officer, as_supervisor, agency):
    kept, dup = _new(as_officer, display_name="Beverly Moore"), _new(as_officer, display_name="Bev")
    _merge(as_supervisor, kept, dup)
    enc, ref, intake = e.encounter(person_id=dup), e.referral(dup, agency.id), e.case_intake(dup)
    update = e.person_update(dup, 1, description="green jacket")
    assert [r["status"] for r in _sync(as_officer, enc, ref, intake, update)] == ["created"] * 4
    body = as_officer.get(f"/persons/{kept}").get_json()
    assert (body["encounters"], body["referrals"], body["cases"]) == ([enc["id"]], [ref["id"]], [intake["id"]])
    assert body["description"] == "green jacket"
    assert as_officer.get(f"/persons/{dup}").get_json()["description"] is None
    assert [r["status"] for r in _sync(as_officer, enc)] == ["duplicate"]


def test_a_rest_update_naming_the_duplicate_changes_the_kept_person(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    _merge(as_supervisor, kept, dup)
    response = as_officer.patch(f"/persons/{dup}", {"base_version": 1, "gender": "woman"})
    assert response.status_code == 200 and response.get_json()["id"] == kept
    assert response.get_json()["gender"] == "woman"


# --- counts ------------------------------------------------------------------------------------

def test_distinct_people_counts_follow_the_merge_and_daily_counts_do_not_move(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    when = e.in_future(-60 * 24)
    _sync(as_officer, *(e.encounter(person_id=p, occurred_at=when) for p in (kept, kept, kept, dup, dup)))
    day = local_day(datetime.fromisoformat(when.replace("Z", "+00:00"))).isoformat()  # the local day, not UTC's
    query = f"?from={day}&to={day}"
    daily_before = as_supervisor.get(f"/stats/daily{query}").get_json()
    engaged = lambda: as_supervisor.get(f"/stats/summary{query}").get_json()  # noqa: E731
    assert '"people_engaged": 2' in _compact(engaged())
    heavy = as_supervisor.get("/stats/heavy-users?min_encounters=4").get_json()["people"]
    assert heavy == []
    _merge(as_supervisor, kept, dup)
    assert as_supervisor.get(f"/stats/daily{query}").get_json() == daily_before
    assert '"people_engaged": 1' in _compact(engaged())
    [row] = as_supervisor.get("/stats/heavy-users?min_encounters=4").get_json()["people"]
    assert (row["person_id"], row["encounters"]) == (kept, 5)


def _compact(body) -> str:
    import json

    return json.dumps(body, sort_keys=True)


def test_a_person_with_a_thousand_encounters_merges(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    for start in range(0, 1000, 500):
        results = _sync(as_officer, *(e.encounter(person_id=dup) for _ in range(500)))
        assert {r["status"] for r in results} == {"created"}, start
    assert _merge(as_supervisor, kept, dup).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Encounter)
                             .where(Encounter.person_id == kept)) == 1000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)
                             .where(Person.merged_into == kept)) == 1
