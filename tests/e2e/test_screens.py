"""Every screen, for every role, at 360×640 in light and dark: axe-core finds no WCAG 2 A/AA violation,
every touch target is at least 44 px, and a screenshot of each is saved under test-artifacts/screens/
for a person to look at, and one at 390×844 under test-artifacts/screens-390x844/. At 320 and 390 px wide no
screen shows a word twice in a row, punctuation twice or a word broken across two lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.directory.models import Agency
from tests.e2e.phone import phone_time

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 360, "height": 640}  # as tests/e2e/conftest.py's new_phone


class ScreenCheck:
    """Screenshots and axe results of one phone, gathered so one run reports every screen."""

    def __init__(self, phone, role: str):
        self.phone = phone
        self.role = role
        self.violations: dict[str, list] = {}
        self.small_targets: dict[str, list] = {}
        self.shots: list[str] = []
        self.text_problems: dict[str, list] = {}

    def __call__(self, name: str, *, dark: bool = True) -> None:
        page = self.phone.page
        page.wait_for_load_state("networkidle")
        schemes = ("light", "dark") if dark else ("light",)
        for scheme in schemes:
            page.emulate_media(color_scheme=scheme)
            label = f"{self.role}-{name}" + ("-dark" if scheme == "dark" else "")
            self.shots.append(self.phone.screenshot(label).name)
            found = self.phone.axe_violations()
            if found:
                self.violations[label] = found
        page.emulate_media(color_scheme="light")
        # For a reviewer: every screen at 390×844 in test-artifacts/screens/; and its words read right at 320 and 390.
        for width in (320, 390):
            page.set_viewport_size({"width": width, "height": 844})
            if width == 390:
                folder = self.phone.screens.parent / "screens-390x844"
                folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(folder / f"{self.role}-{name}.png"))
            text = self.phone.text_problems()
            if text:
                self.text_problems[f"{self.role}-{name}@{width}"] = text
        page.set_viewport_size(VIEWPORT)
        small = self.phone.small_targets()
        if small:
            self.small_targets[f"{self.role}-{name}"] = small

    def assert_clean(self) -> None:
        assert self.violations == {}, self.violations
        assert self.text_problems == {}, f"text a reader trips over: {self.text_problems}"
        assert self.small_targets == {}, f"touch targets under 44 px: {self.small_targets}"
        assert self.phone.errors == []


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days, hours=2)).isoformat(timespec="seconds")


@pytest.fixture
def field_records(make_account, field_api, server_db):
    """An officer's recent work on the server: people, encounters over the last weeks, a referral."""
    officer = make_account("officer")
    api = field_api(officer)
    hope = server_db.read(lambda s: s.scalar(sa.select(Agency.id).where(Agency.name == "Hope Mission")))
    person = api.entry("person", display_name="Sparrow", description="Green backpack, usually at Churchill LRT")
    other = api.entry("person", display_name="Tall Mike", given_name="Michael")
    entries = [person, other]
    for day in range(1, 29):
        for n in range(day % 4 + 1):
            kind = ("interaction", "consultation", "primary_response", "on_scene_assist")[n % 4]
            data = {"kind": kind, "occurred_at": _days_ago(day), "needs": ["housing"]}
            if kind in ("primary_response", "on_scene_assist"):
                data["call_number"] = f"EPS-26-{day:03d}{n}"
            if day % 3 == 0:
                data["person_id"] = person["id"]
            entries.append(api.entry("encounter", **data))
    referral = api.entry("referral", person_id=person["id"], agency_id=hope, service="housing", urgency="urgent",
                         consent_obtained=True, notes="Needs a bed tonight; ask for Joanne.")
    entries.append(referral)
    api.sync(*entries)
    return {"officer": officer, "person_id": person["id"], "referral_id": referral["id"]}


