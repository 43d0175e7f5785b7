"""The navigator's referral inbox: accept, decline, complete, offline too (synced as referral_update)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.directory.models import Agency
from app.referrals.models import Referral
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def referral(make_account, field_api, server_db):
    """A referral to Hope Mission, made by an officer's phone; its id and the referring officer's API."""
    officer = make_account("officer")
    api = field_api(officer)
    agency_id = server_db.read(lambda s: s.scalar(sa.select(Agency.id).where(Agency.name == "Hope Mission")))
    person = api.entry("person", display_name="Wren")
    made = api.entry("referral", person_id=person["id"], agency_id=agency_id, service="addictions",
                     urgency="routine", consent_obtained=True, notes="Wants detox this week.")
    api.sync(person, made)
    return {"id": made["id"], "api": api, "officer": officer}


def status_of(server_db, referral_id: str) -> tuple[str, int]:
    return server_db.read(lambda s: tuple(s.execute(
        sa.select(Referral.status, Referral.version).where(Referral.id == referral_id)).one()))


def card(phone, referral_id: str):
    return phone.page.locator(".referral-card", has=phone.page.locator(f'a[href="#/referral/{referral_id}"]'))


def test_a_navigator_accepts_and_completes_a_referral_offline(new_phone, make_account, referral, server_db):
    navigator = make_account("navigator")
    phone = new_phone().sign_in(navigator.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.offline()
    phone.tap("Referral inbox", role="link")
    phone.heading("Referral inbox")
    mine = card(phone, referral["id"])
    expect(mine).to_contain_text("Wren")
    mine.get_by_label("Note (optional)").fill("Bed at Herb Jamieson")
    mine.get_by_role("button", name="Accept").click()
    mine = card(phone, referral["id"])
    expect(mine).to_contain_text("Accepted")
    expect(mine).to_contain_text("waiting to sync")
    mine.get_by_role("button", name="Complete").click()
    expect(card(phone, referral["id"])).to_contain_text("Completed")
    phone.expect_status("Offline · 2 waiting to sync")
    assert status_of(server_db, referral["id"]) == ("pending", 1)

    phone.online()
    phone.expect_status("All synced")
    assert wait_for(lambda: status_of(server_db, referral["id"])[0] == "completed" and
                    status_of(server_db, referral["id"])) == ("completed", 3)
    expect(card(phone, referral["id"])).not_to_contain_text("waiting to sync")


def test_a_stale_update_waits_in_needs_attention_with_the_servers_message(new_phone, make_account, referral,
                                                                          server_db):
    navigator = make_account("navigator")
    phone = new_phone().sign_in(navigator.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.offline()
    phone.tap("Referral inbox", role="link")
    card(phone, referral["id"]).get_by_role("button", name="Accept").click()
    # Meanwhile the referring officer withdrew it.
    api = referral["api"]
    api.sync(api.entry("referral_update", referral_id=referral["id"], status="withdrawn", base_version=1))

    phone.online()
    phone.expect_status("1 needs attention")
    phone.page.locator("#status-attention").click()
    phone.heading("Outbox")
    # Only what can work (no "apply again": a withdrawn referral takes no move), about whom, in plain words.
    expect(phone.page.locator(".attention-item .server-message")).to_have_text(
        "Someone else changed Wren's addictions referral first: it is now withdrawn, so it can no longer be accepted."
        " Discard this entry.")
    item = phone.page.locator(".attention-item")
    expect(item.get_by_role("button")).to_have_text(["Discard"])
    expect(item).not_to_contain_text("allowed")
    assert status_of(server_db, referral["id"]) == ("withdrawn", 2)
    phone.tap("Discard")
    phone.page.get_by_role("dialog").get_by_role("button", name="Discard it").click()
    expect(phone.page.locator(".attention-item")).to_have_count(0)


def test_the_referring_officer_can_withdraw_an_open_referral(new_phone, referral, server_db):
    phone = new_phone().sign_in(referral["officer"].username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.tap("My referrals", role="link")
    phone.heading("My referrals")
    mine = card(phone, referral["id"])
    expect(mine).to_contain_text("Hope Mission · New")
    expect(mine.get_by_role("button", name="Accept")).to_have_count(0)  # accepting is the agency's move
    mine.get_by_role("button", name="Withdraw").click()
    phone.page.get_by_role("dialog").get_by_role("button", name="Withdraw it").click()
    phone.expect_status("All synced")
    assert wait_for(lambda: status_of(server_db, referral["id"])[0] == "withdrawn")
    expect(phone.page.locator("section", has=phone.page.get_by_role("heading", name="Closed (1)"))).to_contain_text("Withdrawn")


def test_the_inbox_marks_referrals_past_their_deadline_overdue(new_phone, make_account, field_api, server_db):
    """An emergent referral made 90 minutes ago (due in 1 h) carries an "Overdue" badge; a routine one made
    now does not; accepting the overdue one takes the badge away."""
    from datetime import UTC, datetime, timedelta

    officer = make_account("officer")
    api = field_api(officer)
    agency_id = server_db.read(lambda s: s.scalar(sa.select(Agency.id).where(Agency.name == "Hope Mission")))
    late, fresh = api.entry("person", display_name="Heron"), api.entry("person", display_name="Finch")
    late_referral = api.entry("referral", person_id=late["id"], agency_id=agency_id, service="housing",
                              urgency="emergent", made_at=(datetime.now(UTC) - timedelta(minutes=90)).isoformat())
    fresh_referral = api.entry("referral", person_id=fresh["id"], agency_id=agency_id, service="food",
                               urgency="routine")
    api.sync(late, fresh, late_referral, fresh_referral)

    navigator = make_account("navigator")
    phone = new_phone().sign_in(navigator.username).wait_until_offline_ready()
    phone.tap("Referral inbox", role="link")
    phone.heading("Referral inbox")
    overdue = card(phone, late_referral["id"])
    expect(overdue.locator(".tag.overdue")).to_have_text("Overdue")
    expect(card(phone, fresh_referral["id"])).to_be_visible()
    expect(card(phone, fresh_referral["id"]).locator(".tag.overdue")).to_have_count(0)
    overdue.get_by_role("button", name="Accept").click()
    expect(card(phone, late_referral["id"])).to_contain_text("Accepted")
    expect(card(phone, late_referral["id"]).locator(".tag.overdue")).to_have_count(0)
