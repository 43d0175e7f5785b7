"""The supervisor's published figures: a period picker and the unit's wording, matching GET /stats/summary."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import FieldApi

pytestmark = pytest.mark.e2e


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
    expect(paragraph).to_contain_text(f"{everything['interactions']:,} interactions, primary responders to "
                                      f"{everything['calls_for_service']:,} calls for service")
    expect(paragraph).to_contain_text(re.compile(r"^From \w+ \d+, \d{4} to "))

    period = card.get_by_label("Period", exact=True)
    assert [o.strip() for o in period.locator("option").all_inner_texts()] == [
        "Today", "Last 7 days", "Last 30 days", "This year", "Since the start", "Custom"]
    period.select_option(label="Custom")
    card.get_by_label("From", exact=True).fill("2021-06-01")
    card.get_by_label("To", exact=True).fill("2021-06-30")
    expect(paragraph).to_contain_text("From June 1, 2021 to June 30, 2021, HELP teams recorded 0 interactions, "
                                      "primary responders to 1 calls for service")
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
    expect(card.locator("p.cohort")).to_contain_text("cases opened in the period")

    phone.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    card.get_by_role("button", name="Copy as text").click()
    expect(card.get_by_role("status")).to_have_text("Copied.")
    copied = phone.page.evaluate("navigator.clipboard.readText()")
    assert copied == paragraph.inner_text()
