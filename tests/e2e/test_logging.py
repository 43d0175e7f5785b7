"""Quick log: one tap to each kind, only the fields the kind needs, people found or added offline, referrals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.directory.models import Agency, Site
from app.encounters.models import Encounter
from app.people.models import Person
from app.referrals.models import Referral
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e

KIND_FIELDS = {
    "Interaction": (False, False),
    "Primary response": (True, False),
    "Consultation": (False, False),
    "On-scene assist": (True, False),
    "Shelter check-in": (False, True),
}


def encounters_by(server_db, account) -> list[dict]:
    return server_db.read(lambda s: [
        {"id": e.id, "kind": e.kind, "person_id": e.person_id, "site_id": e.site_id, "call_number": e.call_number}
        for e in s.scalars(sa.select(Encounter).where(Encounter.author_id == account.id))])


def test_an_interaction_with_no_details_takes_two_taps_from_home(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.page.evaluate("""() => { window.taps = 0;
        document.addEventListener("click", () => { window.taps += 1; }, true); }""")
    phone.page.get_by_role("button", name="Interaction", exact=True).click()
    phone.page.get_by_role("button", name="Save", exact=True).click()
    expect(phone.page.get_by_text("Interaction saved on this phone")).to_be_visible()
    assert phone.page.evaluate("window.taps") == 2
    phone.expect_status("All synced")
    assert [e["kind"] for e in wait_for(lambda: encounters_by(server_db, officer))] == ["interaction"]


def test_each_kind_shows_only_its_own_fields(new_phone, make_account):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username)
    for kind, (call_number, site) in KIND_FIELDS.items():
        phone.go("/")
        phone.heading("Log an encounter")
        phone.tap(kind)
        phone.heading(kind)
        expect(phone.page.get_by_label("Call number")).to_have_count(1 if call_number else 0)
        expect(phone.page.get_by_label("Site", exact=True)).to_have_count(1 if site else 0)
        for common in ("Find a person", "Notes (optional)", "When"):
            expect(phone.page.get_by_label(common)).to_have_count(1)
        for toggle in ("Housing", "Overdose risk", "Referred"):
            expect(phone.page.get_by_label(toggle, exact=True)).to_have_count(1)


def test_a_missing_call_number_is_said_next_to_the_field_and_nothing_is_saved(new_phone, make_account):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username)
    phone.tap("Primary response")
    phone.tap("Save")
    call = phone.page.get_by_label("Call number")
    expect(call).to_have_attribute("aria-invalid", "true")
    expect(call).to_be_focused()
    expect(phone.page.get_by_text("Give the call number.")).to_be_visible()
    assert phone.outbox_records(officer.id) == []


def test_a_shelter_check_in_records_the_site(new_phone, make_account, server_db):
    navigator = make_account("navigator")
    phone = new_phone().sign_in(navigator.username).wait_until_offline_ready()
    phone.log("Shelter check-in", site="Herb Jamieson Centre", needs=("Food",))
    herb = server_db.read(lambda s: s.scalar(sa.select(Site.id).where(Site.name == "Herb Jamieson Centre")))
    stored = wait_for(lambda: encounters_by(server_db, navigator))
    assert [(e["kind"], e["site_id"]) for e in stored] == [("shelter_check_in", herb)]


def test_a_new_person_under_an_alias_arrives_with_the_encounter_naming_them(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.offline()
    phone.log("On-scene assist", call_number="EPS-26-300300", new_person="Blue Jay")
    assert phone.waiting_labels() == ["New person · Blue Jay", "On-scene assist · Blue Jay · #EPS-26-300300"]
    phone.online()
    phone.expect_status("All synced")
    stored = wait_for(lambda: encounters_by(server_db, officer))
    person = server_db.read(lambda s: s.execute(sa.select(Person.id, Person.display_name)
                                                .where(Person.author_id == officer.id)).one())
    assert stored[0]["person_id"] == person.id and person.display_name == "Blue Jay"


def test_people_on_the_phone_are_found_offline(new_phone, make_account, field_api, server_db):
    officer = make_account("officer")
    colleague = make_account("officer")  # same team: the officer's phone gets the team's people
    sparrow = field_api(colleague).entry("person", display_name="Sparrow", given_name="Sam")
    field_api(colleague).sync(sparrow)
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.offline()
    phone.go("/people").heading("People")
    phone.page.get_by_label("Search by alias or name").fill("sam")
    expect(phone.page.get_by_role("link", name="Sparrow (Sam)")).to_be_visible()
    phone.go("/")
    phone.log("Interaction", find_person="Sparrow")
    phone.online()
    phone.expect_status("All synced")
    assert wait_for(lambda: encounters_by(server_db, officer))[0]["person_id"] == sparrow["id"]


def test_a_referral_made_from_an_encounter_names_the_encounter_and_the_consent(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.offline()
    phone.log("Interaction", new_person="Heron", needs=("Housing",))
    phone.tap("Refer Heron to an agency", role="link")
    phone.heading("Make a referral")
    expect(phone.page.locator(".chosen-name")).to_have_text("Heron")
    phone.page.get_by_label("Agency", exact=True).select_option(label="Hope Mission")
    phone.page.get_by_label("Service", exact=True).select_option(label="Housing")
    phone.page.get_by_label("Urgent", exact=True).check()
    phone.page.get_by_label("The person agreed to share their details with this agency").check()
    phone.tap("Save referral")
    phone.heading("Log an encounter")
    phone.expect_status("Offline · 3 waiting to sync")
    phone.online()
    phone.expect_status("All synced")

    encounter = wait_for(lambda: encounters_by(server_db, officer))[0]
    referral = wait_for(lambda: server_db.read(lambda s: s.execute(
        sa.select(Referral.person_id, Referral.encounter_id, Referral.agency_id, Referral.service, Referral.urgency,
                  Referral.consent_obtained).where(Referral.author_id == officer.id)).all()))
    hope = server_db.read(lambda s: s.scalar(sa.select(Agency.id).where(Agency.name == "Hope Mission")))
    assert [tuple(r) for r in referral] == [(encounter["person_id"], encounter["id"], hope, "housing", "urgent", True)]

    # The person's page lists it, from the copy on the phone.
    phone.go(f"/person/{encounter['person_id']}").heading("Heron")
    expect(phone.page.get_by_role("link", name="Housing")).to_be_visible()


def test_the_form_does_not_move_when_the_keyboard_takes_half_the_screen(new_phone, make_account):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username)
    assert "interactive-widget=resizes-visual" in phone.page.locator('meta[name="viewport"]').get_attribute("content")
    phone.tap("Primary response")
    phone.heading("Primary response")
    where = """() => [...document.querySelectorAll("main h1, main label, main legend")]
        .map(el => Math.round(el.getBoundingClientRect().top + window.scrollY))"""
    before = phone.page.evaluate(where)
    phone.page.get_by_label("Call number").focus()
    phone.page.set_viewport_size({"width": 360, "height": 340})  # what an on-screen keyboard leaves
    assert phone.page.evaluate(where) == before
    expect(phone.page.get_by_label("Call number")).to_be_in_viewport()
