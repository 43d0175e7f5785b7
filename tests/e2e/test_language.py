"""Issue 18, "Language": every word the phone app shows comes from its catalogue. The app is run in the
pseudo-locale (each catalogue string wrapped in ⟦…⟧, chosen as a user would choose a language: stored on the
phone), and on each main screen of each role the visible text, with the wrapped strings taken out, holds
nothing but user data: names, notes and codes from the server, numbers, dates and times."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.directory.models import Agency, Site, Team
from tests.e2e.test_screens import field_records  # noqa: F401  (a fixture: the officer's recent work)

pytestmark = pytest.mark.e2e

LANGUAGE_KEY = "help-field-language"

# What is on a screen without being the app's words: people and notes the tests write, Intl's dates and times.
USER_DATA = ["Sparrow", "Sparks", "Tall Mike", "Michael", "Kestrel", "Kevin", "Strel", "Kes",
             "Green backpack, usually at Churchill LRT", "Needs a bed tonight; ask for Joanne."]
# Shown as the server holds them (the audit log's action codes, record types and ids; the names of the heavy
# users of service, whoever the session's other tests logged), not words of the app.
SERVER_DATA = ".audit-list .entry-label, .audit-list .entry-time, .heavy-list a"
CALL_NUMBERS = re.compile(r"\b[A-Z]+-\d[\d-]*")
DATES = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\b|\b[ap]\.m\.|\b[AP]M\b")

# The visible text with every catalogue string (innermost first, as they nest) taken out.
LEFT_OVER = r"""({ userData, serverData }) => {
  for (const el of document.querySelectorAll(serverData)) el.dataset.serverData = el.textContent, el.textContent = "";
  let text = document.body.innerText;
  for (const el of document.querySelectorAll("[data-server-data]")) el.textContent = el.dataset.serverData;
  for (let before = null; before !== text;) { before = text; text = text.replace(/⟦[^⟦⟧]*⟧/g, " "); }
  for (const data of userData.sort((a, b) => b.length - a.length)) text = text.split(data).join(" ");
  return text;
}"""


@pytest.fixture
def directory_words(server_db):
    """Names the server holds now: agencies, teams, sites and accounts (user data on the screens)."""
    def read(session):
        names = [*session.scalars(sa.select(Agency.name)), *session.scalars(sa.select(Agency.short_name)),
                 *session.scalars(sa.select(Team.name)), *session.scalars(sa.select(Team.group)),
                 *session.scalars(sa.select(Site.name)),
                 *session.scalars(sa.select(User.display_name)), *session.scalars(sa.select(User.username))]
        return [name for name in names if name]
    return lambda: server_db.read(read)


def texts_in(value) -> list[str]:
    """Every string with a letter in a JSON value, keys left out."""
    if isinstance(value, str):
        return [value] if re.search(r"[^\W\d_]", value) else []
    if isinstance(value, dict):
        return [text for item in value.values() for text in texts_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in texts_in(item)]
    return []


def w(text: str) -> str:
    """A catalogue string as the pseudo-locale shows it."""
    return f"⟦{text}⟧"


class PseudoWalk:
    """A phone in the pseudo-locale, and what each screen showed that is not from the catalogue."""

    def __init__(self, phone, directory_words):
        self.phone = phone
        self.directory_words = directory_words
        self.user_data = list(USER_DATA)
        self.found: dict[str, list[str]] = {}
        # Every text the server sent this phone (names, aliases, notes, programs, messages): user data,
        # whichever test of the session wrote it; the app's own words never come from the API.
        self.server_texts: set[str] = set()
        phone.page.on("response", self._keep_server_texts)
        phone.page.add_init_script(f"localStorage.setItem({LANGUAGE_KEY!r}, 'pseudo')")

    def _keep_server_texts(self, response) -> None:
        if "/api/" not in response.url or "json" not in (response.headers.get("content-type") or ""):
            return
        try:
            body = response.json()
        except Exception:  # noqa: BLE001  (a body the browser no longer holds, or not JSON after all)
            return
        self.server_texts.update(texts_in(body))

    def sign_in(self, username: str) -> None:
        page = self.phone.page
        self.phone.open("/signin")
        page.get_by_label("⟦Username⟧").fill(username)
        page.get_by_label("⟦Password⟧").fill("field-test-password-1")
        page.get_by_role("button", name="⟦Sign in⟧", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)
        expect(page.locator("#status-detail")).to_contain_text("⟦Last synced", timeout=20_000)

    def screen(self, name: str, heading: str, path: str | None = None) -> None:
        """Opens `path` (or stays), waits for its heading (as shown: see w()), records what is left."""
        page = self.phone.page
        if path is not None:
            self.phone.go(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.wait_for_load_state("networkidle")
        user_data = self.user_data + self.directory_words() + sorted(self.server_texts)
        left = page.evaluate(LEFT_OVER, {"userData": user_data, "serverData": SERVER_DATA})
        left = CALL_NUMBERS.sub(" ", DATES.sub(" ", left))
        words = sorted({w for w in re.findall(r"[^\W\d_]{2,}", left)})
        if words:
            self.found[name] = words

    def assert_all_from_catalogue(self) -> None:
        assert self.found == {}, f"words on screen that are not from the catalogue: {self.found}"
        assert self.phone.errors == []


def test_the_page_language_is_the_catalogues(new_phone):
    phone = new_phone()
    phone.open("/signin").heading("Sign in")
    assert phone.page.evaluate("document.documentElement.lang") == "en-CA"
    assert phone.page.title() == "Sign in · HELP Field"
    phone.page.evaluate(f"localStorage.setItem({LANGUAGE_KEY!r}, 'pseudo')")
    phone.page.reload()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("⟦Sign in⟧")
    assert phone.page.evaluate("document.documentElement.lang") == "en-XA"
    assert phone.page.title() == "⟦⟦Sign in⟧ · HELP Field⟧"
    expect(phone.page.locator("header .brand")).to_have_text("⟦HELP Field⟧")


def test_an_unknown_stored_language_falls_back_to_english(new_phone):
    phone = new_phone()
    phone.page.add_init_script(f"localStorage.setItem({LANGUAGE_KEY!r}, 'xx')")
    phone.open("/signin").heading("Sign in")
    assert phone.page.evaluate("document.documentElement.lang") == "en-CA"


def test_officer_screens_speak_only_the_catalogue(new_phone, field_records, directory_words):  # noqa: F811
    officer = field_records["officer"]
    person, referral = field_records["person_id"], field_records["referral_id"]
    walk = PseudoWalk(new_phone(), directory_words)
    walk.sign_in(officer.username)
    walk.screen("home", w("Log an encounter"))
    walk.screen("people", w("People"), "/people")
    walk.screen("person", "Sparrow", f"/person/{person}")
    walk.screen("person-edit", w("Edit Sparrow"), f"/person/{person}/edit")
    walk.screen("referral-form", w("Make a referral"), f"/refer?person={person}")
    walk.screen("my-referrals", w("My referrals"), "/inbox")
    walk.screen("referral", w(f"Referral: {w('Housing')}"), f"/referral/{referral}")
    walk.screen("recent", w("My recent entries"), "/recent")
    first = walk.phone.page.locator(".recent-item").first.get_attribute("data-encounter")
    walk.phone.go(f"/recent/{first}/void")
    expect(walk.phone.page.get_by_role("heading", level=1)).to_contain_text("⟦Void: ")
    walk.screen("recent-void", walk.phone.page.get_by_role("heading", level=1).inner_text())
    walk.screen("case-intake", w("Take into case management"), f"/case/new?person={person}")
    walk.phone.page.get_by_role("button", name="⟦Open the case⟧").click()
    walk.screen("case", w("Case: Sparrow"))
    walk.screen("cases", w("My cases"), "/cases")
    walk.screen("outbox", w("Outbox"), "/outbox")
    walk.screen("situation-tables", w("Situation tables"), "/tables")
    walk.screen("our-situations", w("Our situations"), "/situations")
    walk.phone.go("/")
    walk.phone.page.get_by_role("button", name="⟦Sign out⟧").click()
    walk.screen("signed-out", w("Sign in"))
    walk.assert_all_from_catalogue()


def test_navigator_screens_speak_only_the_catalogue(new_phone, field_records, make_account, directory_words):  # noqa: F811
    navigator = make_account("navigator")
    walk = PseudoWalk(new_phone(), directory_words)
    walk.sign_in(navigator.username)
    walk.screen("home", w("Log an encounter"))
    walk.screen("inbox", w("Referral inbox"), "/inbox")
    page = walk.phone.page
    card = page.locator(".referral-card", has=page.locator(f'a[href="#/referral/{field_records["referral_id"]}"]'))
    card.get_by_role("button", name="⟦Accept⟧").click()
    expect(page.locator("#status-text")).to_have_text("⟦All synced⟧", timeout=20_000)
    expect(card.get_by_role("link", name="⟦Take into case management⟧")).to_be_visible(timeout=20_000)
    walk.screen("inbox-accepted", w("Referral inbox"))
    card.get_by_role("link", name="⟦Take into case management⟧").click()
    walk.screen("case-intake-from-referral", w("Take into case management"))
    walk.phone.page.get_by_role("button", name="⟦Open the case⟧").click()
    walk.screen("case", w("Case: Sparrow"))
    walk.phone.page.get_by_text("⟦Add a goal⟧", exact=True).click()
    walk.phone.page.get_by_label("⟦Goal⟧", exact=True).fill("Renew Alberta ID")
    walk.phone.page.get_by_role("button", name="⟦Add goal⟧").click()
    expect(walk.phone.page.locator(".goal", has_text="Renew Alberta ID")).to_be_visible()
    walk.user_data.append("Renew Alberta ID")
    walk.screen("case-with-goal", w("Case: Sparrow"))
    walk.screen("cases", w("My cases"), "/cases")
    walk.assert_all_from_catalogue()


def test_supervisor_screens_speak_only_the_catalogue(new_phone, field_records, make_account, field_api,  # noqa: F811
                                                     directory_words):
    supervisor = make_account("supervisor")
    api = field_api(field_records["officer"])
    api.sync(api.entry("person", display_name="Kestrel", birth_year=1975, aliases=["Kes"]),
             api.entry("person", display_name="Kestrel", given_name="Kevin", family_name="Strel", birth_year=1975))
    walk = PseudoWalk(new_phone(), directory_words)
    walk.sign_in(supervisor.username)
    walk.screen("home", w("Log an encounter"))
    walk.screen("cases", w("Cases"), "/cases")
    walk.screen("people", w("People"), "/people")
    walk.screen("duplicates", w("Possible duplicates"), "/duplicates")
    card = walk.phone.page.locator(".pair").first
    card.get_by_role("button", name="⟦Merge these two…⟧").click()
    card.get_by_role("button", name="⟦Merge⟧", exact=True).click()
    expect(card.get_by_text("⟦Give the reason for merging them.⟧")).to_be_visible()
    walk.screen("duplicates-merge", w("Possible duplicates"))
    walk.screen("situation-tables", w("Situation tables"), "/tables")
    walk.assert_all_from_catalogue()


def test_admin_screens_speak_only_the_catalogue(new_phone, make_account, directory_words):
    admin = make_account("admin")
    walk = PseudoWalk(new_phone(), directory_words)
    walk.sign_in(admin.username)
    walk.screen("home", w("Administration"))
    walk.screen("users", w("Users"), "/admin/users")
    expect(walk.phone.page.locator(".user-list li").first).to_be_visible()
    walk.screen("users-listed", w("Users"))
    walk.screen("user-new", w("Add a user"), "/admin/users/new")
    walk.screen("user-import", w("Import users"), "/admin/users/import")
    for path, title in (("/admin/teams", "Teams"), ("/admin/agencies", "Partner agencies"), ("/admin/sites", "Sites")):
        walk.screen(path, w(title), path)
    walk.screen("audit", w("Audit log"), "/admin/audit")
    expect(walk.phone.page.locator(".audit-list li").first).to_be_visible()
    walk.screen("audit-listed", w("Audit log"))
    walk.assert_all_from_catalogue()


def open_every_group(page) -> None:
    """The encounter form's folded chips in sight: "More needs", "More outcomes", "All risk flags"."""
    for words in ("More needs", "More outcomes", "All risk flags"):
        button = page.get_by_role("button", name=re.compile(rf"^⟦{words} \(\d+\)⟧$"))
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")


