"""Who the phone belongs to: sessions survive reloads, users never share an outbox, sign-out wipes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import AuthSession
from app.encounters.models import Encounter
from app.people.models import Person
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e

SHARED_DB = """() => new Promise((resolve) => {
    const open = indexedDB.open("help-field");
    open.onsuccess = () => {
      const db = open.result;
      const all = db.transaction("settings").objectStore("settings").getAll();
      all.onsuccess = () => { db.close(); resolve(all.result); };
    };
})"""


def notes_by(server_db, account) -> list[str]:
    return server_db.read(lambda s: sorted(s.scalars(
        sa.select(Encounter.notes).where(Encounter.author_id == account.id))))


def test_the_session_and_csrf_token_survive_a_reload(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.page.reload()
    phone.heading("Log an encounter")
    expect(phone.page.locator("#who")).to_have_text("Test Officer")
    # A write after the reload carries the CSRF token the phone kept: it is accepted.
    phone.log("Interaction", notes="after reload")
    phone.expect_status("All synced")
    assert wait_for(lambda: notes_by(server_db, officer)) == ["after reload"]

    phone.offline()
    phone.page.reload()  # offline too: the phone remembers who is signed in
    phone.heading("Log an encounter")
    phone.expect_status("Offline")


def test_two_users_on_one_phone_each_see_and_send_only_their_own_outbox(new_phone, make_account, server_db):
    first, second = make_account("officer"), make_account("officer")
    phone = new_phone().sign_in(first.username).wait_until_offline_ready()
    phone.offline()
    phone.log("Interaction", notes="first user's entry")
    phone.expect_status("Offline · 1 waiting to sync")

    phone.tap("Sign out")
    dialog = phone.page.get_by_role("dialog")
    expect(dialog).to_contain_text("1 entry has not been sent")
    dialog.get_by_role("button", name="Sign out, keep them on this phone").click()
    phone.heading("Sign in")

    phone.online()
    phone.sign_in(second.username, open_first=False)
    phone.expect_status("All synced")
    assert phone.waiting_labels() == []
    phone.go("/")
    phone.log("Consultation", notes="second user's entry")
    phone.expect_status("All synced")
    assert wait_for(lambda: notes_by(server_db, second)) == ["second user's entry"]
    assert notes_by(server_db, first) == []  # never sent under the second user's session
    assert [e["data"]["notes"] for e in phone.outbox_records(first.id)] == ["first user's entry"]

    phone.tap("Sign out")
    phone.heading("Sign in")
    phone.sign_in(first.username, open_first=False)
    phone.expect_status("All synced")
    assert wait_for(lambda: notes_by(server_db, first)) == ["first user's entry"]
    assert notes_by(server_db, second) == ["second user's entry"]


def test_sign_out_with_unsent_entries_asks_first(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.offline()
    phone.log("Interaction")
    phone.log("Consultation")

    phone.tap("Sign out")
    dialog = phone.page.get_by_role("dialog")
    expect(dialog).to_contain_text("2 entries have not been sent")
    expect(dialog).to_contain_text("cannot reach the server")
    dialog.get_by_role("button", name="Stay signed in").click()
    phone.heading("Log an encounter")
    phone.expect_status("Offline · 2 waiting to sync")

    phone.tap("Sign out")
    phone.page.get_by_role("dialog").get_by_role("button", name="Sign out and delete 2 entries").click()
    phone.heading("Sign in")
    assert not any(name.startswith("help-field-user-") for name in phone.idb_names())
    assert notes_by(server_db, officer) == []


def test_signing_out_sends_what_waits_then_leaves_no_personal_data(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.offline()
    phone.log("Interaction", new_person="Kestrel", notes="met at the river valley")
    # Still waiting when signing out. (Routed before going online: the online event syncs at once.)
    phone.context.route("**/api/v1/sync", lambda route: route.abort())
    phone.online()
    phone.expect_status("Offline · 2 waiting to sync")
    phone.context.unroute("**/api/v1/sync")
    assert f"help-field-user-{officer.id}" in phone.idb_names()

    phone.tap("Sign out")  # it syncs first, and as everything went, no question is asked
    phone.heading("Sign in")
    expect(phone.page.get_by_text("Nothing of yours is left on this phone")).to_be_visible()
    assert wait_for(lambda: notes_by(server_db, officer)) == ["met at the river valley"]
    assert server_db.read(lambda s: s.scalar(sa.select(Person.display_name).where(Person.author_id == officer.id))) \
        == "Kestrel"

    assert not any(name.startswith("help-field-user-") for name in phone.idb_names())
    kept = phone.page.evaluate(SHARED_DB)
    assert [record["key"] for record in kept] == ["device_id"]  # no user, no token
    for name, urls in phone.cached_urls().items():
        assert name.startswith("help-field-shell-")
        assert not [url for url in urls if url.startswith("/api/")]
    page_text = phone.page.content()
    assert "Kestrel" not in page_text and "river valley" not in page_text
    # And the server session is over: reopening the app asks to sign in.
    phone.page.reload()
    phone.heading("Sign in")


def test_a_sign_out_made_offline_ends_the_server_session_once_back_online(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.offline()
    phone.tap("Sign out")  # nothing unsent: no question, the phone is wiped at once
    phone.heading("Sign in")
    assert not any(name.startswith("help-field-user-") for name in phone.idb_names())

    def live_sessions():
        return server_db.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(AuthSession).where(
            AuthSession.user_id == officer.id, AuthSession.revoked_at.is_(None))))

    assert live_sessions() == 1  # the server could not be told yet
    phone.online()  # the app tells the server as soon as it can
    assert wait_for(lambda: live_sessions() == 0)
    phone.page.reload()
    phone.heading("Sign in")
