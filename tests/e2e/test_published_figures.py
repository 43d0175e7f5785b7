"""The supervisor's published figures: a period picker and the unit's wording, matching GET /stats/summary."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FieldApi
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e


def counted(number: int, one: str, other: str) -> str:
    """A count in the paragraph's words: "1 interaction", "2,837 interactions"."""
    return f"{number:,} {one if number == 1 else other}"


def test_the_period_picker_shows_the_servers_figures_in_the_units_words(new_phone, make_account, field_api,
                                                                        live_server):
    supervisor, officer = make_account("supervisor"), make_account("officer")
    field_api(officer).sync(
        FieldApi.entry("encounter", kind="primary_response", call_number="EPS21-000001",
                       occurred_at="2021-06-01T18:00:00-06:00"),
        FieldApi.entry("encounter", kind="primary_response", call_number="EPS21-000001",
                       occurred_at="2021-06-01T18:05:00-06:00"),
        FieldApi.entry("encounter", kind="interaction", occurred_at="2024-03-10T03:00:00-06:00"))
    api = FieldApi(live_server, supervisor)
    phone = new_phone().sign_in(supervisor.username).wait_until_offline_ready()
    phone.tap("Daily counts", role="link")
    phone.heading("Daily counts")
    card = phone.page.locator("section", has=phone.page.get_by_role("heading", name="Published figures"))
    paragraph = card.locator("p.published")

    everything = api.http.get(f"{live_server}/api/v1/stats/summary", timeout=30).json()
    expect(paragraph).to_contain_text(f"{counted(everything['interactions'], 'interaction', 'interactions')}, "
                                      "primary responders to "
                                      f"{counted(everything['calls_for_service'], 'call', 'calls')} for service")
    expect(paragraph).to_contain_text(re.compile(r"^From \w+ \d+, \d{4} to "))

    period = card.get_by_label("Period", exact=True)
    assert [o.strip() for o in period.locator("option").all_inner_texts()] == [
        "Today", "Last 7 days", "Last 30 days", "This year", "Since the start", "Custom"]
    period.select_option(label="Custom")
    card.get_by_label("From", exact=True).fill("2021-06-01")
    card.get_by_label("To", exact=True).fill("2021-06-30")
    expect(paragraph).to_contain_text("From June 1, 2021 to June 30, 2021, HELP teams recorded 0 interactions, "
                                      "primary responders to 1 call for service")
    june = api.http.get(f"{live_server}/api/v1/stats/summary", params={"from": "2021-06-01", "to": "2021-06-30"},
                        timeout=30).json()
    assert (june["primary_responses"], june["calls_for_service"]) == (2, 1)
    assert card.get_by_role("link", name="Download figures (CSV)").get_attribute("href") == \
        "/api/v1/stats/summary.csv?from=2021-06-01&to=2021-06-30"

    period.select_option(label="Today")
    today = api.http.get(f"{live_server}/api/v1/stats/daily", timeout=30).json()["to"]
    expect(card.get_by_role("link", name="Download figures (CSV)")).to_have_attribute(
        "href", f"/api/v1/stats/summary.csv?from={today}&to={today}")

    # What followed, for the same period: outcomes and the referral funnel as bars, the cohort measure.
    expect(card.get_by_role("img", name="Outcomes of encounters in the period")).to_be_visible()
    expect(card.get_by_role("img", name="Referrals made in the period, by what became of them")).to_be_visible()

    phone.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    card.get_by_role("button", name="Copy as text").click()
    expect(card.get_by_role("status")).to_have_text("Copied.")
    copied = phone.page.evaluate("navigator.clipboard.readText()")
    assert copied == paragraph.inner_text()


def cohort_card(page):
    return page.locator("section", has=page.get_by_role("heading", name="Heavy users in case management"))


def meta_keys(phone, user_id: int) -> list[str]:
    """The keys of what the user's database on this phone keeps beside its records (`meta`)."""
    return phone.page.evaluate("""userId => new Promise((resolve) => {
        const open = indexedDB.open(`help-field-user-${userId}`);
        open.onsuccess = () => {
          const keys = open.result.transaction("meta").objectStore("meta").getAllKeys();
          keys.onsuccess = () => { open.result.close(); resolve(keys.result); };
        };
      })""", user_id)


