"""From the street to a closed case: triage on the phone offline, a referral accepted by the agency's
navigator, intake into case management, a goal set and met, a transition to a housing program, closure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.cases.models import Case, CaseGoal, CaseGoalEvent, CaseNote, CaseTransition
from app.directory.models import Agency
from app.encounters.models import Encounter
from app.people.models import Person
from app.referrals.models import Referral
from tests.e2e.phone import wait_for

pytestmark = pytest.mark.e2e

SUGGESTED_FOR_HOUSING_AND_ADDICTIONS = [  # two needs covered first, then by name
    "George Spady Society", "Hope Mission",
    "Boyle Street Community Services", "Radius Community Health and Healing", "The Mustard Seed",
]


def _days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def person_named(server_db, name: str, author) -> str:
    return server_db.read(lambda s: s.scalar(sa.select(Person.id).where(Person.display_name == name,
                                                                        Person.author_id == author.id)))


def settled(phone) -> None:
    """Everything sent and the screen redrawn from the server's answer (nothing moves under a tap)."""
    phone.expect_status("All synced")
    expect(phone.page.locator("main").get_by_text("waiting to sync")).to_have_count(0)


def stored_case(server_db, person_id: str) -> dict:
    def read(s):
        case = s.scalar(sa.select(Case).where(Case.person_id == person_id))
        if case is None:
            return None
        goals = s.scalars(sa.select(CaseGoal).where(CaseGoal.case_id == case.id)).all()
        events = s.scalars(sa.select(CaseGoalEvent).where(CaseGoalEvent.goal_id.in_([g.id for g in goals]))
                           .order_by(CaseGoalEvent.id)).all()
        moves = s.execute(sa.select(CaseTransition.agency_id, CaseTransition.program)
                          .where(CaseTransition.case_id == case.id)).all()
        notes = s.scalars(sa.select(CaseNote.body).where(CaseNote.case_id == case.id)).all()
        return {"id": str(case.id), "status": case.status, "referral_id": case.referral_id, "program": case.program,
                "lead_user_id": case.lead_user_id, "close_reason": case.close_reason,
                "goals": [(g.description, g.status) for g in goals],
                "goal_moves": [(e.from_status, e.to_status) for e in events],
                "transitions": [tuple(m) for m in moves], "notes": list(notes)}

    return server_db.read(read)