def test_officer_screens(new_phone, field_records, make_account):
    officer = field_records["officer"]
    phone = new_phone(notifications=True)  # as a phone that may show alerts: "Enable alerts" shows
    check = ScreenCheck(phone, "officer")
    phone.open("/signin")
    phone.heading("Sign in")
    check("sign-in")
    phone.sign_in(officer.username, open_first=False).wait_until_offline_ready()
    phone.expect_status("All synced")
    check("home")

    phone.tap("Interaction")
    phone.heading("Interaction")
    check("log-interaction")
    phone.page.get_by_label("Find a person").fill("spar")
    expect(phone.page.get_by_role("button", name="Sparrow", exact=True).first).to_be_visible()
    check("log-interaction-person-search", dark=False)
    phone.page.get_by_role("button", name="Sparrow", exact=True).first.click()
    phone.page.get_by_label("Housing").check()
    phone.tap("All risk flags (9)")
    phone.page.get_by_label("Overdose risk").check()
    phone.page.get_by_text("Outcome", exact=True).scroll_into_view_if_needed()
    check("log-interaction-filled", dark=False)
    phone.page.get_by_role("heading", name="Triage").scroll_into_view_if_needed()
    expect(phone.page.locator(".triage-result .triage-badge")).to_have_text("Level 1 · Immediate")
    check("log-interaction-triage")
    phone.page.get_by_label("2 Urgent").check()
    expect(phone.page.get_by_role("button", name="Use the suggested level")).to_be_visible()
    check("log-interaction-triage-override", dark=False)
    phone.go("/log/primary_response").heading("Primary response")
    check("log-primary-response", dark=False)
    phone.go("/log/shelter_check_in").heading("Shelter check-in")
    check("log-shelter-check-in", dark=False)
    phone.go("/log/on_scene_assist").heading("On-scene assist")
    phone.tap("Add a new person")
    check("log-on-scene-assist-new-person", dark=False)

    phone.go("/people").heading("People")
    expect(phone.page.get_by_role("link", name="Sparrow", exact=True).first).to_be_visible()
    check("people")
    phone.page.get_by_role("link", name="Sparrow", exact=True).first.click()
    phone.heading("Sparrow")
    check("person")
    phone.tap("Edit details", role="link")
    phone.heading("Edit Sparrow")
    phone.page.get_by_label("New alias").fill("Sparks")
    phone.tap("Add alias")
    check("person-edit")
    phone.go(f"/person/{field_records['person_id']}").heading("Sparrow")
    phone.tap("Make a referral", role="link")
    phone.heading("Make a referral")
    check("referral-form")
    phone.go("/inbox").heading("My referrals")
    check("my-referrals")
    phone.go(f"/referral/{field_records['referral_id']}").heading("Referral: Housing")
    check("referral")

    # Case management from the person's page, with the person's history around intake.
    phone.go(f"/person/{field_records['person_id']}").heading("Sparrow")
    phone.tap("Take into case management", role="link")
    phone.heading("Take into case management")
    check("case-intake")
    phone.page.get_by_label("Program (optional)").fill("Heavy Users of Service")
    phone.tap("Open the case")
    phone.heading("Case: Sparrow")
    expect(phone.page.get_by_role("heading", name="Encounters per month")).to_be_visible()
    phone.expect_status("All synced")
    check("case")
    phone.page.get_by_text("Add a goal", exact=True).click()
    check("case-add-goal", dark=False)
    phone.page.get_by_role("heading", name="Encounters per month").scroll_into_view_if_needed()
    check("case-encounters-per-month")
    phone.page.get_by_text("The same numbers as a table").click()
    phone.page.get_by_role("heading", name="Timeline").scroll_into_view_if_needed()
    check("case-timeline", dark=False)
    phone.go("/cases").heading("My cases")
    check("cases")

    # My recent entries (the last 7 days of the officer's own encounters), correcting and voiding one.
    phone.go("/")
    phone.tap("My recent entries", role="link")
    phone.heading("My recent entries")
    expect(phone.page.locator(".recent-item").first).to_be_visible()
    check("recent")
    phone.page.locator(".recent-item").first.get_by_role("link", name="Correct").click()
    expect(phone.page.get_by_role("heading", level=1)).to_contain_text("Correct:")
    check("recent-correct", dark=False)
    phone.go("/recent").heading("My recent entries")
    phone.page.locator(".recent-item").first.get_by_role("link", name="Void").click()
    expect(phone.page.get_by_role("heading", level=1)).to_contain_text("Void:")
    phone.page.get_by_label("Reason for voiding").fill("Logged twice")
    phone.tap("Void this encounter")
    expect(phone.page.get_by_role("dialog")).to_contain_text("cannot be undone")
    check("recent-void-confirm", dark=False)
    phone.page.get_by_role("button", name="Keep it").click()

    # Needs attention and the outbox, then the sign-out choice with entries still unsent.
    phone.go("/")
    phone.heading("Log an encounter")
    phone.offline()
    phone.log("Interaction")
    phone.log("Primary response", call_number="EPS-26-777001")
    check("home-offline-waiting")
    phone.go("/outbox").heading("Outbox")
    check("outbox")
    phone.go("/")
    phone.tap("Sign out")
    expect(phone.page.get_by_role("dialog")).to_contain_text("2 entries have not been sent")
    check("sign-out-choice")
    phone.page.get_by_role("button", name="Stay signed in").click()
    check.assert_clean()


