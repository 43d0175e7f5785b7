"""People on the phone stay true (issue 14): a merge made on a supervisor's phone re-points what another
phone holds, the server's search finds people the phone does not hold, and a change made offline reaches
the server as a new version."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.directory.models import Agency
from app.encounters.models import Encounter
from app.people.models import Person
from tests.e2e.phone import phone_time, wait_for

pytestmark = pytest.mark.e2e


def tag() -> str:
    """A word no other test's people carry (the e2e database lives for the whole run)."""
    return uuid.uuid4().hex[:6]


def person_row(server_db, person_id: str) -> dict:
    def read(session):
        p = session.get(Person, person_id)
        return {"version": p.version, "aliases": list(p.aliases), "display_name": p.display_name,
                "merged_into": p.merged_into}
    return server_db.read(read)


def encounters_of(server_db, author_id: int) -> dict[str, str | None]:
    """{encounter id: person id} of what this user's phone sent."""
    return server_db.read(lambda s: {e.id: e.person_id for e in s.scalars(
        sa.select(Encounter).where(Encounter.author_id == author_id))})


def outbox_entry(phone, user_id: int, entry_id: str) -> dict | None:
    return next((e for e in phone.outbox_records(user_id) if e["id"] == entry_id), None)


def log_about(phone, kind: str, search: str, label: str, when: str | None = None) -> None:
    """From the home screen: log `kind` about the person found by `search` and shown as `label`."""
    phone.tap(kind)
    phone.heading(kind)
    phone.page.get_by_label("Find a person").fill(search)
    phone.page.get_by_role("button", name=label, exact=True).click()
    if when:
        phone.page.get_by_label("When").fill(when)
    phone.tap("Save")
    phone.heading("Log an encounter")


def test_a_merge_re_points_what_another_phone_holds_before_it_is_sent(new_phone, make_account, field_api, server_db):
    officer = make_account("officer")
    supervisor = make_account("supervisor")
    name = f"Wren {tag()}"
    api = field_api(officer)
    kept = api.entry("person", display_name=name, birth_year=1981, description="Red coat")
    duplicate = api.entry("person", display_name=name, given_name="Maggie", family_name="Pie", birth_year=1981)
    api.sync(kept, duplicate)
    duplicate_label = f"{name} (Maggie Pie)"

    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")

    # Offline, the officer logs two encounters with the person recorded twice; one will come back to fix.
    phone.offline()
    log_about(phone, "Interaction", "Maggie", duplicate_label)
    log_about(phone, "Consultation", "Maggie", duplicate_label, when=phone_time(timedelta(days=3)))
    queued = sorted(phone.outbox_records(officer.id), key=lambda e: e["seq"])  # the store is keyed by id
    assert [e["data"]["person_id"] for e in queued] == [duplicate["id"], duplicate["id"]]
    interaction_id, consultation_id = (e["id"] for e in queued)

    # The supervisor reviews the possible duplicates and merges them, keeping the first record.
    boss = new_phone().sign_in(supervisor.username)
    boss.go("/people").heading("People")
    boss.tap("Review possible duplicates", role="link")
    boss.heading("Possible duplicates")
    card = boss.page.locator(".pair", has_text=duplicate_label)
    expect(card).to_contain_text("Same name")
    expect(card).to_contain_text("Same birth year")
    card.get_by_role("button", name="Merge these two…").click()
    card.get_by_label(f"Keep {name}", exact=True).check()
    card.get_by_role("button", name="Merge", exact=True).click()
    expect(card.get_by_text("Give the reason for merging them.")).to_be_visible()  # the reason is required
    card.get_by_label("Reason for merging (required)").fill("Same person: same coat, same birth year, same camp.")
    card.get_by_role("button", name="Merge", exact=True).click()
    expect(boss.page.locator(".flash")).to_contain_text(f"Merged: {duplicate_label} is now part of {name}.")
    assert person_row(server_db, duplicate["id"])["merged_into"] == kept["id"]

    # Back online, the officer's phone syncs: the waiting interaction goes (the server stores it against the
    # person kept), the future-dated consultation comes back to fix, and the pull brings the merge.
    phone.online()
    expect(phone.page.locator("#status-attention")).to_be_visible(timeout=20_000)
    # The phone re-points the entry it still holds to the kept person: the same entry (same id), not a copy.
    moved = wait_for(lambda: (e := outbox_entry(phone, officer.id, consultation_id)) and e["data"]["person_id"] == kept["id"] and e,
                     message="the consultation re-pointed on the phone")
    assert moved["state"] == "attention"
    assert [e["id"] for e in phone.outbox_records(officer.id)] == [consultation_id]

    # The duplicate is gone from the phone; a link to it leads to the person kept.
    phone.go("/people").heading("People")
    phone.page.get_by_label("Search by alias or name").fill("Maggie")
    expect(phone.page.get_by_role("link", name=duplicate_label)).to_have_count(0)
    phone.go(f"/person/{duplicate['id']}").heading("Person merged")
    phone.tap("Open the person kept", role="link")
    phone.heading(name)

    # Fixed and sent again, the consultation is stored (once, under its own id) against the kept person.
    phone.go("/outbox").heading("Outbox")
    phone.tap("Fix and resend", role="link")
    phone.heading("Consultation")
    expect(phone.page.locator(".chosen-name")).to_have_text(name)
    phone.page.get_by_label("When").fill(phone_time())
    phone.tap("Save and send again")
    phone.expect_status("All synced")
    stored = wait_for(lambda: (found := encounters_of(server_db, officer.id)) and len(found) == 2 and found,
                      message="both encounters on the server")
    assert stored == {interaction_id: kept["id"], consultation_id: kept["id"]}
    assert phone.errors == [] and boss.errors == []


