"""Bringing a unit on board in a browser: an administrator imports a CSV file of 60 officers (3 bad rows,
each rejected with its reason), resets one officer's password; that officer signs in with it on a phone, is
made to choose a new password, and then logs an encounter that reaches the server."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.encounters.models import Encounter
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "harbour-violet-canoe-41"


def sign_in_as_admin(phone, username: str) -> None:
    phone.open("/signin")
    phone.page.get_by_label("Username").fill(username)
    phone.page.get_by_label("Password").fill("field-test-password-1")
    phone.tap("Sign in")
    phone.heading("Administration")


def onboarding_csv(tag: str) -> tuple[str, list[str]]:
    """60 rows: 57 officers of Downtown HELP without passwords, and three bad rows (a Cyrillic look-alike
    username, a commonly used password, a navigator without an agency)."""
    lines = ["username,display_name,role,team,agency,password"]
    good = []
    for n in range(60):
        if n == 10:
            lines.append(f"оfficer{tag},Look Alike,officer,Downtown HELP,,")  # Cyrillic о
        elif n == 30:
            lines.append(f"weak{tag},Weak Password,officer,Downtown HELP,,iloveyou1234")
        elif n == 50:
            lines.append(f"nav{tag},No Agency,navigator,Downtown HELP,,")
        else:
            username = f"o{tag}.{n:02d}"
            good.append(username)
            lines.append(f"{username},Officer {n:02d},officer,Downtown HELP,,")
    return "\n".join(lines) + "\n", good


def test_an_admin_onboards_sixty_officers_and_one_signs_in_after_a_reset(new_phone, make_account, server_db,
                                                                        tmp_path):
    tag = uuid.uuid4().hex[:6]
    admin = make_account("admin")
    csv_text, good = onboarding_csv(tag)
    path = tmp_path / "officers.csv"
    path.write_text(csv_text, encoding="utf-8")

    desk = new_phone()
    sign_in_as_admin(desk, admin.username)
    desk.tap("Import users", role="link")
    desk.heading("Import users")
    desk.page.get_by_label("CSV file").set_input_files(str(path))
    desk.tap("Import")
    expect(desk.page.get_by_text("57 created, 3 rejected.")).to_be_visible(timeout=120_000)
    rejected = desk.page.locator(".rejected-rows li")
    expect(rejected).to_have_count(3)
    texts = rejected.all_inner_texts()
    assert [t.split()[1] for t in texts] == ["11", "31", "51"]  # rows counted from the first after the header
    assert "username" in texts[0] and "a-z" in texts[0]
    assert "commonly used password" in texts[1]
    assert "navigator belongs to a partner agency" in texts[2]
    expect(desk.page.locator(".created-rows li")).to_have_count(57)
    created = server_db.read(lambda s: set(s.scalars(sa.select(User.username).where(User.username.like(f"%{tag}%")))))
    assert created == set(good)

    chosen = good[7]
    desk.go("/admin/users")
    desk.heading("Users")
    desk.page.get_by_label("Name or username").fill(chosen)
    desk.tap("Show")
    desk.page.get_by_role("link", name="Officer 07").click()
    desk.heading("Officer 07")
    desk.tap("Reset password")
    desk.page.locator("dialog").get_by_role("button", name="Reset password").click()
    secret = desk.page.locator(".secret-card .secret")
    expect(secret).to_be_visible()
    temporary = secret.inner_text().strip()
    assert len(temporary) >= 16

    phone = new_phone()
    phone.open("/signin")
    phone.page.get_by_label("Username").fill(chosen)
    phone.page.get_by_label("Password").fill(temporary)
    phone.tap("Sign in")
    phone.heading("Choose a new password")
    phone.go("/people")  # nothing else opens until the password is changed
    phone.heading("Choose a new password")
    phone.page.get_by_label("Temporary password").fill(temporary)
    phone.page.get_by_label("New password", exact=True).fill("password1234")
    phone.page.get_by_label("New password again").fill("password1234")
    phone.tap("Change password")
    expect(phone.page.get_by_text("This is a commonly used password; choose another.")).to_be_visible()
    phone.page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    phone.page.get_by_label("New password again").fill(NEW_PASSWORD)
    phone.tap("Change password")
    phone.heading("Log an encounter")
    phone.log("Interaction", notes=f"first shift {tag}")
    phone.expect_status("All synced")
    officer_id = server_db.read(lambda s: s.scalar(sa.select(User.id).where(User.username == chosen)))
    notes = wait_for(lambda: server_db.read(lambda s: s.scalars(
        sa.select(Encounter.notes).where(Encounter.author_id == officer_id)).all()))
    assert notes == [f"first shift {tag}"]
    assert server_db.read(lambda s: s.scalar(sa.select(User.must_change_password).where(User.id == officer_id))) is False


def test_a_deactivated_agency_reaches_the_phone_stays_on_its_referrals_and_is_no_longer_offered(
        new_phone, make_account, field_api, server_db):
    admin = field_api(make_account("admin"))
    name = f"Closing Soon {uuid.uuid4().hex[:4]}"
    created = admin.http.post(f"{admin.base_url}/api/v1/agencies", headers={"X-CSRF-Token": admin.csrf}, timeout=30,
                              json={"name": name, "services": ["food"], "phone": "780-555-0199"})
    assert created.status_code == 201, created.text
    agency_id = created.json()["id"]
    officer = make_account("officer")
    api = field_api(officer)
    person = api.entry("person", display_name="Robin")
    api.sync(person, api.entry("referral", person_id=person["id"], agency_id=agency_id, service="food",
                               urgency="routine", consent_obtained=False))

    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.go("/refer").heading("Make a referral")
    expect(phone.page.get_by_label("Agency").locator("option", has_text=name)).to_have_count(1)

    closed = admin.http.patch(f"{admin.base_url}/api/v1/agencies/{agency_id}", headers={"X-CSRF-Token": admin.csrf},
                              json={"active": False}, timeout=30)
    assert closed.status_code == 200 and closed.json()["active"] is False
    phone.go("/")
    phone.heading("Log an encounter")
    phone.tap("Sync now")

    def offered() -> int:  # the referral form reads the phone's copy of the agencies when it opens
        phone.go("/").heading("Log an encounter")
        phone.go("/refer").heading("Make a referral")
        return phone.page.get_by_label("Agency").locator("option", has_text=name).count()

    wait_for(lambda: offered() == 0, message="the deactivated agency left the phone's referral form")
    phone.go("/inbox")
    phone.heading("My referrals")
    expect(phone.page.locator(".referral-card").first).to_contain_text(name)
