"""Factories for the stats tests: field records made the way the sync ingest makes them.

Times are given as RFC 3339 strings; the day columns are the service's local day of them,
and every new record is counted in the daily rollup and noted for the distinct counts, as the
ingest does after inserting it.
(No tests here; these can move to testkit/factories.py once the domains have their own.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.cases.models import Case
from app.encounters.models import Encounter
from app.extensions import db
from app.people.models import Person
from app.records import local_day, utcnow
from app.referrals.models import Referral
from app.stats import distinct
from app.stats.rollup import (
    record_case_intakes,
    record_encounters,
    record_referrals,
    record_referrals_accepted,
)
from app.vocabulary import KINDS_WITH_CALL_NUMBER
from testkit import factories


def _time(value: str | datetime | None) -> datetime | None:
    return factories.at(value) if isinstance(value, str) else value


def make_person(author, display_name: str = "Alex R.") -> Person:
    person = Person(id=factories.new_id(), display_name=display_name, search_text=display_name.lower(),
                    consent_to_share=False, author_id=author.id, team_id=author.team_id)
    db.session.add(person)
    db.session.flush()
    return person


def make_encounter(author, occurred_at: str | datetime, kind: str = "interaction", *, person=None,
                   received_at: str | datetime | None = None, site=None, call_number: str | None = None) -> Encounter:
    at = _time(occurred_at)
    if kind == "shelter_check_in" and site is None:
        site = factories.make_site()
    encounter = Encounter(
        id=factories.new_id(), kind=kind, occurred_at=at, occurred_on=local_day(at),
        person_id=person.id if person else None,
        call_number=(call_number or "26-004711") if kind in KINDS_WITH_CALL_NUMBER else None,
        site_id=site.id if site else None, needs=[], risk_flags=[], outcome=[], triage_level=4,
        triage_computed=4, received_at=_time(received_at) or utcnow(), author_id=author.id,
        team_id=author.team_id)
    db.session.add(encounter)
    record_encounters([encounter])
    distinct.on_records_inserted(Encounter, rows=[encounter])
    return encounter


def make_referral(author, person, agency, made_at: str | datetime,
                  accepted_at: str | datetime | None = None) -> Referral:
    made, accepted = _time(made_at), _time(accepted_at)
    referral = Referral(
        id=factories.new_id(), person_id=person.id, agency_id=agency.id, service="housing",
        urgency="routine", consent_obtained=True, status="accepted" if accepted else "pending",
        version=2 if accepted else 1, made_at=made, made_on=local_day(made), accepted_at=accepted,
        accepted_on=local_day(accepted) if accepted else None, updated_at=accepted or made,
        author_id=author.id, team_id=author.team_id)
    db.session.add(referral)
    record_referrals([referral])
    if accepted:
        record_referrals_accepted([referral])
    return referral


def make_case(author, person, opened_at: str | datetime, status: str = "open") -> Case:
    opened = _time(opened_at)
    case = Case(id=factories.new_id(), person_id=person.id, status=status, opened_at=opened,
                opened_on=local_day(opened), closed_at=None if status == "open" else opened + timedelta(days=30),
                author_id=author.id, team_id=author.team_id)
    db.session.add(case)
    record_case_intakes([case])
    distinct.on_records_inserted(Case, rows=[case])
    return case
