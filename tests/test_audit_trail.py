"""Every create and change leaves an audit row (who, what, which record, when, from where, outcome),
and so does every refusal: an entry the writer may not apply, a role that may not call an operation,
a write without its security token. Refusals are kept although the request that failed rolls back."""

from __future__ import annotations

import pytest

from testkit import entries as e
from testkit import factories
from testkit.cases import accepted_referral


def audit(make_client, admin, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return make_client().sign_in_as(admin).get(f"/audit?per_page=100&{query}").get_json()["items"]


def test_each_synced_entry_leaves_one_row_and_a_replay_leaves_none(client, make_client, officer, agency, admin):
    phone = client.sign_in_as(officer)
    p = e.person(display_name="Audit-Canary-5521")
    enc, ref = e.encounter(person_id=p["id"]), e.referral(p["id"], agency.id)
    batch = e.batch(p, enc, ref, device_id="phone-audit-1")
    assert e.statuses(phone.post("/sync", batch)) == ["created"] * 3
    assert e.statuses(phone.post("/sync", batch)) == ["duplicate"] * 3  # the phone sending again changes nothing
    rows = [r for r in audit(make_client, admin, actor_id=officer.id) if r["action"] != "sync.batch"]
    assert sorted((r["action"], r["target_type"], r["target_id"], r["outcome"]) for r in rows) == sorted([
        ("person.create", "person", p["id"], "ok"),
        ("encounter.create", "encounter", enc["id"], "ok"),
        ("referral.create", "referral", ref["id"], "ok")])
    for row in rows:
        assert row["actor_id"] == officer.id and row["remote_addr"] == "127.0.0.1" and row["at"]
        assert row["detail"] == {"via": "sync", "device_id": "phone-audit-1"}
    assert "Audit-Canary-5521" not in str(rows)


def test_a_change_names_the_record_changed_and_the_entry_that_changed_it(client, make_client, officer, navigator,
                                                                        agency, admin):
    _person, referral_id = accepted_referral(client.sign_in_as(officer), make_client().sign_in_as(navigator),
                                             agency.id)
    update = e.referral_update(referral_id, "completed")
    assert e.statuses(make_client().sign_in_as(navigator).post("/sync", e.batch(update))) == ["created"]
    changes = audit(make_client, admin, action="referral.change", target_id=referral_id)
    assert [(c["actor_id"], c["outcome"], c["detail"]["via"]) for c in changes] == [
        (navigator.id, "ok", "sync"), (navigator.id, "ok", "sync")]  # newest first: completed, then accepted
    assert changes[0]["detail"]["entry_id"] == update["id"]


def test_an_entry_refused_inside_a_batch_is_audited_with_the_reason(client, make_client, officer, admin):
    hidden = str(factories.new_id())  # a referral this officer cannot see (here: none at all)
    phone = client.sign_in_as(officer)
    assert e.statuses(phone.post("/sync", e.batch(e.referral_update(hidden, "withdrawn")))) == ["rejected"]
    [row] = audit(make_client, admin, action="referral.change")
    assert (row["actor_id"], row["target_id"], row["outcome"]) == (officer.id, hidden, "not_found")


def test_a_refused_rest_change_is_audited_although_the_request_rolls_back(client, make_client, officer, navigator,
                                                                          agency, admin):
    _person, referral_id = accepted_referral(client.sign_in_as(officer), make_client().sign_in_as(navigator),
                                             agency.id)
    assert client.patch(f"/referrals/{referral_id}", {"status": "completed"}).status_code == 403  # the agency's move
    nav = make_client().sign_in_as(navigator)
    assert nav.patch(f"/referrals/{referral_id}", {"status": "declined"}).status_code == 409  # accepted: too late
    outcomes = [(r["actor_id"], r["outcome"], r["detail"]["via"])
                for r in audit(make_client, admin, action="referral.change")]
    assert outcomes == [(navigator.id, "invalid_transition", "rest"), (officer.id, "forbidden", "rest"),
                        (navigator.id, "ok", "sync")]
    assert nav.get(f"/referrals/{referral_id}").get_json()["status"] == "accepted"


def test_rest_creates_are_audited_like_synced_ones(client, make_client, officer, navigator, agency, admin):
    person_id, referral_id = accepted_referral(client.sign_in_as(officer), make_client().sign_in_as(navigator),
                                               agency.id)
    nav = make_client().sign_in_as(navigator)
    opened = nav.post("/cases", {"person_id": person_id, "referral_id": referral_id})
    assert opened.status_code == 201
    case_id = opened.get_json()["id"]
    goal = nav.post(f"/cases/{case_id}/goals", {"description": "Apply for income support"})
    assert goal.status_code == 201
    assert nav.patch(f"/cases/{case_id}", {"review_due_on": "2027-01-15"}).status_code == 200
    rows = audit(make_client, admin, actor_id=navigator.id)
    seen = [(r["action"], r["target_id"], r["detail"].get("via")) for r in rows
            if r["action"] not in ("referral.change", "sync.batch")]
    assert seen == [("case.update", case_id, "rest"), ("case_goal.create", goal.get_json()["id"], "rest"),
                    ("case.create", case_id, "rest")]


@pytest.mark.parametrize("role", ["officer", "navigator"])
def test_a_role_refused_an_operation_is_audited(client, make_client, admin, role):
    user = factories.make_user(role, team=factories.make_team(), agency=factories.make_agency())
    assert client.sign_in_as(user).get("/stats/heavy-users").status_code == 403
    [row] = audit(make_client, admin, action="access.denied")
    assert (row["actor_id"], row["target_id"], row["outcome"], row["detail"]) == (
        user.id, "stats.heavy_users", "forbidden", {"method": "GET"})


def test_a_write_without_its_security_token_is_audited_and_changes_nothing(client, make_client, officer, admin):
    client.sign_in_as(officer).csrf = None
    assert client.post("/sync", e.batch(e.encounter())).status_code == 403
    rows = audit(make_client, admin, actor_id=officer.id)
    assert [(r["action"], r["target_id"], r["outcome"]) for r in rows] == [("access.denied", "sync.sync", "csrf_failed")]
