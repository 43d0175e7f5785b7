"""Issue 18, the field app at 2 a.m., on a 390×844 phone: errors that clear, text that reads right, queued
entries that can be told apart, status words that agree."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
    phone = phone_of(new_phone, officer)
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