def test_an_overdose_risk_shows_level_1_offline_and_the_person_ends_in_a_closed_case(
        new_phone, make_account, field_api, server_db):
    officer = make_account("officer")
    navigator = make_account("navigator")  # Hope Mission, same team
    hope = server_db.read(lambda s: s.scalar(sa.select(Agency.id).where(Agency.name == "Hope Mission")))

    # On the street, with no signal: the level and the agencies show while the form is filled in.
    street = new_phone().sign_in(officer.username).wait_until_offline_ready()
    street.expect_status("All synced")
    street.offline()
    street.tap("Interaction")
    street.heading("Interaction")
    page = street.page
    street.tap("Add a new person")
    page.get_by_label("Alias or name").fill("Kestrel")
    level = page.locator(".triage-result .triage-badge")
    expect(level).to_have_text("Level 4 · Routine")
    page.get_by_label("Housing", exact=True).check()
    page.get_by_label("Addictions", exact=True).check()
    expect(level).to_have_text("Level 3 · Priority")
    street.tap("All risk flags (9)")
    page.get_by_label("Overdose risk", exact=True).check()
    expect(level).to_have_text("Level 1 · Immediate")
    expect(page.locator(".triage-result")).to_contain_text("Because of: Overdose risk.")
    expect(page.locator(".form-actions .triage-badge")).to_have_text("Level 1 · Immediate")
    expect(page.get_by_label("1 Immediate")).to_be_checked()
    expect(page.locator(".agency-list .entry-label")).to_have_text(SUGGESTED_FOR_HOUSING_AND_ADDICTIONS)
    street.tap("Save")
    street.heading("Log an encounter")
    street.expect_status("Offline · 2 waiting to sync")

    street.online()
    street.expect_status("All synced")
    kestrel = wait_for(lambda: person_named(server_db, "Kestrel", officer))
    encounter = server_db.read(lambda s: s.execute(sa.select(Encounter.triage_level, Encounter.triage_computed)
                                                   .where(Encounter.person_id == kestrel)).one())
    assert tuple(encounter) == (1, 1)
    # Two earlier contacts with Kestrel (another phone): the "before" side of the measure.
    api = field_api(officer)
    api.sync(*(api.entry("encounter", kind="interaction", occurred_at=_days_ago(days), person_id=kestrel)
               for days in (20, 50)))

    street.tap("Refer Kestrel to an agency", role="link")
    street.heading("Make a referral")
    page.get_by_label("Agency", exact=True).select_option(label="Hope Mission")
    page.get_by_label("Service", exact=True).select_option(label="Housing")
    page.get_by_label("The person agreed to share their details with this agency").check()
    street.tap("Save referral")
    street.heading("Log an encounter")
    street.expect_status("All synced")
    referral_id = wait_for(lambda: server_db.read(lambda s: s.scalar(
        sa.select(Referral.id).where(Referral.person_id == kestrel))))

    # The agency's navigator accepts it and takes Kestrel into case management.
    office = new_phone().sign_in(navigator.username).wait_until_offline_ready()
    office.expect_status("All synced")
    office.tap("Referral inbox", role="link")
    office.heading("Referral inbox")
    card = office.page.locator(".referral-card", has=office.page.locator(f'a[href="#/referral/{referral_id}"]'))
    expect(card).to_contain_text("Kestrel")
    card.get_by_role("button", name="Accept").click()
    expect(card).to_contain_text("Accepted")
    card.get_by_role("link", name="Take into case management").click()
    office.heading("Take into case management")
    expect(office.page.locator(".details")).to_contain_text("Housing referral to Hope Mission, accepted")
    office.page.get_by_label("Program (optional)").fill("Heavy Users of Service")
    office.tap("Open the case")
    office.heading("Case: Kestrel")
    expect(office.page.locator(".case-head")).to_contain_text("Open")
    office.expect_status("All synced")
    case_id = wait_for(lambda: stored_case(server_db, kestrel))["id"]

    # A goal set and met with no signal (a shelter basement): queued, then synced.
    office.offline()
    office.page.get_by_text("Add a goal", exact=True).click()
    office.page.get_by_label("Goal", exact=True).fill("Renew ID")
    office.tap("Add goal")
    goal = office.page.locator(".goal", has_text="Renew ID")
    expect(goal).to_contain_text("Set")
    expect(goal).to_contain_text("waiting to sync")
    goal.get_by_role("button", name="Start").click()
    expect(office.page.locator(".goal", has_text="Renew ID")).to_contain_text("In progress")
    office.page.locator(".goal", has_text="Renew ID").get_by_role("button", name="Mark met").click()
    goal = office.page.locator(".goal", has_text="Renew ID")
    expect(goal).to_contain_text("Met")
    expect(goal.get_by_role("button")).to_have_count(0)
    office.page.get_by_text("Add a note", exact=True).click()
    office.page.get_by_label("Note", exact=True).fill("Met at Herb Jamieson; wants to stay downtown.")
    office.tap("Add note")
    office.expect_status("Offline · 4 waiting to sync")
    assert stored_case(server_db, kestrel)["goals"] == []
    office.online()
    settled(office)

    # Handed on to a housing program, then closed.
    office.page.get_by_text("Transition to a program", exact=True).click()
    office.page.get_by_label("Agency", exact=True).select_option(label="Hope Mission")
    office.page.get_by_label("Program", exact=True).fill("Housing First")
    office.tap("Transition")
    expect(office.page.locator(".case-head")).to_contain_text("Transitioned")
    settled(office)
    office.page.get_by_text("Close the case", exact=True).click()
    office.page.get_by_label("Reason", exact=True).fill("Housed with Housing First")
    office.tap("Close case")
    expect(office.page.locator(".case-head")).to_contain_text("Closed")
    expect(office.page.get_by_text("Add a goal", exact=True)).to_have_count(0)
    office.expect_status("All synced")

    stored = wait_for(lambda: (found := stored_case(server_db, kestrel)) and found["status"] == "closed" and found)
    assert stored == {
        "id": case_id, "status": "closed", "referral_id": referral_id, "program": "Heavy Users of Service",
        "lead_user_id": navigator.id, "close_reason": "Housed with Housing First",
        "goals": [("Renew ID", "met")], "goal_moves": [("set", "in_progress"), ("in_progress", "met")],
        "transitions": [(hope, "Housing First")], "notes": ["Met at Herb Jamieson; wants to stay downtown."],
    }

    # What the server says about the case, as the case view shows it (online).
    timeline = office.page.locator(".timeline")
    expect(timeline).to_contain_text("Case closed: Housed with Housing First")
    assert timeline.locator(".what").all_inner_texts() == [
        "Interaction, triage level 4", "Interaction, triage level 4",
        # A goal is known by its day only: set on the day the case opened, it follows the opening.
        "Interaction, triage level 1", "Housing referral to Hope Mission (accepted)",
        "Case opened: Heavy Users of Service", "Goal set: Renew ID", "Goal in progress: Renew ID", "Goal met: Renew ID",
        "Transitioned to Housing First (Hope Mission)", "Case closed: Housed with Housing First",
    ]
    expect(office.page.get_by_text("2 encounters in the 12 months before intake, 1 on the intake day, 0 after")).to_be_visible()
    office.page.get_by_text("The same numbers as a table").click()
    table = office.page.get_by_role("table", name="Encounters per month around intake")
    expect(table.get_by_role("row", name="2 months before").locator("td").last).to_have_text("1")
    expect(table.get_by_role("row", name="1 month before").locator("td").last).to_have_text("1")
    expect(table.get_by_role("row", name="Intake day").locator("td").last).to_have_text("1")

    # My cases lists it among the closed ones, offline too.
    office.offline()
    office.go("/cases").heading("My cases")
    closed = office.page.locator("section", has=office.page.get_by_role("heading", name=re.compile(r"^Closed \(\d+\)$")))
    expect(closed.get_by_role("link", name="Kestrel")).to_be_visible()


