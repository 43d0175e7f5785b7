"""Issue 18, the field app at 2 a.m., on a 390×844 phone: errors that clear, text that reads right, queued
entries that can be told apart, status words that agree."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.phone import wait_for
from tests.e2e.test_referrals import card, referral, status_of  # noqa: F401 (referral: a fixture)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def phone_of(new_phone, account, **kwargs):
    phone = new_phone(**kwargs)
    phone.page.set_viewport_size(PHONE)
    return phone.sign_in(account.username)


def error_of(page, field_id_part: str):
    return page.locator(f".field-error[id='{field_id_part}-error']")


def test_an_encounters_messages_clear_as_soon_as_the_value_is_valid(new_phone, make_account):
    officer = make_account("officer")
    phone = phone_of(new_phone, officer)
    page = phone.page
    phone.tap("Primary response")
    page.get_by_label("When").fill("")
    phone.tap("Save")
    call = page.get_by_label("Call number")
    expect(page.get_by_text("Give the call number.")).to_be_visible()
    expect(page.get_by_text("Give the time it happened.")).to_be_visible()
    call.press_sequentially("E")
    expect(page.get_by_text("Give the call number.")).to_have_count(0)
    expect(call).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Give the time it happened.")).to_be_visible()  # the other field is still wrong
    call.fill("")
    expect(page.get_by_text("Give the time it happened.")).to_be_visible()
    phone.tap("Add a new person")
    phone.tap("Save")
    expect(page.get_by_text("Give an alias or name, or choose “Search instead”.")).to_be_visible()
    page.get_by_label("Alias or name").fill("Robin")
    expect(page.get_by_text("Give an alias or name, or choose “Search instead”.")).to_have_count(0)

    phone.go("/log/shelter_check_in").heading("Shelter check-in")
    phone.tap("Save")
    expect(page.get_by_text("Choose the site.")).to_be_visible()
    page.get_by_label("Site", exact=True).select_option(label="Herb Jamieson Centre")
    expect(page.get_by_text("Choose the site.")).to_have_count(0)
    assert phone.errors == []


def test_a_referrals_messages_clear_as_soon_as_the_value_is_valid(new_phone, make_account):
    officer = make_account("officer")
    phone = phone_of(new_phone, officer).wait_until_offline_ready()
    page = phone.page
    phone.go("/refer").heading("Make a referral")
    phone.tap("Save referral")
    for message in ("Choose the person, or add a new one.", "Choose the agency.", "Choose the service."):
        expect(page.get_by_text(message)).to_be_visible()
    page.get_by_label("Agency", exact=True).select_option(label="Hope Mission")
    expect(page.get_by_text("Choose the agency.")).to_have_count(0)
    expect(page.get_by_label("Agency", exact=True)).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Choose the service.")).to_be_visible()
    page.get_by_label("Service").select_option(label="Housing")
    expect(page.get_by_text("Choose the service.")).to_have_count(0)
    phone.tap("Add a new person")
    expect(page.get_by_text("Choose the person, or add a new one.")).to_have_count(0)
    assert phone.errors == []


def test_queued_entries_can_be_told_apart_and_a_sync_says_what_it_sent(new_phone, make_account):
    officer = make_account("officer")
    phone = phone_of(new_phone, officer).wait_until_offline_ready()
    page = phone.page
    phone.offline()
    phone.log("Interaction", needs=("Housing",))
    phone.log("Interaction", new_person="Blue Jay", needs=("Food", "Medical"))
    phone.go("/outbox").heading("Outbox")
    waiting = page.locator("section", has=page.get_by_role("heading", name="Waiting to sync")).locator("li")
    texts = [" ".join(t.split()) for t in waiting.all_inner_texts()]
    assert len(texts) == 3 and len(set(texts)) == 3, texts
    assert any(t.startswith("Interaction") and "anonymous · Housing ·" in t for t in texts), texts
    assert any(t.startswith("Interaction · Blue Jay") and "Medical · Food ·" in t for t in texts), texts

    phone.go("/people").heading("People")
    page.get_by_role("link", name="Blue Jay").first.click()
    phone.heading("Blue Jay")
    expect(page.get_by_text("waiting to sync").first).to_be_visible()
    phone.online()
    phone.expect_status("All synced")
    expect(page.locator("#status-detail")).to_contain_text("3 sent")
    # The screen and the bar agree: nothing on it is still "waiting to sync".
    expect(page.get_by_text("waiting to sync")).to_have_count(0)
    expect(page.locator("#status-detail")).not_to_contain_text("sent", timeout=15_000)

    phone.go("/")
    phone.log("Interaction")
    flash = page.locator(".flash")
    expect(flash).to_contain_text("Interaction saved on this phone.")
    phone.expect_status("All synced")
    assert "sync" not in flash.inner_text()  # the status bar alone says whether it has gone
    expect(page.locator("#status-detail")).to_contain_text("1 sent")


def encounter_locations(server_db, account):
    import sqlalchemy as sa

    from app.encounters.models import Encounter
    return server_db.read(lambda s: [(e.lat, e.lon, e.accuracy_m) for e in s.scalars(
        sa.select(Encounter).where(Encounter.author_id == account.id).order_by(Encounter.occurred_at))])


def test_add_my_location_is_opt_in_and_sent_with_its_accuracy(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = phone_of(new_phone, officer).wait_until_offline_ready()
    page = phone.page
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 53.5444, "longitude": -113.4909, "accuracy": 25})
    phone.log("Interaction")  # not asked for: none sent
    phone.tap("Interaction")
    phone.tap("Add my location")
    expect(page.get_by_text("Location added, to within 25 m.")).to_be_visible()
    phone.tap("Save")
    phone.heading("Log an encounter")
    phone.expect_status("All synced")
    assert wait_for(lambda: len(encounter_locations(server_db, officer)) == 2 and encounter_locations(server_db, officer)) \
        == [(None, None, None), (53.5444, -113.4909, 25.0)]


def test_a_refused_location_never_stops_saving(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = phone_of(new_phone, officer).wait_until_offline_ready()
    page = phone.page
    phone.context.clear_permissions()
    phone.tap("Interaction")
    phone.tap("Add my location")
    expect(page.get_by_text("No location: this phone did not allow it. You can save without it.")).to_be_visible()
    phone.tap("Save")
    phone.heading("Log an encounter")
    phone.expect_status("All synced")
    assert wait_for(lambda: encounter_locations(server_db, officer)) == [(None, None, None)]


def test_declining_asks_first_and_the_inbox_card_says_who_referred_and_why(
        new_phone, make_account, referral, server_db):  # noqa: F811 (the fixture imported above)
    navigator = make_account("navigator")
    phone = phone_of(new_phone, navigator).wait_until_offline_ready()
    page = phone.page
    phone.expect_status("All synced")
    phone.tap("Referral inbox", role="link")
    phone.heading("Referral inbox")
    mine = card(phone, referral["id"])
    expect(mine.locator(".referral-from")).to_have_text(re.compile(r"^Referred by (the .+ team|another team): “Wants detox this week.”$"))
    # Accept and Decline are not side by side: Decline has a row of its own, below.
    accept = mine.get_by_role("button", name="Accept").bounding_box()
    decline = mine.get_by_role("button", name="Decline").bounding_box()
    assert decline["y"] >= accept["y"] + accept["height"] + 16, (accept, decline)

    mine.get_by_role("button", name="Decline").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Decline: addictions referral for Wren?")
    dialog.get_by_role("button", name="Keep it open").click()
    assert phone.outbox_records(navigator.id) == []
    expect(card(phone, referral["id"])).to_contain_text("New")
    card(phone, referral["id"]).get_by_role("button", name="Decline").click()
    dialog.get_by_role("button", name="Decline it").click()
    phone.expect_status("All synced")
    assert wait_for(lambda: status_of(server_db, referral["id"])[0] == "declined")

    # The referral's page: no link to itself, the notes once.
    phone.go(f"/referral/{referral['id']}").heading("Referral: Addictions")
    expect(page.locator(f'a[href="#/referral/{referral["id"]}"]')).to_have_count(0)
    expect(page.get_by_text("Wants detox this week.")).to_have_count(1)


def test_a_supervisors_home_starts_with_the_dashboard_and_cases_name_lead_and_team(
        new_phone, make_account, field_api, server_db):
    lead = make_account("navigator")  # "Test Navigator"
    supervisor = make_account("supervisor")
    api = field_api(lead)
    name = f"Kestrel {uuid.uuid4().hex[:6]}"  # other browser tests make a Kestrel too, on the same server
    person = api.entry("person", display_name=name)
    intake = api.entry("case_intake", person_id=person["id"], program="Housing First")
    api.sync(person, intake)

    phone = phone_of(new_phone, supervisor).wait_until_offline_ready()
    page = phone.page
    first = page.locator("main a, main button").first
    expect(first).to_have_text("Daily counts")
    box = first.bounding_box()
    assert box["y"] + box["height"] <= 844 / 3  # at the top, in sight without scrolling

    phone.go("/cases").heading("Cases")
    line = page.locator(".case-list li", has=page.get_by_role("link", name=name)).locator(".case-lead")
    expect(line).to_have_text("Lead: Test Navigator · Team: Downtown HELP")
    page.get_by_role("link", name=name).click()
    phone.heading(name)
    expect(page.locator("dl.details")).to_contain_text("LeadTest Navigator")


def test_same_as_last_and_the_last_shelter_site_make_the_common_case_four_taps(
        new_phone, make_account, field_api, server_db):
    """Known person, one need, one outcome: Interaction, Same as last, the outcome, Save. The taps and the
    distance scrolled are printed for docs/field-app.md."""
    navigator = make_account("navigator")
    api = field_api(navigator)
    api.sync(api.entry("person", display_name="Sparrow"))
    phone = phone_of(new_phone, navigator).wait_until_offline_ready()
    page = phone.page
    phone.log("Shelter check-in", site="Herb Jamieson Centre")
    phone.log("Interaction", find_person="Sparrow", needs=("Housing",))

    page.evaluate("""() => { window.taps = 0; window.scrolled = 0; let last = scrollY;
        document.addEventListener("pointerdown", () => { window.taps += 1; }, true);
        addEventListener("scroll", () => { window.scrolled += Math.abs(scrollY - last); last = scrollY; }); }""")
    phone.tap("Interaction")
    phone.heading("Interaction")
    phone.tap("Same as last: Sparrow · Housing")
    expect(page.locator(".chosen-name")).to_have_text("Sparrow")
    expect(page.get_by_label("Housing", exact=True)).to_be_checked()
    referred = page.get_by_label("Referred", exact=True)
    spot = page.get_by_text("Referred", exact=True).bounding_box()
    bar = page.locator(".form-actions").bounding_box()
    print(f"\n'Referred' at y={spot['y']:.0f}-{spot['y'] + spot['height']:.0f}, Save bar from y={bar['y']:.0f}")
    page.get_by_text("Referred", exact=True).click()  # as a thumb would: where it is, no scrolling asked for
    expect(referred).to_be_checked()
    phone.tap("Save")
    phone.heading("Log an encounter")
    taps, scrolled = page.evaluate("[window.taps, window.scrolled]")
    print(f"\ncommon interaction: {taps} taps, {scrolled} px scrolled")
    assert taps == 4

    page.evaluate("window.taps = 0")
    phone.tap("Shelter check-in")
    phone.heading("Shelter check-in")
    expect(page.get_by_label("Site", exact=True).locator("option:checked")).to_have_text("Herb Jamieson Centre")
    phone.tap("Save")
    phone.heading("Log an encounter")
    assert page.evaluate("window.taps") == 2
    phone.expect_status("All synced")
