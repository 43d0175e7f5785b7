"""Correcting and voiding one's own encounters on the phone ("My recent entries"): offline through the outbox,
and the supervisor's daily counts follow once the phone is back online."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.encounters.models import Encounter
from tests.e2e.conftest import FieldApi
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e


def yesterday_noon() -> str:
    """Yesterday at noon, Edmonton time: the same local day for the phone and the server (whatever hour of
    difference their time-zone data have)."""
    day = datetime.now(ZoneInfo("America/Edmonton")).date() - timedelta(days=1)
    return f"{day.isoformat()}T12:00"


def yesterday_counts(api: FieldApi, live_server: str) -> dict:
    """Yesterday's figures as the server counts them (the supervisor's screen shows the same)."""
    day = (datetime.now(ZoneInfo("America/Edmonton")).date() - timedelta(days=1)).isoformat()
    answer = api.http.get(f"{live_server}/api/v1/stats/daily", params={"from": day, "to": day}, timeout=30).json()
    [counts] = answer["days"]
    return counts


def encounter_of(server_db, user) -> dict:
    def read(s):
        e = s.scalars(sa.select(Encounter).where(Encounter.author_id == user.id)).one()
        return {"id": str(e.id), "kind": e.kind, "call_number": e.call_number, "version": e.version,
                "voided": e.voided, "void_reason": e.void_reason,
                "reasons": [a.reason for a in sorted(e.amendments, key=lambda a: a.version)]}
    return server_db.read(read)


def expect_yesterday(phone, expected: dict) -> None:
    """The supervisor's daily counts screen, freshly loaded, shows these figures for yesterday."""
    phone.go("/")
    phone.heading("Log an encounter")
    phone.tap("Daily counts", role="link")
    phone.heading("Daily counts")
    tally = phone.page.locator("section", has=phone.page.get_by_role("heading", name="Yesterday"))
    for label, value in expected.items():
        expect(tally.locator("div", has=phone.page.get_by_text(label, exact=True)).locator("dd")).to_have_text(str(value))


def open_recent(phone):
    phone.go("/")
    phone.heading("Log an encounter")
    phone.tap("My recent entries", role="link")
    phone.heading("My recent entries")
    return phone


def recent_row(phone, text: str):
    return phone.page.locator(".recent-item", has_text=text)


def test_a_call_number_and_a_kind_corrected_offline_reach_the_server_and_move_the_counts(
        new_phone, make_account, live_server, server_db):
    officer = make_account("officer")
    supervisor = make_account("supervisor")
    boss = FieldApi(live_server, supervisor)
    before = yesterday_counts(boss, live_server)

    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.log("Primary response", call_number="EPS-26-900001", when=yesterday_noon())
    phone.expect_status("All synced")
    wait_for(lambda: encounter_of(server_db, officer)["call_number"] == "EPS-26-900001", message="the encounter")

    # Offline: the wrong call number corrected from "My recent entries".
    phone.offline()
    phone.expect_status("Offline")
    open_recent(phone)
    row = recent_row(phone, "EPS-26-900001")
    expect(row).to_contain_text("Primary response")
    expect(row).to_contain_text("anonymous")
    expect(row.locator(".recent-state")).to_have_text("Synced")
    row.get_by_role("link", name="Correct").click()
    phone.heading("Correct: Primary response")
    phone.tap("Save")  # no reason, nothing changed: both said in words
    expect(phone.page.locator(".field-error")).to_contain_text("Say why")
    phone.page.get_by_label("Reason for the correction").fill("Wrong call number")
    phone.tap("Save")
    expect(phone.page.get_by_role("alert")).to_contain_text("Nothing was changed")
    phone.page.get_by_label("Call number").fill("EPS-26-900002")
    phone.tap("Save")
    phone.heading("My recent entries")
    row = recent_row(phone, "EPS-26-900002")
    expect(row.locator(".recent-state")).to_have_text("Correction waiting to sync")
    phone.expect_status("Offline · 1 waiting to sync")
    assert encounter_of(server_db, officer)["call_number"] == "EPS-26-900001"

    phone.online()
    phone.expect_status("All synced")
    stored = wait_for(lambda: (e := encounter_of(server_db, officer))["version"] == 2 and e, message="the correction")
    assert (stored["kind"], stored["call_number"], stored["reasons"]) == (
        "primary_response", "EPS-26-900002", ["Wrong call number"])
    expect(recent_row(phone, "EPS-26-900002").locator(".recent-state")).to_have_text("Corrected")

    # Offline again: it was a consultation, not a primary response. Two corrections queued one after the other.
    phone.offline()
    phone.expect_status("Offline")
    recent_row(phone, "EPS-26-900002").get_by_role("link", name="Correct").click()
    phone.heading("Correct: Primary response")
    phone.page.get_by_label("Kind").select_option(label="Consultation")
    expect(phone.page.get_by_label("Call number")).to_be_hidden()
    phone.page.get_by_label("Reason for the correction").fill("Was a consultation")
    phone.tap("Save")
    phone.heading("My recent entries")
    row = phone.page.locator(".recent-item").filter(has_text="Consultation").first
    expect(row.locator(".recent-state")).to_have_text("Correction waiting to sync")
    row.get_by_role("link", name="Correct").click()
    phone.heading("Correct: Consultation")
    phone.page.get_by_label("Housing").check()
    phone.page.get_by_label("Reason for the correction").fill("Housing was discussed")
    phone.tap("Save")
    phone.expect_status("Offline · 2 waiting to sync")

    phone.online()
    phone.expect_status("All synced")
    stored = wait_for(lambda: (e := encounter_of(server_db, officer))["version"] == 4 and e, message="both corrections")
    assert (stored["kind"], stored["call_number"]) == ("consultation", None)
    assert stored["reasons"] == ["Wrong call number", "Was a consultation", "Housing was discussed"]

    boss_phone = new_phone().sign_in(supervisor.username)
    expect_yesterday(boss_phone, {"Primary response": before["primary_response"],
                                  "Consultation": before["consultation"] + 1})
    assert phone.errors == [] and boss_phone.errors == []