def test_the_cohort_has_its_own_intake_window_and_months(new_phone, make_account, field_api, live_server):
    supervisor, navigator = make_account("supervisor"), make_account("navigator")
    api = field_api(navigator)
    person = api.entry("person", display_name="Plover")
    api.sync(person, api.entry("case_intake", person_id=person["id"], program="Housing First"))
    reader = FieldApi(live_server, supervisor)

    def measure(**params):
        return reader.http.get(f"{live_server}/api/v1/stats/cohort", params=params, timeout=30).json()

    phone = new_phone().sign_in(supervisor.username).wait_until_offline_ready()
    page = phone.page
    phone.tap("Daily counts", role="link")
    phone.heading("Daily counts")
    card = cohort_card(page)
    text = card.locator("p.cohort")
    everything = measure(months=12)
    expect(text).to_contain_text(f"{counted(everything['cases'], 'case', 'cases')} opened from ")
    expect(text).to_contain_text(" in the 12 months before intake")
    assert everything["cases"] >= 1

    # The published figures' period is not the cohort's: picking one asks for no cohort.
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/stats/cohort" in request.url else None)
    page.locator("section", has=page.get_by_role("heading", name="Published figures")).get_by_label(
        "Period", exact=True).select_option(label="Today")
    expect(page.locator("p.published")).to_contain_text("From ")
    assert asked == []

    with page.expect_request(lambda r: "/stats/cohort" in r.url) as request:
        card.get_by_label("Months before and after intake").select_option(label="24 months")
    assert parse_qs(urlsplit(request.value.url).query) == {"months": ["24"]}
    expect(text).to_contain_text(" in the 24 months before intake")

    card.get_by_label("Intake from").fill("2021-01-01")
    with page.expect_request(lambda r: "/stats/cohort" in r.url and "intake_to" in r.url) as request:
        card.get_by_label("Intake to").fill("2021-12-31")
    assert parse_qs(urlsplit(request.value.url).query) == {
        "intake_from": ["2021-01-01"], "intake_to": ["2021-12-31"], "months": ["24"]}
    window = measure(intake_from="2021-01-01", intake_to="2021-12-31", months=24)
    expect(text).to_contain_text(
        f"{counted(window['cases'], 'case', 'cases')} opened from January 1, 2021 to December 31, 2021 ")
    assert window["cases"] < everything["cases"]  # today's intake is outside the window

    with page.expect_request(lambda r: "/stats/cohort" in r.url and "program" in r.url) as request:
        card.get_by_label("Program (optional)").fill("Housing First")
        card.get_by_label("Program (optional)").press("Enter")
    assert parse_qs(urlsplit(request.value.url).query)["program"] == ["Housing First"]
    expect(text).to_contain_text(" in Housing First (")
    assert phone.errors == []


def test_offline_the_figures_last_fetched_are_shown_as_of_their_time_and_a_revoked_session_wipes_them(
        new_phone, make_account, e2e_app):
    supervisor = make_account("supervisor")
    phone = new_phone().sign_in(supervisor.username).wait_until_offline_ready()
    page = phone.page
    phone.tap("Daily counts", role="link")
    phone.heading("Daily counts")
    published = page.locator("p.published")
    expect(published).to_contain_text("HELP teams recorded")
    expect(cohort_card(page).locator("p.cohort")).to_contain_text(re.compile(r"\d cases? opened from"))
    online_text = published.inner_text()
    online_cohort = cohort_card(page).locator("p.cohort").inner_text()
    expect(page.get_by_text("figures as of")).to_have_count(0)

    phone.offline()
    phone.go("/")
    phone.heading("Log an encounter")
    phone.tap("Daily counts", role="link")
    phone.heading("Daily counts")
    card = page.locator("section", has=page.get_by_role("heading", name="Published figures"))
    expect(card.get_by_role("status").first).to_have_text(
        re.compile(r"^Offline: figures as of \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[ap]\.m\. \(kept on this phone\)$"))
    expect(published).to_have_text(online_text)
    expect(card.get_by_role("img", name="Outcomes of encounters in the period")).to_be_visible()
    expect(card.get_by_role("alert")).to_have_count(0)
    cohort = cohort_card(page)
    expect(cohort.locator("p.cohort")).to_have_text(online_cohort)
    expect(cohort.get_by_text("Offline: figures as of")).to_be_visible()
    # A period never fetched on this phone has nothing kept: it says so.
    card.get_by_label("Period", exact=True).select_option(label="Last 7 days")
    expect(card.get_by_role("alert")).to_have_text("Offline: these figures need a connection the first time.")
    assert any(key.startswith("figures:") for key in meta_keys(phone, supervisor.id))

    result = e2e_app.test_cli_runner().invoke(args=["users", "sign-out", supervisor.username])
    assert result.exit_code == 0, result.output
    phone.online()
    phone.heading("Sign in again")
    wait_for(lambda: meta_keys(phone, supervisor.id) == [], message="the kept figures wiped")
