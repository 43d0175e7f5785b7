"""The outbox against a failing server: an entry the server fails on (500) is split out and set aside in
"Needs attention" while the others flow; a proxy's 502/503/504 or a dropped connection is waited out.

The failures are the server's answers as the phone sees them (Playwright answers for the server): what is
under test is the phone's reaction to them, not how the server came to fail.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.encounters.models import Encounter
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e

SERVER_ERROR = json.dumps({"error": {"code": "server_error",
                                     "message": "Something went wrong on the server; the request was not saved. Try again."}})


def notes_on_server(server_db, account) -> list[str]:
    return server_db.read(lambda s: sorted(s.scalars(
        sa.select(Encounter.notes).where(Encounter.author_id == account.id))))


def batch_ids(route) -> list[str]:
    return [entry["id"] for entry in json.loads(route.request.post_data)["entries"]]


def test_an_entry_the_server_fails_on_ends_in_needs_attention_and_never_stalls_the_queue(
        new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.offline()
    for notes in ("first", "poisoned", "third", "fourth"):
        phone.log("Interaction", notes=notes)
    phone.expect_status("Offline · 4 waiting to sync")
    poisoned = next(e["id"] for e in phone.outbox_records(officer.id) if e["data"]["notes"] == "poisoned")

    batches: list[list[str]] = []

    def fail_on_the_poisoned_entry(route):
        ids = batch_ids(route)
        batches.append(ids)
        if poisoned in ids:
            route.fulfill(status=500, content_type="application/json", body=SERVER_ERROR)
        else:
            route.continue_()

    phone.context.route("**/api/v1/sync", fail_on_the_poisoned_entry)
    phone.online()
    phone.expect_status("1 needs attention", timeout=60_000)
    assert wait_for(lambda: notes_on_server(server_db, officer) == ["first", "fourth", "third"])
    assert len(batches[0]) == 4  # all in one batch first, then halved around the poisoned entry
    assert [ids for ids in batches if ids == [poisoned]] == [[poisoned]] * 3  # alone, in three runs, then set aside
    [entry] = phone.outbox_records(officer.id)
    assert (entry["id"], entry["state"], entry["error"]["code"]) == (poisoned, "attention", "server_error")

    phone.go("/outbox").heading("Outbox")
    item = phone.page.locator(".attention-item")
    expect(item).to_have_count(1)
    expect(item.locator(".server-message")).to_contain_text("The server failed 3 times while saving this entry")

    # The queue is not stalled: what is made next goes at once.
    phone.go("/")
    phone.log("Consultation", notes="made afterwards")
    # (The route answers only while the test waits in Playwright: wait in the page, then look at the server.)
    assert wait_for(lambda: phone.page.wait_for_timeout(200) or "made afterwards" in notes_on_server(server_db, officer))
    phone.expect_status("1 needs attention")

    # Nothing was lost: once the server takes it, one tap sends it, and it is stored once.
    phone.context.unroute("**/api/v1/sync")
    phone.go("/outbox").heading("Outbox")
    phone.tap("Send again")
    phone.expect_status("All synced")
    assert wait_for(lambda: notes_on_server(server_db, officer).count("poisoned") == 1)
    assert phone.outbox_records(officer.id) == []


def test_a_restart_behind_a_proxy_is_waited_out_and_never_sends_entries_to_needs_attention(
        new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.offline()
    phone.log("Interaction", notes="one")
    phone.log("Consultation", notes="two")

    # More failed tries than an entry failing alone (500) gets before it is set aside.
    faults = ["connectionrefused", 503, 502, 504, 503, 502]
    seen: list[object] = []

    def restarting(route):
        if not faults:
            return route.continue_()
        fault = faults.pop(0)
        seen.append((fault, len(batch_ids(route))))
        if isinstance(fault, str):
            return route.abort(fault)
        route.fulfill(status=fault, headers={"Retry-After": "1"}, content_type="text/html",
                      body=f"<html><body>{fault} from the proxy</body></html>")

    phone.context.route("**/api/v1/sync", restarting)
    phone.online()
    phone.expect_status("All synced", timeout=60_000)
    assert [count for _, count in seen] == [2] * 6  # never split: the batch waited whole
    assert wait_for(lambda: notes_on_server(server_db, officer) == ["one", "two"])
    assert phone.outbox_records(officer.id) == []