def test_a_void_made_offline_takes_the_encounter_out_of_the_counts(new_phone, make_account, live_server, server_db):
    officer = make_account("officer")
    supervisor = make_account("supervisor")
    boss = FieldApi(live_server, supervisor)
    before = yesterday_counts(boss, live_server)

    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.log("Interaction", when=yesterday_noon(), needs=("Food",))
    phone.expect_status("All synced")
    wait_for(lambda: encounter_of(server_db, officer), message="the encounter")
    boss_phone = new_phone().sign_in(supervisor.username)
    expect_yesterday(boss_phone, {"Interaction": before["interaction"] + 1})

    phone.offline()
    phone.expect_status("Offline")
    open_recent(phone)
    row = recent_row(phone, "Interaction")
    row.get_by_role("link", name="Void").click()
    phone.heading("Void: Interaction")
    phone.tap("Void this encounter")  # the reason is required
    expect(phone.page.locator(".field-error")).to_contain_text("Say why")
    phone.page.get_by_label("Reason for voiding").fill("Logged twice")
    phone.tap("Void this encounter")
    dialog = phone.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Void this interaction?")
    dialog.get_by_role("button", name="Void it").click()
    phone.heading("My recent entries")
    expect(recent_row(phone, "Interaction").locator(".recent-state")).to_have_text("Void waiting to sync")
    expect(recent_row(phone, "Interaction").get_by_role("link", name="Correct")).to_have_count(0)
    phone.expect_status("Offline · 1 waiting to sync")

    phone.online()
    phone.expect_status("All synced")
    stored = wait_for(lambda: (e := encounter_of(server_db, officer))["voided"] and e, message="the void")
    assert (stored["void_reason"], stored["version"]) == ("Logged twice", 2)
    expect(recent_row(phone, "Interaction").locator(".recent-state")).to_have_text("Voided")
    phone.page.reload()  # the server lists no voided encounter to an officer: the phone's copy still shows it
    phone.heading("My recent entries")
    expect(recent_row(phone, "Interaction").locator(".recent-state")).to_have_text("Voided")
    expect(recent_row(phone, "Interaction")).to_contain_text("Voided: Logged twice")

    expect_yesterday(boss_phone, {"Interaction": before["interaction"]})
    assert phone.errors == [] and boss_phone.errors == []


def test_an_encounter_not_sent_yet_is_corrected_by_an_entry_queued_after_it(new_phone, make_account, live_server,
                                                                            server_db):
    officer = make_account("officer")
    teammate = FieldApi(live_server, make_account("officer"))  # same team: the officer may see theirs, not list it
    teammate.sync(teammate.entry("encounter", kind="primary_response", call_number="EPS-26-900199",
                                 occurred_at=datetime.now(ZoneInfo("America/Edmonton")).isoformat(timespec="seconds")))
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.offline()
    phone.expect_status("Offline")
    phone.log("On-scene assist", call_number="EPS-26-900101")
    open_recent(phone)
    row = recent_row(phone, "EPS-26-900101")
    expect(row.locator(".recent-state")).to_have_text("Waiting to sync")
    row.get_by_role("link", name="Correct").click()
    phone.heading("Correct: On-scene assist")
    phone.page.get_by_label("Call number").fill("EPS-26-900102")
    phone.page.get_by_label("Reason for the correction").fill("Typo in the call number")
    phone.tap("Save")
    phone.heading("My recent entries")
    expect(recent_row(phone, "EPS-26-900102").locator(".recent-state")).to_have_text("Waiting to sync, corrected")
    # The logged entry is left as it was (its id may already be on the server): a correction follows it.
    records = phone.outbox_records(officer.id)
    assert sorted(r["type"] for r in records) == ["encounter", "encounter_amend"]
    assert next(r for r in records if r["type"] == "encounter")["data"]["call_number"] == "EPS-26-900101"

    phone.online()
    phone.expect_status("All synced")
    stored = wait_for(lambda: (e := encounter_of(server_db, officer))["version"] == 2 and e, message="the correction")
    assert (stored["call_number"], stored["reasons"]) == ("EPS-26-900102", ["Typo in the call number"])
    expect(recent_row(phone, "EPS-26-900102").locator(".recent-state")).to_have_text("Corrected")
    expect(phone.page.locator(".recent-item")).to_have_count(1)  # refreshed from the server: the officer's own only
    assert phone.errors == []