def test_the_server_search_finds_people_this_phone_does_not_hold(new_phone, make_account, field_api):
    officer = make_account("officer")
    colleague = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")

    # A colleague records a person after this phone's sync: the phone does not hold them.
    name = f"Heron {tag()}"
    person = field_api(colleague).entry("person", display_name=name, aliases=["Longlegs"])
    field_api(colleague).sync(person)

    phone.go("/people").heading("People")
    phone.page.get_by_label("Search by alias or name").fill(name)
    hit = phone.page.get_by_role("button", name=f"{name} Not on this phone")
    expect(hit).to_be_visible()
    expect(phone.page.get_by_role("status").filter(has_text="1 more found on the server")).to_be_visible()
    hit.click()
    phone.heading(name)
    expect(phone.page.locator(".details")).to_contain_text("Longlegs")

    # Chosen once, the person is kept on the phone: found offline, by alias too, with no "Not on this phone".
    phone.offline()
    phone.go("/people").heading("People")
    phone.page.get_by_label("Search by alias or name").fill("longlegs")
    expect(phone.page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(phone.page.get_by_text("Not on this phone")).to_have_count(0)
    expect(phone.page.get_by_text("Offline: only the people on this phone are searched.")).to_be_visible()
    assert phone.errors == []


def test_a_change_made_offline_reaches_the_server_as_a_new_version(new_phone, make_account, field_api, server_db):
    officer = make_account("officer")
    name = f"Ibis {tag()}"
    person = field_api(officer).entry("person", display_name=name, aliases=["Stilts"])
    field_api(officer).sync(person)
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")

    phone.offline()
    phone.go(f"/person/{person['id']}").heading(name)
    expect(phone.page.get_by_text("Offline: only the encounters waiting on this phone are listed")).to_be_visible()
    phone.tap("Edit details", role="link")
    phone.heading(f"Edit {name}")
    expect(phone.page.get_by_role("list", name="Aliases")).to_contain_text("Stilts")
    phone.page.get_by_label("New alias").fill("Beaky")
    phone.tap("Add alias")
    expect(phone.page.get_by_role("list", name="Aliases")).to_contain_text("Beaky")
    phone.tap("Save changes")
    phone.heading(name)
    expect(phone.page.locator(".flash")).to_contain_text(f"Changes to {name} saved on this phone")
    expect(phone.page.locator(".details")).to_contain_text("Stilts, Beaky")
    expect(phone.page.get_by_role("heading", level=1)).to_contain_text("waiting to sync")
    phone.expect_status("Offline · 1 waiting to sync")
    [entry] = phone.outbox_records(officer.id)
    assert (entry["type"], entry["data"]) == ("person_update", {"person_id": person["id"], "base_version": 1,
                                                                 "aliases": ["Stilts", "Beaky"]})
    assert person_row(server_db, person["id"])["version"] == 1

    phone.online()
    phone.expect_status("All synced")
    assert person_row(server_db, person["id"]) == {"version": 2, "aliases": ["Stilts", "Beaky"], "display_name": name,
                                                   "merged_into": None}
    assert phone.errors == []


def test_a_change_that_met_another_one_is_explained_and_made_again_on_the_servers_copy(
        new_phone, make_account, field_api, server_db, live_server):
    officer = make_account("officer")
    colleague = make_account("officer")
    name = f"Egret {tag()}"
    person = field_api(officer).entry("person", display_name=name, aliases=["Stilts"])
    field_api(officer).sync(person)
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")

    phone.offline()
    phone.go(f"/person/{person['id']}/edit").heading(f"Edit {name}")
    phone.page.get_by_label("New alias").fill("Beaky")
    phone.tap("Add alias")
    phone.tap("Save changes")
    phone.heading(name)

    # Meanwhile a colleague changes the same field on the server.
    other = field_api(colleague)
    answer = other.http.patch(f"{live_server}/api/v1/persons/{person['id']}", headers={"X-CSRF-Token": other.csrf},
                              json={"base_version": 1, "aliases": ["Stilts", "Tall"]}, timeout=30)
    assert answer.status_code == 200, answer.text

    phone.online()
    expect(phone.page.locator("#status-attention")).to_be_visible(timeout=20_000)
    phone.go("/outbox").heading("Outbox")
    expect(phone.page.locator(".server-message")).to_have_text(
        "Someone else changed the aliases on the server after your copy, so your change was not saved. "
        "The phone now shows the person as the server holds them: look, then make your change again if it is still needed.")
    assert person_row(server_db, person["id"])["aliases"] == ["Stilts", "Tall"]

    phone.tap("Fix and resend", role="link")
    phone.heading(f"Edit {name}")
    expect(phone.page.get_by_role("alert")).to_contain_text("Not saved: Someone else changed the aliases")
    phone.page.get_by_role("button", name="Remove alias Stilts").click()
    phone.page.get_by_label("New alias").fill("Tall")
    phone.tap("Add alias")
    phone.tap("Save and send again")
    phone.heading("Outbox")
    phone.expect_status("All synced")
    assert person_row(server_db, person["id"]) == {"version": 3, "aliases": ["Beaky", "Tall"], "display_name": name,
                                                   "merged_into": None}
    assert phone.errors == []


def test_an_agency_without_consent_sees_no_identity_and_can_change_none(new_phone, make_account, field_api, server_db):
    officer = make_account("officer")
    navigator = make_account("navigator", team=None)  # Hope Mission, outside the officer's team
    hope = server_db.read(lambda s: s.scalar(sa.select(Agency.id).where(Agency.name == "Hope Mission")))
    name = f"Plover {tag()}"
    api = field_api(officer)
    person = api.entry("person", display_name=name, birth_year=1990, aliases=["Pip"])
    api.sync(person, api.entry("referral", person_id=person["id"], agency_id=hope, service="food", urgency="routine",
                               consent_obtained=False))
    phone = new_phone().sign_in(navigator.username).wait_until_offline_ready()
    phone.expect_status("All synced")

    phone.go(f"/person/{person['id']}").heading("Name not shared")
    expect(phone.page.get_by_text("has not consented to share them with your agency")).to_be_visible()
    expect(phone.page.locator("main")).not_to_contain_text(name)
    expect(phone.page.locator("main")).not_to_contain_text("Pip")
    phone.tap("Edit details", role="link")
    phone.heading("Edit person")
    for label in ("Name used", "Given name (optional)", "Family name (optional)", "Birth year (optional)",
                  "Description (optional)", "New alias"):
        expect(phone.page.get_by_label(label)).to_have_count(0)
    expect(phone.page.get_by_role("checkbox")).to_have_count(0)
    phone.page.get_by_label("Gender (optional)").fill("man")
    phone.tap("Save changes")
    phone.heading("Name not shared")
    phone.expect_status("All synced")
    row = server_db.read(lambda s: (p := s.get(Person, person["id"])) and (p.version, p.gender, p.display_name, p.aliases))
    assert row == (2, "man", name, ["Pip"])
    assert phone.errors == []
