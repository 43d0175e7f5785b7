"""Supervisors' daily counts: today so far (live), yesterday and 30 days per kind, a chart with a table, team filter, CSV,
heavy users; offline it shows the data it last loaded, marked stale with its time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.directory.models import Team
from tests.e2e.conftest import FieldApi

pytestmark = pytest.mark.e2e
KINDS = ("interaction", "primary_response", "consultation", "on_scene_assist", "shelter_check_in")


def expected_range() -> dict:
    today = datetime.now(ZoneInfo("America/Edmonton")).date()
    return {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}


def test_daily_counts_show_what_the_server_counts_and_stay_readable_offline(new_phone, make_account, live_server,
                                                                             server_db):
    supervisor = make_account("supervisor")
    api = FieldApi(live_server, supervisor)
    phone = new_phone().sign_in(supervisor.username).wait_until_offline_ready()
    phone.tap("Daily counts", role="link")
    phone.heading("Daily counts")
    # The server names the period (the 30 days ending today in the service's zone), not the phone:
    # Chromium's time-zone data holds Edmonton at UTC-6 in November 2026 while the server's says UTC-7.
    href = phone.page.get_by_role("link", name="Download CSV").get_attribute("href")
    period = dict(part.split("=") for part in href.split("?", 1)[1].split("&"))
    assert period == expected_range()
    answer = api.http.get(f"{live_server}/api/v1/stats/daily", params=period, timeout=30).json()
    yesterday = answer["days"][-2]
    tally = phone.page.locator("section", has=phone.page.get_by_role("heading", name="Yesterday"))
    for label, key in (("Interaction", "interaction"), ("Primary response", "primary_response"),
                       ("Referrals made", "referrals_made")):
        expect(tally.locator("div", has=phone.page.get_by_text(label, exact=True)).locator("dd")) \
            .to_have_text(str(yesterday[key]))

    chart = phone.page.get_by_role("img", name="Encounters per day, All teams")
    expect(chart).to_be_visible()
    phone.page.get_by_text("The same numbers as a table").click()
    table = phone.page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(30)
    rows = table.locator("tbody tr").all()
    shown = [[int(x) for x in row.locator("td").all_inner_texts()] for row in rows]
    assert shown == [[day[k] for k in KINDS] for day in answer["days"]]

    csv_link = phone.page.get_by_role("link", name="Download CSV")
    assert csv_link.get_attribute("href") == f"/api/v1/stats/daily.csv?from={period['from']}&to={period['to']}"
    csv = phone.page.evaluate("""href => fetch(href).then(async r => [r.status, r.headers.get("content-type"),
        (await r.text()).split("\\n")[0]])""", csv_link.get_attribute("href"))
    assert csv[0] == 200 and csv[1].startswith("text/csv") and "interaction" in csv[2]
    expect(phone.page.get_by_role("heading", name="Heavy users of service")).to_be_visible()

    team_id = server_db.read(lambda s: s.scalar(sa.select(Team.id).where(Team.name == "Downtown HELP")))
    phone.page.get_by_label("Team", exact=True).select_option(label="Downtown HELP")
    expect(phone.page.get_by_role("img", name="Encounters per day, Downtown HELP")).to_be_visible()
    assert phone.page.get_by_role("link", name="Download CSV").get_attribute("href").endswith(f"&team_id={team_id}")

    phone.offline()
    phone.page.reload()  # the app and the counts both come from the phone now
    phone.heading("Daily counts")
    expect(phone.page.get_by_role("status").filter(has_text="stale")).to_contain_text("Offline: showing data from")
    phone.page.get_by_text("The same numbers as a table").click()
    expect(phone.page.get_by_role("table").locator("tbody tr")).to_have_count(30)


def test_a_supervisor_sees_an_entry_synced_seconds_ago_in_today_so_far(new_phone, make_account, field_api):
    """An officer's phone syncs an interaction; the supervisor's dashboard, already open, shows it in
    "Today so far" after the supervisor's own next sync, without leaving the screen."""
    supervisor, officer = make_account("supervisor"), make_account("officer")
    phone = new_phone().sign_in(supervisor.username).wait_until_offline_ready()
    phone.tap("Daily counts", role="link")
    phone.heading("Daily counts")
    today_card = phone.page.locator("section", has=phone.page.get_by_role("heading", name="Today so far"))
    interactions = today_card.locator("div", has=phone.page.get_by_text("Interaction", exact=True)).locator("dd")
    expect(interactions).to_have_text(re.compile(r"^\d+$"))
    before = int(interactions.inner_text())

    seconds_ago = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    field_api(officer).sync(FieldApi.entry("encounter", kind="interaction", occurred_at=seconds_ago))
    phone.tap("Sync now")
    expect(interactions).to_have_text(str(before + 1))
    expect(phone.page.get_by_role("heading", name="Daily counts")).to_be_visible()  # the same screen