def test_a_correction_of_an_encounter_voided_meanwhile_is_explained_and_can_be_discarded(
        new_phone, make_account, live_server, server_db):
    officer = make_account("officer")
    supervisor = make_account("supervisor")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.log("Primary response", call_number="EPS-26-900201")
    phone.expect_status("All synced")
    encounter_id = wait_for(lambda: encounter_of(server_db, officer)["id"], message="the encounter")

    phone.offline()
    phone.expect_status("Offline")
    open_recent(phone)
    recent_row(phone, "EPS-26-900201").get_by_role("link", name="Correct").click()
    phone.page.get_by_label("Call number").fill("EPS-26-900202")
    phone.page.get_by_label("Reason for the correction").fill("Wrong call number")
    phone.tap("Save")
    phone.heading("My recent entries")

    boss = FieldApi(live_server, supervisor)  # meanwhile a supervisor voids it
    answer = boss.http.post(f"{live_server}/api/v1/encounters/{encounter_id}/void", json={"reason": "Duplicate"},
                            headers={"X-CSRF-Token": boss.csrf}, timeout=30)
    assert answer.status_code == 200, answer.text

    phone.online()
    phone.expect_status("1 needs attention")
    row = recent_row(phone, "EPS-26-900201")  # as the server holds it: the correction was not applied
    expect(row.locator(".server-message")).to_contain_text("This encounter was voided on the server")
    expect(row.locator(".recent-state")).to_have_text("Correction needs attention")
    row.get_by_role("link", name="Open the outbox").click()
    phone.heading("Outbox")
    item = phone.page.locator(".attention-item")
    expect(item.locator(".server-message")).to_have_text(
        "This encounter was voided on the server, so it takes no more changes. Discard this correction.")
    expect(item.get_by_role("button", name="Send again")).to_have_count(0)
    item.get_by_role("button", name="Discard").click()
    phone.page.get_by_role("dialog").get_by_role("button", name="Discard it").click()
    phone.expect_status("All synced")
    open_recent(phone)
    row = recent_row(phone, "EPS-26-900201")
    expect(row.locator(".recent-state")).to_have_text("Voided")
    expect(row).to_contain_text("Voided: Duplicate")
    assert encounter_of(server_db, officer)["call_number"] == "EPS-26-900201"
    assert phone.errors == []


def test_a_correction_overtaken_by_a_supervisors_is_explained_and_applied_again_on_the_current_version(
        new_phone, make_account, live_server, server_db):
    officer = make_account("officer")
    supervisor = make_account("supervisor")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.log("Primary response", call_number="EPS-26-900301")
    phone.expect_status("All synced")
    encounter_id = wait_for(lambda: encounter_of(server_db, officer)["id"], message="the encounter")

    phone.offline()
    phone.expect_status("Offline")
    open_recent(phone)
    recent_row(phone, "EPS-26-900301").get_by_role("link", name="Correct").click()
    phone.page.get_by_label("Call number").fill("EPS-26-900303")
    phone.page.get_by_label("Reason for the correction").fill("Dispatch gave a new number")
    phone.tap("Save")
    phone.heading("My recent entries")

    boss = FieldApi(live_server, supervisor)  # meanwhile a supervisor corrects the same field
    answer = boss.http.patch(f"{live_server}/api/v1/encounters/{encounter_id}", headers={"X-CSRF-Token": boss.csrf},
                             json={"base_version": 1, "reason": "Checked the CAD", "call_number": "EPS-26-900302"},
                             timeout=30)
    assert answer.status_code == 200, answer.text

    phone.online()
    phone.expect_status("1 needs attention")
    row = recent_row(phone, "EPS-26-900302")  # the phone's copy is the server's now
    expect(row.locator(".recent-state")).to_have_text("Correction needs attention")
    phone.go("/outbox").heading("Outbox")
    item = phone.page.locator(".attention-item")
    expect(item.locator(".server-message")).to_contain_text("Someone corrected this encounter first")
    item.get_by_role("button", name="Apply again to the current version").click()
    phone.expect_status("All synced")
    stored = wait_for(lambda: (e := encounter_of(server_db, officer))["version"] == 3 and e, message="the re-applied correction")
    assert (stored["call_number"], stored["reasons"]) == (
        "EPS-26-900303", ["Checked the CAD", "Dispatch gave a new number"])
    open_recent(phone)
    expect(recent_row(phone, "EPS-26-900303").locator(".recent-state")).to_have_text("Corrected")
    assert phone.errors == []