def test_logging_an_encounter_speaks_only_the_catalogue(new_phone, field_records, directory_words):  # noqa: F811
    """Each kind's form with every group open, its problems, saving one, "Same as last", and a correction."""
    walk = PseudoWalk(new_phone(), directory_words)
    walk.sign_in(field_records["officer"].username)
    page = walk.phone.page
    for code, label in (("interaction", "Interaction"), ("primary_response", "Primary response"),
                        ("consultation", "Consultation"), ("on_scene_assist", "On-scene assist"),
                        ("shelter_check_in", "Shelter check-in")):
        walk.phone.go(f"/log/{code}")
        expect(page.get_by_role("heading", level=1)).to_have_text(w(label))
        open_every_group(page)
        walk.screen(f"log-{code}", w(label))
    page.get_by_role("button", name="⟦Save⟧", exact=True).click()
    expect(page.get_by_text("⟦Choose the site.⟧")).to_be_visible()
    walk.screen("log-shelter_check_in-problems", w("Shelter check-in"))
    walk.phone.go("/log/primary_response")
    page.get_by_role("button", name="⟦Save⟧", exact=True).click()
    expect(page.get_by_text("⟦Give the call number.⟧")).to_be_visible()
    walk.screen("log-primary_response-problems", w("Primary response"))

    walk.phone.go("/log/interaction")
    page.get_by_label("⟦Find a person⟧").fill("spar")
    page.get_by_role("button", name="Sparrow", exact=True).first.click()
    page.get_by_label("⟦Housing⟧").check()
    page.get_by_role("button", name="⟦Save⟧", exact=True).click()
    expect(page.get_by_role("link", name="⟦Refer Sparrow to an agency⟧")).to_be_visible()
    walk.screen("home-logged", w("Log an encounter"))
    walk.phone.go("/log/interaction")
    expect(page.get_by_role("button", name=re.compile(r"^⟦Same as last: "))).to_be_visible()
    walk.screen("log-same-as-last", w("Interaction"))

    walk.phone.go("/recent")
    expect(page.locator(".recent-item").first).to_be_visible()
    first = page.locator(".recent-item").first.get_attribute("data-encounter")
    walk.phone.go(f"/recent/{first}/correct")
    expect(page.get_by_role("heading", level=1)).to_contain_text("⟦Correct: ")
    heading = page.get_by_role("heading", level=1).inner_text()
    open_every_group(page)
    page.get_by_role("button", name="⟦Save⟧", exact=True).click()
    expect(page.get_by_text("⟦Say why (it is kept with the encounter's history).⟧")).to_be_visible()
    walk.screen("correct", heading)
    page.get_by_label("⟦Reason for the correction⟧").fill("wrong call number")
    page.get_by_role("button", name="⟦Save⟧", exact=True).click()
    expect(page.get_by_text("⟦Nothing was changed: change what was wrong, or cancel.⟧")).to_be_visible()
    walk.user_data.append("wrong call number")
    walk.screen("correct-unchanged", heading)
    page.get_by_label("⟦Notes (optional)⟧").fill("Seen again by the library")
    page.get_by_role("button", name="⟦Save⟧", exact=True).click()
    walk.user_data.append("Seen again by the library")
    expect(page.get_by_text("⟦Correction saved on this phone.⟧")).to_be_visible()
    walk.screen("recent-corrected", w("My recent entries"))
    walk.assert_all_from_catalogue()


