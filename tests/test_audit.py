"""The audit log: written for sign-ins, reads and changes; readable by admins only; ids only."""

import pytest

from testkit import entries as e
from testkit import factories


def test_admin_reads_the_log_filtered_and_newest_first(client, make_client, officer, admin):
    phone = client.sign_in_as(officer)
    p = e.person(display_name="Canary-Marker-7731")
    phone.post("/sync", e.batch(p))
    phone.get(f"/persons/{p['id']}")
    log = make_client().sign_in_as(admin)
    page = log.get(f"/audit?actor_id={officer.id}").get_json()
    actions = [item["action"] for item in page["items"]]
    assert actions == ["person.read", "sync.batch", "person.create"]
    assert page["items"][0]["target_id"] == p["id"]
    assert "Canary-Marker-7731" not in str(page)
    only_reads = log.get("/audit?action=person.read").get_json()
    assert only_reads["total"] == 1


@pytest.mark.parametrize("role", ["officer", "navigator", "supervisor"])
def test_only_admins_read_the_audit_log(client, db, role):
    client.sign_in_as(factories.make_user(role, team=factories.make_team()))
    assert client.get("/audit").status_code == 403


def test_the_audit_log_cannot_be_changed_through_the_api(client, admin):
    client.sign_in_as(admin)
    for method in (client.post, client.patch, client.delete):
        assert method("/audit", {}).status_code == 405


def test_sign_ins_are_audited_with_outcome(client, make_client, officer, admin):
    client.login(officer.username, "wrong-password-here")
    client.login(officer.username, factories.PASSWORD)
    items = make_client().sign_in_as(admin).get("/audit?action=auth.login").get_json()["items"]
    assert [i["outcome"] for i in items] == ["ok", "failed"]


def test_a_persons_disclosure_history_is_retrievable_for_an_access_request(client, make_client, officer, admin,
                                                                           agency, db):
    p = e.person(given_name="Ana")
    client.sign_in_as(officer).post("/sync", e.batch(p, e.referral(p["id"], agency.id, consent_obtained=True),
                                                     e.referral(p["id"], agency.id)))
    reader = make_client().sign_in_as(admin)
    history = reader.get(f"/audit/persons/{p['id']}/disclosures").get_json()
    assert [(h["agency_id"], h["consent_basis"], h["disclosed_by"]) for h in history] == [
        (agency.id, "referral_consent", officer.id)]
    assert set(history[0]["fields"]) == {"display_name", "given_name"}
    assert client.get(f"/audit/persons/{p['id']}/disclosures").status_code == 403
    assert reader.get("/audit?action=disclosure.read").get_json()["total"] == 1
