"""Merging duplicate persons: the candidates a supervisor reviews, the merge itself in one
transaction, the duplicate left as a pointer, and entries naming it afterwards stored against the kept
person; distinct-people counts follow, daily counts do not move."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.encounters.models import Encounter
from app.extensions import db
from app.people.models import Person
from app.records import local_day
from testkit import cases as c
from testkit import entries as e
from testkit import factories


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


def test_duplicates_meet_across_spelling_variants_and_initials_but_not_through_half_a_name(as_officer, as_supervisor):
    """The blocking keys (first letters, sound, initials) bring variants together; sharing only one
    word of two names (two Johns) is not listed."""
    pairs = [("Catherine Moore", "Katherine Moore"), ("Jo Tallman", "Joe Tallman"),
             ("Alan Thompson", "Alan Thomson"), ("J. Redcloud", "Jim Redcloud"), ("Slim", "Slym")]
    ids = {}
    for n, (a, b) in enumerate(pairs):
        ids[n] = {_new(as_officer, display_name=a, birth_year=1960 + 2 * n),
                  _new(as_officer, display_name=b, birth_year=1960 + 2 * n)}
    _new(as_officer, display_name="John Smith", birth_year=1990)
    _new(as_officer, display_name="John Brown", birth_year=1990)
    items = as_supervisor.get("/persons/duplicates").get_json()["items"]
    assert sorted([{i["a"]["id"], i["b"]["id"]} for i in items], key=sorted) == sorted(ids.values(), key=sorted)


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


@pytest.fixture
def other_team(make_client):
    """An officer of another team, with their client: they see only the persons their team logs."""
    user = factories.make_user("officer", team=factories.make_team("Northside HELP"))
    return make_client().sign_in_as(user)


def _kept_elsewhere(as_officer, other_team, as_supervisor) -> tuple[str, str]:
    """A person the other team logged, kept by a merge of a duplicate this officer's team logged."""
    kept = _new(other_team, display_name="Beverly Moore", birth_year=1979, description="limps, red coat")
    dup = _new(as_officer, display_name="Bev", birth_year=1979)
    assert _merge(as_supervisor, kept, dup).status_code == 200
    assert as_officer.get(f"/persons/{kept}").status_code == 404
    return kept, dup


@pytest.mark.parametrize("named", ["duplicate", "kept"])
def test_a_writer_who_saw_only_the_duplicate_still_stores_entries_against_the_kept_person(
        as_officer, other_team, as_supervisor, agency, named):
    """The phone held the duplicate (or re-pointed it to the kept id after /sync/changes): every entry
    is created, stored against the kept person, and the writer learns nothing more of who they are."""
    kept, dup = _kept_elsewhere(as_officer, other_team, as_supervisor)
    pid = dup if named == "duplicate" else kept
    enc, ref = e.encounter(person_id=pid), e.referral(pid, agency.id, consent_obtained=True)
    intake, update = e.case_intake(pid), e.person_update(pid, 1, description="green jacket")
    answer = as_officer.post("/sync", e.batch(enc, ref, intake, update)).get_json()
    assert [r["status"] for r in answer["results"]] == ["created"] * 4
    assert "Beverly" not in str(answer) and "limps" not in str(answer)
    body = as_supervisor.get(f"/persons/{kept}").get_json()
    assert (body["encounters"], body["referrals"], body["cases"]) == ([enc["id"]], [ref["id"]], [intake["id"]])
    assert body["description"] == "green jacket" and body["display_name"] == "Beverly Moore"
    assert as_officer.get(f"/persons/{kept}").status_code == 404
    # Replays answer the same; nothing is stored twice.
    replay = as_officer.post("/sync", e.batch(enc, ref, intake, update)).get_json()["results"]
    assert [r["status"] for r in replay] == ["duplicate"] * 4
    assert "Beverly" not in str(replay)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Encounter)
                             .where(Encounter.person_id == kept)) == 1


def test_a_writer_who_saw_only_the_duplicate_amends_an_encounter_onto_the_kept_person(
        as_officer, other_team, as_supervisor):
    kept, dup = _kept_elsewhere(as_officer, other_team, as_supervisor)
    enc = e.encounter()
    amend = e.encounter_amend(enc["id"], 1, person_id=dup)
    assert [r["status"] for r in _sync(as_officer, enc, amend)] == ["created", "created"]
    assert as_officer.get(f"/encounters/{enc['id']}").get_json()["person_id"] == kept


def test_a_rest_update_naming_the_duplicate_of_an_unseen_person_answers_with_the_duplicate(
        as_officer, other_team, as_supervisor):
    kept, dup = _kept_elsewhere(as_officer, other_team, as_supervisor)
    response = as_officer.patch(f"/persons/{dup}", {"base_version": 1, "gender": "woman"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["merged_into"], body["display_name"]) == (dup, kept, None)
    assert "Beverly" not in str(body)
    assert as_supervisor.get(f"/persons/{kept}").get_json()["gender"] == "woman"


def test_someone_who_saw_neither_person_is_still_refused_not_found(as_officer, other_team, as_supervisor,
                                                                   make_client, agency):
    kept, dup = _kept_elsewhere(as_officer, other_team, as_supervisor)
    stranger = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team("Westend")))
    for pid in (dup, kept):
        entries = (e.encounter(person_id=pid), e.referral(pid, agency.id), e.case_intake(pid),
                   e.person_update(pid, 1, description="x"))
        results = _sync(stranger, *entries)
        assert [(r["status"], r["error"]["code"]) for r in results] == [("rejected", "not_found")] * 4
    assert as_supervisor.get(f"/persons/{kept}").get_json()["encounters"] == []


