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


# Counts what a thumb does from here on: taps (pointer-downs anywhere) and the distance the page scrolled.
COUNT_TAPS_AND_SCROLLING = """() => { window.taps = 0; window.scrolled = 0; let last = scrollY;
    document.addEventListener("pointerdown", () => { window.taps += 1; }, true);
    addEventListener("scroll", () => { window.scrolled += Math.abs(scrollY - last); last = scrollY; }); }"""


def in_sight(page, control, *, in_the_bar: bool = False) -> None:
    """The control lies, as the page stands, below the sticky status bar and above the sticky Save bar (or the
    bottom of the screen: where there is no bar, or for the bar's own buttons): reached without scrolling."""
    box = control.bounding_box()
    top = page.locator("#status").bounding_box()
    bar = page.locator(".form-actions")
    bottom = bar.bounding_box()["y"] if bar.count() and not in_the_bar else page.viewport_size["height"]
    assert top["y"] + top["height"] <= box["y"] and box["y"] + box["height"] <= bottom, (box, top, bottom)


def common_case(phone, kind: str, *, call_number: str | None = None, same_as_last: bool = True,
                outcome: str | None = "Referred") -> tuple[int, int]:
    """From the home screen: the kind, the call number (a tap into the field, then typing), "Same as last" (the
    person and need of the last encounter), one outcome, Save. Each control is checked to be in sight before
    it is tapped where it is; answers (taps, px scrolled)."""
    page = phone.page
    phone.heading("Log an encounter")
    page.evaluate("() => { window.taps = 0; window.scrolled = 0; }")
    start = page.get_by_role("button", name=kind, exact=True)
    in_sight(page, start)
    start.click()
    phone.heading(kind)
    if call_number is not None:
        call = page.get_by_label("Call number")
        in_sight(page, call)
        call.click()
        page.keyboard.type(call_number)
    if same_as_last:
        repeat = page.get_by_role("button", name="Same as last: Sparrow · Housing")
        in_sight(page, repeat)
        repeat.click()
        expect(page.locator(".chosen-name")).to_have_text("Sparrow")
        expect(page.get_by_label("Housing", exact=True)).to_be_checked()
    if outcome is not None:
        chip = page.locator("label", has_text=outcome).filter(has_text=re.compile(f"^{outcome}$"))
        in_sight(page, chip)
        chip.click()
        expect(page.get_by_label(outcome, exact=True)).to_be_checked()
    save = page.get_by_role("button", name="Save", exact=True)
    in_sight(page, save, in_the_bar=True)
    save.click()
    phone.heading("Log an encounter")
    return tuple(page.evaluate("[window.taps, window.scrolled]"))


def encounters_of(server_db, account):
    import sqlalchemy as sa

    from app.encounters.models import Encounter
    return server_db.read(lambda s: [
        (e.kind, e.call_number, e.person_id is not None, e.needs, e.risk_flags, e.outcome, e.site_id is not None)
        for e in s.scalars(sa.select(Encounter).where(Encounter.author_id == account.id).order_by(Encounter.change_seq))])


def test_each_kinds_common_case_takes_few_taps_with_every_control_in_sight(new_phone, make_account, field_api, server_db):
    """On a 390×844 phone, the known person, one need and one outcome, for each kind: Interaction and
    Consultation in 4 taps, a call number's kinds in 5 (the tap into the field), a shelter check-in in 2 (3
    with the person); nothing scrolled. The figures are printed for docs/field-app.md."""
    navigator = make_account("navigator")
    api = field_api(navigator)
    api.sync(api.entry("person", display_name="Sparrow"))
    phone = phone_of(new_phone, navigator).wait_until_offline_ready()
    page = phone.page
    phone.log("Shelter check-in", site="Herb Jamieson Centre")
    phone.log("Interaction", find_person="Sparrow", needs=("Housing",))

    page.evaluate(COUNT_TAPS_AND_SCROLLING)
    figures = {
        "Interaction": common_case(phone, "Interaction"),
        "Consultation": common_case(phone, "Consultation"),
        "Primary response": common_case(phone, "Primary response", call_number="EPS26-101"),
        "On-scene assist": common_case(phone, "On-scene assist", call_number="EPS26-102"),
        "Shelter check-in, with the person": common_case(phone, "Shelter check-in", outcome=None),
        "Shelter check-in, the last site": common_case(phone, "Shelter check-in", same_as_last=False, outcome=None),
    }
    print("\n" + "\n".join(f"{case}: {taps} taps, {scrolled} px scrolled" for case, (taps, scrolled) in figures.items()))
    assert figures == {"Interaction": (4, 0), "Consultation": (4, 0), "Primary response": (5, 0),
                       "On-scene assist": (5, 0), "Shelter check-in, with the person": (3, 0),
                       "Shelter check-in, the last site": (2, 0)}
    phone.expect_status("All synced")
    assert wait_for(lambda: len(encounters_of(server_db, navigator)) == 8 and encounters_of(server_db, navigator))[2:] == [
        ("interaction", None, True, ["housing"], [], ["referred"], False),
        ("consultation", None, True, ["housing"], [], ["referred"], False),
        ("primary_response", "EPS26-101", True, ["housing"], [], ["referred"], False),
        ("on_scene_assist", "EPS26-102", True, ["housing"], [], ["referred"], False),
        ("shelter_check_in", None, True, ["housing"], [], [], True),
        ("shelter_check_in", None, False, [], [], [], True),
    ]


