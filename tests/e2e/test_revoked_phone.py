"""A phone an administrator signed out (`flask users sign-out`): it keeps nothing of the team's people.

When the server answers 401 session_revoked (not a network failure, not an expired session) the phone wipes
its copies of people, referrals and cases at once, keeps only the unsent outbox, locked behind the sign-in
screen with no way around it, and sends that outbox exactly once when the same user signs in again.
"""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.directory.models import Agency
from app.encounters.models import Encounter
from tests.e2e.phone import wait_for
from tests.e2e.test_canary_browser import find_on_phone

pytestmark = pytest.mark.e2e


@pytest.fixture
def team_records(make_account, field_api, server_db):
    """People, a consented referral and a case a colleague on the same team put on the server, each named
    with a unique marker: what the officer's phone holds offline."""
    marker = f"REVOKED{uuid.uuid4().hex[:10]}"
    api = field_api(make_account("officer"))
    agency_id = server_db.read(lambda s: s.scalar(sa.select(Agency.id).where(Agency.name == "Hope Mission")))
    people = [api.entry("person", display_name=f"{marker} {alias}", description=f"{marker} seen downtown")
              for alias in ("Heron", "Lark", "Plover")]
    referral = api.entry("referral", person_id=people[0]["id"], agency_id=agency_id, service="housing",
                         urgency="urgent", consent_obtained=True, notes=f"{marker} needs a bed")
    case = api.entry("case_intake", person_id=people[1]["id"], program="HELP", notes=f"{marker} intake")
    api.sync(*people, referral, case)
    return marker


def left_after_wipe(phone, marker: str, timeout: float = 10.0) -> dict:
    """Where the marker still is on the phone, once it is gone from IndexedDB or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        left = find_on_phone(phone, marker)
        if not left["found"]["indexedDB"] or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def encounters_with_notes(server_db, notes: str) -> list[str]:
    return server_db.read(lambda s: s.scalars(sa.select(Encounter.id).where(Encounter.notes == notes)).all())


def test_a_phone_signed_out_by_an_administrator_wipes_the_teams_people_and_keeps_only_the_locked_outbox(
        new_phone, make_account, server_db, e2e_app, team_records):
    marker = team_records
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    held = find_on_phone(phone, marker)
    mine = f"help-field-user-{officer.id}"
    stores = {place.split("/")[1] for place in held["found"]["indexedDB"] if place.startswith(f"{mine}/")}
    assert stores >= {"persons", "referrals", "cases"}, held  # the search finds what the phone holds

    phone.offline()
    phone.log("Interaction", notes="logged before the sign-out")
    phone.expect_status("Offline · 1 waiting to sync")
    [entry] = phone.outbox_records(officer.id)

    # The phone is reported lost; the administrator signs the user out everywhere.
    result = e2e_app.test_cli_runner().invoke(args=["users", "sign-out", officer.username])
    assert result.exit_code == 0 and "ended 1 session(s)" in result.output, result.output

    phone.online()  # the online event syncs; the server answers session_revoked
    phone.heading("Sign in again")
    left = left_after_wipe(phone, marker)
    assert left["found"] == {"indexedDB": [], "caches": [], "storage": []}, left
    assert left["searched"]["records"] >= 1, left  # the outbox entry was searched too
    expect(phone.page.get_by_role("alert")).to_contain_text("An administrator signed this phone out")
    expect(phone.page.get_by_text("Not now: keep working on this phone")).to_have_count(0)
    phone.expect_status("Signed out · 1 waiting to sync")
    assert [e["id"] for e in phone.outbox_records(officer.id)] == [entry["id"]]
    assert marker not in phone.page.content()
    assert encounters_with_notes(server_db, "logged before the sign-out") == []

    # Locked: no screen of the app opens, not after a reload either; no way round signing in.
    phone.go("/outbox")
    phone.heading("Sign in again")
    phone.go("/people")
    phone.heading("Sign in again")
    phone.page.reload()
    phone.heading("Sign in again")
    expect(phone.page.get_by_role("alert")).to_contain_text("An administrator signed this phone out")
    expect(phone.page.get_by_text("Not now: keep working on this phone")).to_have_count(0)
    assert find_on_phone(phone, marker)["found"]["indexedDB"] == []

    # The same user signs in again: the entry goes, once.
    phone.sign_in(officer.username, open_first=False)
    phone.expect_status("All synced")
    assert wait_for(lambda: encounters_with_notes(server_db, "logged before the sign-out")) == [entry["id"]]
    assert phone.outbox_records(officer.id) == []


def test_a_revoked_phone_locks_the_outbox_away_from_the_next_user_until_its_owner_signs_in(
        new_phone, make_account, server_db, e2e_app):
    officer, colleague = make_account("officer"), make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.offline()
    phone.log("Interaction", notes="the first officer's entry")
    assert e2e_app.test_cli_runner().invoke(args=["users", "sign-out", officer.username]).exit_code == 0
    phone.online()
    phone.expect_status("Signed out · 1 waiting to sync")
    phone.heading("Sign in again")

    # Someone else signs in on this phone: they see none of it, and it is not sent under their session.
    phone.sign_in(colleague.username, open_first=False)
    phone.expect_status("All synced")
    assert phone.waiting_labels() == []
    assert encounters_with_notes(server_db, "the first officer's entry") == []
    assert len(phone.outbox_records(officer.id)) == 1

    phone.go("/")
    phone.tap("Sign out")
    phone.heading("Sign in")
    phone.sign_in(officer.username, open_first=False)
    phone.expect_status("All synced")
    sent = wait_for(lambda: server_db.read(lambda s: s.scalars(sa.select(Encounter.author_id).where(
        Encounter.notes == "the first officer's entry")).all()))
    assert sent == [officer.id]