@pytest.fixture
def known_person(make_account, field_api):
    """A person a colleague on the same team logged, so they are on the officer's phone; and that colleague."""
    colleague = make_account("officer")
    api = field_api(colleague)
    person = api.entry("person", display_name="Magpie", description="Red toque, Churchill Square")
    api.sync(person)
    return {"id": person["id"], "api": api}


def open_case_offline(new_phone, officer, person):
    """An officer's phone, offline, that has just taken `person` into case management from their page."""
    phone = new_phone().sign_in(officer.username).wait_until_offline_ready()
    phone.expect_status("All synced")
    phone.offline()
    phone.go(f"/person/{person['id']}").heading("Magpie")
    phone.tap("Take into case management", role="link")
    phone.heading("Take into case management")
    phone.tap("Open the case")
    phone.heading("Case: Magpie")
    return phone


def test_an_officer_takes_a_person_into_case_management_offline_from_their_page(
        new_phone, make_account, known_person, server_db):
    officer = make_account("officer")
    phone = open_case_offline(new_phone, officer, known_person)
    expect(phone.page.locator(".case-head")).to_contain_text("Open")
    expect(phone.page.locator(".case-head")).to_contain_text("waiting to sync")
    expect(phone.page.locator("main .stale")).to_have_text("Offline: showing what this phone holds.")
    phone.page.get_by_text("Add a goal", exact=True).click()
    phone.page.get_by_label("Goal", exact=True).fill("See a doctor about the cough")
    phone.tap("Add goal")
    expect(phone.page.locator(".goal")).to_contain_text("waiting to sync")
    phone.go(f"/person/{known_person['id']}").heading("Magpie")
    expect(phone.page.get_by_role("link", name="Take into case management")).to_have_count(0)
    phone.tap("Open the case", role="link")
    phone.heading("Case: Magpie")
    phone.expect_status("Offline · 2 waiting to sync")

    phone.online()
    phone.expect_status("All synced")
    stored = wait_for(lambda: stored_case(server_db, known_person["id"]))
    assert (stored["status"], stored["referral_id"], stored["lead_user_id"], stored["goals"]) == (
        "open", None, officer.id, [("See a doctor about the cough", "set")])
    officer_id = server_db.read(lambda s: s.scalar(sa.select(Case.officer_id).where(Case.id == stored["id"])))
    assert officer_id == officer.id
    # Online now, the view shows what the server knows of the case.
    expect(phone.page.get_by_role("heading", name="Encounters per month")).to_be_visible()
    expect(phone.page.locator(".timeline")).to_contain_text("Goal set: See a doctor about the cough")


def test_a_second_intake_for_a_person_with_an_open_case_waits_in_needs_attention(
        new_phone, make_account, known_person, server_db):
    officer = make_account("officer")
    phone = open_case_offline(new_phone, officer, known_person)
    # Meanwhile a colleague opened a case for Magpie.
    api = known_person["api"]
    theirs = api.entry("case_intake", person_id=known_person["id"], program="Hub")
    api.sync(theirs)

    phone.online()
    phone.expect_status("1 needs attention")
    phone.go("/outbox").heading("Outbox")
    expect(phone.page.locator(".attention-item .server-message")).to_have_text(
        "This person already has an open case: discard this intake and work in that case.")
    phone.tap("Open the open case", role="link")
    phone.heading("Case: Magpie")
    expect(phone.page.locator(".details")).to_contain_text("Hub")
    assert server_db.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Case)
                                             .where(Case.person_id == known_person["id"]))) == 1