def test_officer_needs_attention_screens(new_phone, make_account):
    officer = make_account("officer")
    phone = new_phone(notifications=True)  # as a phone that may show alerts: "Enable alerts" shows
    check = ScreenCheck(phone, "officer")
    phone.sign_in(officer.username).wait_until_offline_ready()
    phone.log("Consultation", when=phone_time(timedelta(days=3)))
    expect(phone.page.locator("#status-attention")).to_be_visible()
    check("home-needs-attention")
    phone.go("/outbox").heading("Outbox")
    check("outbox-needs-attention")
    phone.page.get_by_role("link", name="Fix and resend").click()
    phone.heading("Consultation")
    check("fix-entry")
    check.assert_clean()


def test_navigator_screens(new_phone, field_records, make_account):
    navigator = make_account("navigator")
    phone = new_phone(notifications=True)  # as a phone that may show alerts: "Enable alerts" shows
    check = ScreenCheck(phone, "navigator")
    phone.sign_in(navigator.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    check("home")
    phone.tap("Referral inbox", role="link")
    phone.heading("Referral inbox")
    expect(phone.page.get_by_role("button", name="Accept").first).to_be_visible()
    check("inbox")

    # An accepted referral taken into case management; goals, a note, a transition, the closing form.
    card = phone.page.locator(".referral-card", has=phone.page.locator(f'a[href="#/referral/{field_records["referral_id"]}"]'))
    card.get_by_role("button", name="Accept").click()
    phone.expect_status("All synced")
    expect(card).not_to_contain_text("waiting to sync")  # redrawn after the sync: it stays still now
    card.get_by_role("link", name="Take into case management").evaluate("el => el.scrollIntoView()")
    check("inbox-accepted", dark=False)
    card.get_by_role("link", name="Take into case management").click()
    phone.heading("Take into case management")
    check("case-intake-from-referral", dark=False)
    phone.tap("Open the case")
    phone.heading("Case: Sparrow")
    for goal in ("Apply for supportive housing", "Renew Alberta ID"):
        phone.page.get_by_text("Add a goal", exact=True).click()
        phone.page.get_by_label("Goal", exact=True).fill(goal)
        phone.tap("Add goal")
        expect(phone.page.locator(".goal", has_text=goal)).to_be_visible()
    phone.page.locator(".goal", has_text="Renew Alberta ID").get_by_role("button", name="Start").click()
    phone.page.get_by_text("Add a note", exact=True).click()
    phone.page.get_by_label("Note", exact=True).fill("Prefers morning visits at the Herb Jamieson Centre.")
    phone.tap("Add note")
    expect(phone.page.locator(".note-list")).to_contain_text("Prefers morning visits")
    phone.expect_status("All synced")
    expect(phone.page.locator("main").get_by_text("waiting to sync")).to_have_count(0)
    phone.page.get_by_role("heading", name="Goals (2 open)").evaluate("el => el.scrollIntoView()")
    check("case-goals")
    phone.page.get_by_text("Transition to a program", exact=True).click()
    phone.page.get_by_label("Program", exact=True).scroll_into_view_if_needed()
    check("case-transition-form", dark=False)
    phone.page.get_by_text("Close the case", exact=True).click()
    phone.page.get_by_label("Reason", exact=True).scroll_into_view_if_needed()
    check("case-close-form", dark=False)
    phone.go("/cases").heading("My cases")
    check("cases")
    phone.go("/log/shelter_check_in").heading("Shelter check-in")
    check("log-shelter-check-in")
    check.assert_clean()


def test_supervisor_screens(new_phone, field_records, make_account, field_api):
    supervisor = make_account("supervisor")
    api = field_api(field_records["officer"])
    api.sync(api.entry("person", display_name="Kestrel", birth_year=1975, aliases=["Kes"]),
             api.entry("person", display_name="Kestrel", given_name="Kevin", family_name="Strel", birth_year=1975))
    phone = new_phone(notifications=True)  # as a phone that may show alerts: "Enable alerts" shows
    check = ScreenCheck(phone, "supervisor")
    phone.sign_in(supervisor.username).wait_until_offline_ready()
    check("home")
    phone.tap("Daily counts", role="link")
    phone.heading("Daily counts")
    expect(phone.page.get_by_role("heading", name="Yesterday")).to_be_visible()
    expect(phone.page.get_by_role("heading", name="Today so far")).to_be_visible()
    check("daily-counts")
    phone.page.get_by_text("The same numbers as a table").click()
    phone.page.get_by_role("heading", name="Heavy users of service").scroll_into_view_if_needed()
    check("daily-counts-table-and-heavy-users")
    phone.go("/cases").heading("Cases")
    check("cases")
    phone.go("/duplicates").heading("Possible duplicates")
    card = phone.page.locator(".pair", has_text="Kestrel (Kevin Strel)").first
    expect(card).to_be_visible()
    check("duplicates")
    card.get_by_role("button", name="Merge these two…").click()
    card.get_by_role("button", name="Merge", exact=True).click()
    expect(card.get_by_text("Give the reason for merging them.")).to_be_visible()
    check("duplicates-merge", dark=False)
    phone.offline()
    phone.go("/people").heading("People")
    phone.go("/duplicates").heading("Possible duplicates")
    expect(phone.page.get_by_text("Offline: the list and merging need a connection")).to_be_visible()
    check("duplicates-offline", dark=False)
    phone.go("/stats").heading("Daily counts")
    expect(phone.page.get_by_text("Offline: figures as of").first).to_be_visible()
    phone.page.get_by_role("heading", name="Heavy users in case management").scroll_into_view_if_needed()
    check("daily-counts-offline-figures")
    check.assert_clean()


def test_admin_screens(new_phone, make_account):
    """The administrator's screens: home, users (list, one user, add, import with results), teams,
    agencies, sites, the audit log, and the forced password change an officer meets after a reset."""
    admin = make_account("admin")
    make_account("officer")
    phone = new_phone()
    check = ScreenCheck(phone, "admin")
    phone.open("/signin")
    phone.page.get_by_label("Username").fill(admin.username)
    phone.page.get_by_label("Password").fill("field-test-password-1")
    phone.tap("Sign in")
    phone.heading("Administration")
    check("home")
    phone.go("/admin/users").heading("Users")
    expect(phone.page.locator(".user-list li").first).to_be_visible()
    check("users")
    phone.page.locator(".user-list a").first.click()
    phone.page.get_by_role("button", name="Reset password").wait_for()
    check("user")
    phone.go("/admin/users/new").heading("Add a user")
    check("user-new", dark=False)
    phone.go("/admin/users/import").heading("Import users")
    phone.page.get_by_label("CSV file").set_input_files(files=[{
        "name": "people.csv", "mimeType": "text/csv",
        "buffer": b"username,display_name,role,team\nscreens.one,Screens One,officer,Downtown HELP\nx,Bad,officer,\n"}])
    phone.tap("Import")
    expect(phone.page.get_by_text("1 created, 1 rejected.")).to_be_visible(timeout=30_000)
    check("import-results")
    for path, title in (("/admin/teams", "Teams"), ("/admin/agencies", "Partner agencies"), ("/admin/sites", "Sites")):
        phone.go(path).heading(title)
        phone.page.locator(".directory-list summary").first.click()
        check(path.rsplit("/", 1)[-1], dark=False)
    phone.go("/admin/audit").heading("Audit log")
    expect(phone.page.locator(".audit-list li").first).to_be_visible()
    check("audit")
    phone.go("/password").heading("Change password")
    check("change-password", dark=False)
    check.assert_clean()
