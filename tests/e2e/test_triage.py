"""Triage on the phone: the level and the suggested agencies match the server's, offline; the officer's
own choice of level is recorded beside the one the rules gave."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import vocabulary
from app.encounters.models import Encounter
from app.people.models import Person
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e

# Every code alone, nothing at all, and pairs across the rule levels.
CASES = ([([], [])] + [([need], []) for need in vocabulary.NEEDS] + [([], [flag]) for flag in vocabulary.RISK_FLAGS]
         + [([need], [flag]) for need, flag in itertools.product(("housing", "safety", "food"),
                                                                  ("exposure_cold", "self_neglect", "violence"))]
         + [(["housing", "addictions", "food", "legal"], []), (["family", "safety"], ["intoxicated", "other"])])


def test_the_phone_works_out_the_servers_level_and_agencies_from_its_offline_copy(new_phone, make_account,
                                                                                  field_api, live_server):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.offline()
    on_phone = phone.page.evaluate("""async ([userId, cases]) => {
        const triage = await import("/static/pwa/js/triage.js");
        const { agencies } = await import("/static/pwa/js/records.js");
        const { openUserDb } = await import("/static/pwa/js/userdb.js");
        const db = await openUserDb(userId);
        const rules = await triage.rulesOnPhone(db);
        const known = await agencies(db);
        db.close();
        return cases.map(([needs, flags]) => ({ ...triage.assess(rules, needs, flags),
          agencies: triage.suggestAgencies(known, needs).map((s) => [s.agency.name, s.matched]) }));
    }""", [officer.id, CASES])

    api = field_api(officer)
    on_server = []
    for needs, flags in CASES:
        query = {key: ",".join(codes) for key, codes in (("needs", needs), ("risk_flags", flags)) if codes}
        advice = api.http.get(f"{live_server}/api/v1/triage", params=query, timeout=30).json()
        on_server.append({"level": advice["level"], "label": advice["label"], "reasons": advice["reasons"],
                          "agencies": [[a["name"], a["matched_needs"]] for a in advice["suggested_agencies"]]})
    assert on_phone == on_server


def encounter_levels(server_db, alias: str, author):
    return server_db.read(lambda s: s.execute(
        sa.select(Encounter.triage_level, Encounter.triage_computed).join(Person, Person.id == Encounter.person_id)
        .where(Person.display_name == alias, Encounter.author_id == author.id)).all())


def test_the_officers_choice_of_level_is_kept_beside_the_computed_one(new_phone, make_account, server_db):
    officer = make_account("officer")
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.offline()
    page = phone.page
    phone.tap("Interaction")
    phone.tap("Add a new person")
    page.get_by_label("Alias or name").fill("Plover")
    phone.tap("All risk flags (9)")
    page.get_by_label("Exposure / cold", exact=True).check()
    expect(page.locator(".triage-result .triage-badge")).to_have_text("Level 2 · Urgent")
    page.get_by_label("4 Routine").check()
    expect(page.locator(".form-actions .triage-badge")).to_have_text("Level 4 · Routine")
    phone.tap("Use the suggested level")
    expect(page.get_by_label("2 Urgent")).to_be_checked()
    page.get_by_label("1 Immediate").check()
    expect(page.locator(".triage-choice")).to_contain_text(
        "You chose level 1 · Immediate; the rules suggest 2 · Urgent.")
    # Ticking more changes the advice, not the officer's choice.
    page.get_by_label("Violence", exact=True).check()
    expect(page.locator(".triage-result .triage-badge")).to_have_text("Level 1 · Immediate")
    expect(page.get_by_label("1 Immediate")).to_be_checked()
    page.get_by_label("Violence", exact=True).uncheck()
    phone.tap("Save")
    phone.heading("Log an encounter")
    phone.log("Interaction", new_person="Sandpiper", risks=("Exposure / cold",))
    sent = {e["label"]: e["data"] for e in phone.outbox_records(officer.id) if e["type"] == "encounter"}
    assert sent["Interaction · Plover"]["triage_level"] == 1
    assert "triage_level" not in sent["Interaction · Sandpiper"]  # the rules' level is the server's to record

    phone.online()
    phone.expect_status("All synced")
    assert wait_for(lambda: encounter_levels(server_db, "Plover", officer)) == [(1, 2)]
    assert encounter_levels(server_db, "Sandpiper", officer) == [(2, 2)]