def test_a_navigator_who_sees_the_duplicate_masked_may_not_set_who_the_kept_person_is(
        as_officer, as_supervisor, agency, navigator, make_client):
    """Seen through a referral without consent, the duplicate was masked: the kept person stays so."""
    other_navigator = make_client().sign_in_as(factories.make_user("navigator", agency=agency))
    kept, dup = _new(as_officer, display_name="Beverly Moore"), _new(as_officer, display_name="Bev")
    assert [r["status"] for r in _sync(as_officer, e.referral(dup, agency.id))] == ["created"]
    _merge(as_supervisor, kept, dup)
    [result] = _sync(other_navigator, e.person_update(dup, 1, display_name="Bird"))
    assert (result["status"], result["error"]["code"]) == ("rejected", "forbidden")
    assert as_supervisor.get(f"/persons/{kept}").get_json()["display_name"] == "Beverly Moore"


# --- counts ------------------------------------------------------------------------------------

def test_distinct_people_counts_follow_the_merge_and_daily_counts_do_not_move(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    when = _local_noon(days_ago=3)  # within the heavy-users window whenever the suite runs
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


def _local_noon(days_ago: int) -> str:
    """Noon in America/Edmonton some days ago, with its offset: its first ten characters are the local day."""
    zone = ZoneInfo("America/Edmonton")
    day = datetime.now(zone).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, 12, tzinfo=zone).isoformat()


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


def test_case_intakes_count_the_two_as_one_person_after_the_merge(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    first = c.open_case(as_officer, dup, opened_at="2026-09-01T10:00:00-06:00")
    assert as_officer.post(f"/cases/{first['id']}/close", {"reason": "Moved away."}).status_code == 200
    c.open_case(as_officer, kept, opened_at="2026-09-20T10:00:00-06:00")
    query = "?from=2026-09-01&to=2026-09-30"
    intakes = lambda: as_supervisor.get(f"/stats/summary{query}").get_json()["case_intakes"]  # noqa: E731
    assert intakes() == 2
    assert _merge(as_supervisor, kept, dup).status_code == 200
    assert intakes() == 1
    cases = as_supervisor.get(f"/persons/{kept}").get_json()["cases"]
    assert len(cases) == 2


def test_the_kept_persons_case_measures_count_the_duplicates_encounters(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    case = c.open_case(as_officer, kept, opened_at="2025-06-15T14:00:00-06:00")
    before = ["2025-05-01T10:00:00-06:00", "2025-06-01T10:00:00-06:00"]
    _sync(as_officer, e.encounter(person_id=kept, occurred_at=before[0]),
          e.encounter(person_id=dup, occurred_at=before[1]),
          e.encounter(person_id=dup, occurred_at="2025-07-01T10:00:00-06:00"))
    measures = lambda: as_officer.get(f"/cases/{case['id']}?months=3").get_json()["encounters_per_month"]  # noqa: E731
    assert (measures()["before_total"], measures()["after_total"]) == (1, 0)
    assert _merge(as_supervisor, kept, dup).status_code == 200
    assert (measures()["before_total"], measures()["after_total"]) == (2, 1)
    # An encounter logged later against the duplicate counts for the kept person's case too.
    _sync(as_officer, e.encounter(person_id=dup, occurred_at="2025-07-02T10:00:00-06:00"))
    assert measures()["after_total"] == 2


def test_heavy_users_and_people_engaged_take_in_entries_naming_the_duplicate_later(as_officer, as_supervisor):
    kept, dup = _new(as_officer), _new(as_officer)
    when = _local_noon(days_ago=3)  # within the heavy-users window whenever the suite runs
    _sync(as_officer, *(e.encounter(person_id=kept, occurred_at=when) for _ in range(2)))
    _merge(as_supervisor, kept, dup)
    _sync(as_officer, *(e.encounter(person_id=dup, occurred_at=when) for _ in range(2)))
    day = when[:10]
    overall = as_supervisor.get(f"/stats/summary?from={day}&to={day}").get_json()
    assert (overall["people_engaged"], overall["interactions"]) == (1, 4)
    [row] = as_supervisor.get("/stats/heavy-users?min_encounters=4").get_json()["people"]
    assert (row["person_id"], row["encounters"]) == (kept, 4)


@pytest.mark.usefixtures("db")
def test_a_merge_relinks_situations_and_a_later_presentation_follows_it(make_client):
    """A situation linked to the duplicate names the kept person after the merge, and a presentation
    prepared offline naming the duplicate is linked to the kept person, not refused."""
    from app.tables.models import Situation
    from testkit import factories
    from testkit.hub import make_hub

    hub = make_hub(make_client)
    originator = hub.client("originator")
    presented = hub.present(person_name="Wren")
    kept = e.person(display_name="Wren Kestrel")
    assert e.statuses(originator.post("/sync", e.batch(kept))) == ["created"]
    admin = make_client().sign_in_as(factories.make_user("admin"))
    assert _merge(admin, kept["id"], presented["person"]).status_code == 200
    later = e.situation(hub.table.id, person_id=presented["person"])
    assert e.statuses(originator.post("/sync", e.batch(later))) == ["created"]
    linked = dict(db.session.execute(sa.select(Situation.id, Situation.person_id)
                                     .where(Situation.id.in_([presented["situation"], later["id"]]))).all())
    assert {str(k): str(v) for k, v in linked.items()} == {presented["situation"]: kept["id"], later["id"]: kept["id"]}