def test_daily_counts_and_published_figures_speak_only_the_catalogue(new_phone, field_records, make_account,  # noqa: F811
                                                                    directory_words, e2e_app):
    """Today, yesterday, the 30 days, the published figures with what followed, the cohort card and the heavy
    users, online and then offline (kept figures, stale counts). The unit's time zone is its IANA name."""
    supervisor = make_account("supervisor")
    walk = PseudoWalk(new_phone(), directory_words)
    walk.user_data.append(e2e_app.config["TIMEZONE"])
    walk.sign_in(supervisor.username)
    page = walk.phone.page
    walk.phone.go("/stats")
    expect(page.get_by_role("heading", level=1)).to_have_text(w("Daily counts"))
    expect(page.locator("p.published")).to_be_visible(timeout=20_000)
    expect(page.locator("p.cohort")).to_be_visible(timeout=20_000)
    expect(page.locator(".heavy-list li").first).to_be_visible()
    page.locator("details").evaluate_all("all => all.forEach((d) => { d.open = true; })")
    walk.screen("daily-counts", w("Daily counts"))
    card = page.locator("section", has=page.get_by_role("heading", name="⟦Published figures⟧"))
    card.get_by_label("⟦Period⟧", exact=True).select_option(label="⟦Custom⟧")
    expect(card.get_by_text("⟦Pick the first and the last day.⟧")).to_be_visible()
    walk.screen("published-figures-custom", w("Daily counts"))
    card.get_by_label("⟦From⟧", exact=True).fill("2021-01-01")
    card.get_by_label("⟦To⟧", exact=True).fill("2021-12-31")
    expect(page.locator("p.published")).to_contain_text("2021")
    walk.screen("published-figures-2021", w("Daily counts"))

    # Offline, the screen drawn again: the counts and the figures since the start as last loaded.
    walk.phone.offline()
    walk.phone.go("/")
    walk.phone.go("/stats")
    expect(page.get_by_text(re.compile(r"figures as of")).first).to_be_visible(timeout=20_000)
    expect(page.locator("p.stale").first).to_be_visible()
    page.locator("details").evaluate_all("all => all.forEach((d) => { d.open = true; })")
    walk.screen("daily-counts-offline", w("Daily counts"))
    card.get_by_label("⟦Period⟧", exact=True).select_option(label="⟦Last 7 days⟧")
    expect(card.get_by_role("alert")).to_have_text("⟦Offline: these figures need a connection the first time.⟧")
    walk.screen("published-figures-offline-never-fetched", w("Daily counts"))
    walk.assert_all_from_catalogue()


