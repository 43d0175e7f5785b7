"""Issue 16 in the browser, a full meeting: two agencies prepare situations offline, the chair decides one
met and one not, the lead's phone shows the person, the other member's phone never does, and the erased
summary is in no phone's IndexedDB."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from app.directory.models import Agency
from app.tables.models import SituationTable, TableChair, TableMember
from testkit import factories

pytestmark = pytest.mark.e2e

DUMP_IDB = """async () => {
  const out = {};
  for (const { name } of await indexedDB.databases()) {
    out[name] = await new Promise((resolve) => {
      const open = indexedDB.open(name);
      open.onerror = () => resolve(null);
      open.onsuccess = () => {
        const db = open.result;
        const stores = [...db.objectStoreNames];
        if (!stores.length) { db.close(); return resolve({}); }
        const tx = db.transaction(stores);
        const found = {};
        for (const s of stores) { const r = tx.objectStore(s).getAll(); r.onsuccess = () => { found[s] = r.result; }; }
        tx.oncomplete = () => { db.close(); resolve(found); };
      };
    });
  }
  return JSON.stringify(out);
}"""


def _hub(server_db, make_account):
    def create(session):
        agencies = {part: factories.make_agency(f"{part.title()} Agency {uuid.uuid4().hex[:4]}")
                    for part in ("first", "lead", "other", "chair")}
        table = SituationTable(name=f"Downtown Hub {uuid.uuid4().hex[:4]}", active=True)
        session.add(table)
        session.flush()
        for part in ("first", "lead", "other"):
            session.add(TableMember(table_id=table.id, agency_id=agencies[part].id))
        return table.id, {part: (a.id, a.name) for part, a in agencies.items()}

    table_id, agencies = server_db.write(create)

    def navigator(part):
        # No team: a teammate would see the person through the team, whatever the table decides.
        return make_account("navigator", team=None, agency=server_db.read(lambda s: s.get(Agency, agencies[part][0])))

    accounts = {part: navigator(part) for part in ("first", "lead", "other", "chair")}
    server_db.write(lambda s: s.add(TableChair(table_id=table_id, user_id=accounts["chair"].id)))
    return table_id, agencies, accounts


def _present(phone, table_id: int, summary: str, person_id: str, risk: str) -> None:
    phone.go(f"/table/{table_id}/present?person={person_id}")
    phone.heading("Present a situation")
    page = phone.page
    page.locator(f"#risk_factors-{risk}").check()
    page.get_by_label("Age band").select_option("30-39")
    page.get_by_label("Summary").fill(summary)
    assert phone.axe_violations() == []
    phone.tap("Save for the table")
    phone.heading("Situation tables")


def test_a_full_meeting_releases_the_person_to_the_lead_only_and_erases_the_rest(
        new_phone, make_account, field_api, server_db):
    table_id, agencies, accounts = _hub(server_db, make_account)
    met_summary = f"Sleeping at the transit centre, MET{uuid.uuid4().hex[:8]}"
    erased = f"ERASED{uuid.uuid4().hex[:8]}"
    rejected_summary = f"{erased} wants a bus pass"
    heron = f"Heron{uuid.uuid4().hex[:6]}"
    first_api, lead_api = field_api(accounts["first"]), field_api(accounts["lead"])
    heron_id = first_api.sync(first_api.entry("person", display_name=heron))[0]["id"]
    wren_id = lead_api.sync(lead_api.entry("person", display_name=f"Wren{uuid.uuid4().hex[:6]}"))[0]["id"]

    # Two agencies prepare their presentations with no signal, then sync.
    first = new_phone().sign_in(accounts["first"].username).wait_until_offline_ready()
    lead = new_phone().sign_in(accounts["lead"].username).wait_until_offline_ready()
    for phone in (first, lead):
        phone.offline()
    _present(first, table_id, met_summary, heron_id, "housing")
    _present(lead, table_id, rejected_summary, wren_id, "gambling")
    for phone in (first, lead):
        phone.online()
        phone.tap("Sync now")
        phone.expect_status("All synced")

    # The meeting: the chair sees both, de-identified, and decides.
    chair = new_phone().sign_in(accounts["chair"].username)
    chair.go(f"/table/{table_id}")
    page = chair.page
    met_card = page.locator("li.situation-card", has_text=met_summary)
    rejected_card = page.locator("li.situation-card", has_text=rejected_summary)
    expect(met_card).to_be_visible()
    expect(rejected_card).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(heron)
    assert chair.axe_violations() == []
    met_card.get_by_label("Yes, met").check()
    met_card.get_by_label("Lead agency or team").select_option(label=agencies["lead"][1])
    met_card.get_by_role("button", name="Record the decision").click()
    expect(met_card).to_have_count(0)
    rejected_card.get_by_label("No, not met (the situation is erased)").check()
    rejected_card.get_by_role("button", name="Record the decision").click()
    expect(page.locator("li.situation-card")).to_have_count(0)

    # The lead agency's phone shows the person; the other member's never does.
    lead.go("/situations")
    lead.heading("Our situations")
    lead.page.get_by_role("link", name=heron).click()
    lead.heading("Situation")
    expect(lead.page.locator(".person-name")).to_contain_text(heron)
    lead.page.get_by_label("New note").fill("Outreach meets him at the centre Tuesday.")
    lead.tap("Add the note")
    expect(lead.page.locator("ol.notes")).to_contain_text("Outreach meets him")
    assert lead.axe_violations() == []
    # The lead opens a case for the person from the situation (no case of theirs to link yet).
    expect(lead.page.locator("main")).to_contain_text("Your agency has no open case of this person to link.")
    lead.tap("Open a case")
    expect(lead.page.locator("main")).to_contain_text("A case is opened for this situation.")
    expect(lead.page.get_by_role("link", name="Go to the case")).to_be_visible()
    assert lead.axe_violations() == []
    lead.page.get_by_label("Why is it closing?").select_option("connected_to_services")
    lead.tap("Close the situation")
    expect(lead.page.locator("main")).to_contain_text("Closed: Connected to services")
    situation_id = lead.page.evaluate("() => location.hash.split('/').pop()")
    lead.page.get_by_role("link", name="Go to the case").click()
    expect(lead.page.locator("h1")).to_contain_text("Case")
    expect(lead.page.locator(".tag.case-open")).to_have_text("Open")
    expect(lead.page.get_by_role("link", name="See the situation")).to_have_attribute("href", f"#/situation/{situation_id}")
    assert lead.axe_violations() == []

    other = new_phone().sign_in(accounts["other"].username)
    other.go(f"/situation/{situation_id}")
    other.heading("Situation")
    expect(other.page.locator("main")).to_contain_text("Not shown: your agency does not act on it.")
    expect(other.page.locator("main")).not_to_contain_text(heron)
    expect(other.page.locator("main")).not_to_contain_text("Outreach meets him")
    expect(other.page.locator("main")).not_to_contain_text("Go to the case")
    other.go("/situations")
    other.heading("Our situations")
    expect(other.page.locator("main")).not_to_contain_text(heron)

    # The chair's report: counts only.
    chair.go(f"/table/{table_id}/report")
    chair.heading("Table report")
    expect(chair.page.locator("main")).to_contain_text("2 situations")
    expect(chair.page.locator("main")).to_contain_text("Threshold met: 50 %")
    expect(chair.page.locator("svg.chart").first).to_be_visible()
    assert chair.axe_violations() == []
    chair.go("/tables")
    chair.heading("Situation tables")
    assert chair.axe_violations() == []

    # The erased summary is on no phone; the person's name only where it was released or recorded.
    for name, phone in (("first", first), ("lead", lead), ("chair", chair), ("other", other)):
        stored = phone.page.evaluate(DUMP_IDB)
        assert erased not in stored, name
        if name in ("chair", "other"):
            assert heron not in stored, name
        json.loads(stored)
