"""GET /sync/changes: an opaque monotonic cursor, pages, and only what the caller may see."""

import pytest

from testkit import entries as e
from testkit import factories


def _changes(client, since=None, limit=None):
    query = []
    if since:
        query.append(f"since={since}")
    if limit:
        query.append(f"limit={limit}")
    response = client.get("/sync/changes" + ("?" + "&".join(query) if query else ""))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_first_sync_has_reference_data_and_triage_rules(as_officer, agency, team):
    factories.make_site(agency)
    body = _changes(as_officer)
    assert [a["name"] for a in body["agencies"]] == ["Hope Mission"]
    assert len(body["sites"]) == 1 and [t["name"] for t in body["teams"]] == ["Downtown HELP"]
    assert body["triage_rules"]["levels"][0]["level"] == 1
    assert body["has_more"] is False


def test_changes_since_a_cursor_hold_only_what_is_new(as_officer):
    first, second = e.person(display_name="Robin"), e.person(display_name="Wren")
    as_officer.post("/sync", e.batch(first))
    cursor = _changes(as_officer)["cursor"]
    as_officer.post("/sync", e.batch(second))
    body = _changes(as_officer, since=cursor)
    assert [p["id"] for p in body["persons"]] == [second["id"]]
    assert body["agencies"] == [] and body["cursor"] != cursor
    assert _changes(as_officer, since=body["cursor"])["persons"] == []


def test_two_writes_in_one_instant_are_both_delivered(as_officer):
    # Both persons share a batch (and so a change number): neither can be skipped.
    a, b = e.person(display_name="A"), e.person(display_name="B")
    cursor = _changes(as_officer)["cursor"]
    as_officer.post("/sync", e.batch(a, b))
    assert {p["id"] for p in _changes(as_officer, since=cursor)["persons"]} == {a["id"], b["id"]}


def test_a_referral_status_change_shows_up_in_the_feed(as_officer, make_client, agency):
    p = e.person()
    r = e.referral(p["id"], agency.id)
    as_officer.post("/sync", e.batch(p, r))
    cursor = _changes(as_officer)["cursor"]
    navigator = make_client().sign_in_as(factories.make_user("navigator", agency=agency))
    navigator.post("/sync", e.batch(e.referral_update(r["id"], "accepted", base_version=1)))
    referrals = _changes(as_officer, since=cursor)["referrals"]
    assert [(x["id"], x["status"], x["version"]) for x in referrals] == [(r["id"], "accepted", 2)]


def test_pages_end_with_has_more_and_the_cursor_walks_through_everything(as_officer):
    made = []
    for _ in range(5):
        p = e.person()
        made.append(p["id"])
        as_officer.post("/sync", e.batch(p))
    seen, cursor, pages = [], None, 0
    while True:
        body = _changes(as_officer, since=cursor, limit=2)
        seen += [p["id"] for p in body["persons"]]
        cursor, pages = body["cursor"], pages + 1
        if not body["has_more"]:
            break
    assert seen == made and pages == 3


def test_the_feed_holds_only_the_callers_team(client, make_client):
    alice = client.sign_in_as(factories.make_user("officer", team=factories.make_team()))
    bob = make_client().sign_in_as(factories.make_user("officer", team=factories.make_team()))
    alice.post("/sync", e.batch(e.person(display_name="Alice's contact")))
    assert _changes(bob)["persons"] == []


def test_navigator_gets_the_agency_inbox_with_masked_identity(as_officer, make_client, agency):
    p = e.person(display_name="Finch", given_name="Ana")
    as_officer.post("/sync", e.batch(p, e.referral(p["id"], agency.id)))
    navigator = make_client().sign_in_as(factories.make_user("navigator", agency=agency))
    body = _changes(navigator)
    assert len(body["referrals"]) == 1
    assert body["persons"][0]["display_name"] is None and body["persons"][0]["identity_shared"] is False


@pytest.mark.parametrize("cursor", ["nonsense", "-1", "12a"])
def test_a_cursor_the_server_never_gave_is_400(as_officer, cursor):
    response = as_officer.get(f"/sync/changes?since={cursor}")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "validation_error"