def test_changing_the_password_speaks_only_the_catalogue(new_phone, make_account, server_db, directory_words):
    """The screen every user opens from home, its problems, and the one a reset password forces."""
    officer = make_account("officer")
    walk = PseudoWalk(new_phone(), directory_words)
    walk.sign_in(officer.username)
    page = walk.phone.page
    walk.screen("password", w("Change password"), "/password")
    page.get_by_role("button", name="⟦Change password⟧").click()
    expect(page.get_by_text("⟦Give your current password.⟧")).to_be_visible()
    page.get_by_label("⟦Current password⟧").fill("field-test-password-1")
    page.get_by_label("⟦New password⟧", exact=True).fill("lantern harbour quietly")
    page.get_by_label("⟦New password again⟧").fill("lantern harbour")
    page.get_by_role("button", name="⟦Change password⟧").click()
    expect(page.get_by_text("⟦The two new passwords are not the same.⟧")).to_be_visible()
    walk.screen("password-mismatch", w("Change password"))

    reset = make_account("officer")
    server_db.write(lambda s: setattr(s.get(User, reset.id), "must_change_password", True))
    forced = PseudoWalk(new_phone(), directory_words)
    forced.phone.open("/signin")
    forced.phone.page.get_by_label("⟦Username⟧").fill(reset.username)
    forced.phone.page.get_by_label("⟦Password⟧").fill("field-test-password-1")
    forced.phone.page.get_by_role("button", name="⟦Sign in⟧", exact=True).click()
    forced.screen("password-forced", w("Choose a new password"))
    walk.assert_all_from_catalogue()
    forced.assert_all_from_catalogue()