def test_needs_outcomes_and_risk_flags_fold_away_and_keep_what_was_chosen(new_phone, make_account, server_db):
    """The most used needs and outcomes in sight, the rest and the risk flags behind buttons that say they
    open (aria-expanded); a choice made in a group stays in sight and chosen when it folds, and is saved."""
    officer = make_account("officer")
    phone = phone_of(new_phone, officer).wait_until_offline_ready()
    page = phone.page
    phone.tap("Interaction")
    phone.heading("Interaction")
    needs = page.get_by_role("group", name="Needs")
    more_needs = needs.get_by_role("button", name="More needs (8)")
    expect(more_needs).to_have_attribute("aria-expanded", "false")
    assert [t.strip() for t in needs.locator(".chip:visible label").all_inner_texts()] == [
        "Addictions", "Mental health", "Housing", "Medical", "Food"]
    expect(page.get_by_text("Legal", exact=True)).to_be_hidden()
    risks = page.get_by_role("group", name="Risk flags")
    expect(risks.locator(".chip:visible")).to_have_count(0)

    more_needs.click()
    expect(more_needs).to_have_attribute("aria-expanded", "true")
    expect(needs.locator(".chip:visible")).to_have_count(13)
    page.get_by_text("Legal", exact=True).click()
    more_needs.click()
    expect(more_needs).to_have_attribute("aria-expanded", "false")
    expect(needs.locator(".chip:visible")).to_have_count(6)  # the five, and Legal, still chosen
    expect(page.get_by_label("Legal", exact=True)).to_be_checked()

    show_risks = risks.get_by_role("button", name="All risk flags (9)")
    show_risks.click()
    expect(show_risks).to_have_attribute("aria-expanded", "true")
    page.get_by_text("Suicidal", exact=True).click()
    expect(page.locator(".triage-result .triage-badge")).to_have_text("Level 1 · Immediate")
    show_risks.click()
    expect(risks.locator(".chip:visible label")).to_have_text(["Suicidal"])
    page.get_by_role("group", name="Outcome").get_by_role("button", name="More outcomes (6)").click()
    page.get_by_text("Crisis team", exact=True).click()
    phone.tap("Save")
    phone.heading("Log an encounter")
    phone.expect_status("All synced")
    assert wait_for(lambda: encounters_of(server_db, officer)) == [
        ("interaction", None, False, ["legal"], ["suicidal"], ["crisis_team"], False)]

    # The needs used here come first next time: Legal is now in sight, Food (never used) behind "More needs".
    phone.tap("Interaction")
    phone.heading("Interaction")
    assert [t.strip() for t in needs.locator(".chip:visible label").all_inner_texts()] == [
        "Addictions", "Mental health", "Housing", "Medical", "Legal"]
    assert phone.small_targets() == []


def test_the_password_mismatch_shows_while_the_two_differ_and_clears_when_they_match(new_phone, make_account):
    officer = make_account("officer")
    phone = phone_of(new_phone, officer)
    page = phone.page
    phone.go("/password").heading("Change password")
    mismatch = page.get_by_text("The two new passwords are not the same.")
    fresh, again = page.get_by_label("New password", exact=True), page.get_by_label("New password again")
    page.get_by_label("Current password").fill(officer.password)
    fresh.fill("lantern harbour quietly")
    again.fill("lantern harbour")
    phone.tap("Change password")
    expect(mismatch).to_be_visible()
    expect(again).to_have_attribute("aria-invalid", "true")
    again.press("End")
    again.press_sequentially(" q")  # a value, but still not the same: the message stays
    expect(mismatch).to_be_visible()
    again.press_sequentially("uietly")
    expect(mismatch).to_have_count(0)
    expect(again).not_to_have_attribute("aria-invalid", "true")
    fresh.press("End")
    fresh.press_sequentially("!")  # the first one changed: they differ again
    expect(mismatch).to_be_visible()
    expect(fresh).to_be_focused()  # the message never takes the cursor away
    fresh.press("Backspace")
    expect(mismatch).to_have_count(0)
    phone.tap("Change password")
    phone.heading("Log an encounter")
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
