"""Bad input gets a clear error and changes nothing, never a 500: dates far out of range, broken
Unicode, NUL, bodies nested too deep, and a fault on the server inside one entry of a batch.
"""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from app.encounters import services as encounter_services
from app.encounters.models import Encounter
from app.push import alerts
from app.push.models import PendingAlert
from app.referrals.models import Referral
from app.stats.models import DailyTeamCount
from testkit import entries as e
from testkit.cases import accepted_referral
from tests.conftest import count

YEAR_ONE = "0001-01-01T00:00:00+00:00"
END_OF_TIME = "9999-12-31T23:59:59-12:00"


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def _counted(measure: str) -> int:
    return sum(c.total for c in count_rows() if c.measure == measure)


def count_rows() -> list[DailyTeamCount]:
    from app.extensions import db
    return list(db.session.scalars(sa.select(DailyTeamCount)))


@pytest.mark.parametrize("value", [YEAR_ONE, END_OF_TIME, "1899-12-31T23:59:59+00:00"])
@pytest.mark.parametrize("make", [
    lambda p, a, t: e.encounter(occurred_at=t),
    lambda p, a, t: e.referral(p, a, made_at=t),
    lambda p, a, t: e.case_intake(p, opened_at=t),
], ids=["encounter.occurred_at", "referral.made_at", "case_intake.opened_at"])
def test_a_time_out_of_range_rejects_that_entry_alone(as_officer, agency, make, value):
    person = e.person()
    bad = make(person["id"], agency.id, value)
    good = e.encounter()
    results = _results(as_officer.post("/sync", e.batch(person, bad, good)))
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["error"]["code"] == "validation_error"
    assert "1900" in " ".join(next(iter(results[1]["error"]["fields"].values())))


@pytest.mark.parametrize("text", ["\ud800", "left\udfffright", "a\x00b"])
def test_broken_unicode_or_nul_in_an_entry_rejects_that_entry_alone(as_officer, text):
    bad, good = e.encounter(notes=text), e.encounter(notes="fine")
    results = _results(as_officer.post("/sync", e.batch(bad, good)))
    assert [r["status"] for r in results] == ["rejected", "created"]
    assert results[0]["error"]["fields"] == {"notes": ["Remove NUL characters and broken Unicode (a lone surrogate)."]}
    assert count(Encounter) == 1


def test_a_nul_in_the_device_id_is_refused(as_officer):
    response = as_officer.post("/sync", e.batch(e.encounter(), device_id="phone\x00x"))
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {
        "device_id": ["Remove NUL characters and broken Unicode (a lone surrogate)."]}
    assert count(Encounter) == 0


def test_broken_unicode_in_a_referral_change_is_refused_and_changes_nothing(as_officer, make_client, agency, db):
    from testkit import factories
    navigator = make_client().sign_in_as(factories.make_user("navigator", agency=agency))
    _person, referral_id = accepted_referral(as_officer, navigator, agency.id)
    response = navigator.patch(f"/referrals/{referral_id}", {"status": "completed", "note": "done \ud800"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"
    assert "note" in response.get_json()["error"]["fields"]
    assert db.session.get(Referral, referral_id).status == "accepted"


@pytest.mark.parametrize("depth", [40, 400, 50_000])
def test_a_body_nested_too_deep_is_refused_before_parsing(as_officer, depth):
    location: object = {"lat": 53.54}
    for _ in range(depth):
        location = {"inner": location}
    body = e.batch(e.encounter(location=location)) if depth < 1000 else None
    if body is None:  # deeper than json.dumps can write: build the text by hand
        raw = '{"device_id": "p", "entries": [' + '{"a":' * depth + "1" + "}" * depth + "]}"
        response = as_officer.post("/sync", data=raw, headers={"Content-Type": "application/json"})
    else:
        response = as_officer.post("/sync", body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    assert count(Encounter) == 0


def test_a_body_nested_within_the_limit_is_accepted(as_officer):
    entry = e.encounter(location={"lat": 53.54, "lon": -113.49, "accuracy_m": 12})
    assert e.statuses(as_officer.post("/sync", e.batch(entry))) == ["created"]


@pytest.mark.parametrize("path", [
    "/stats/daily?from=0001-01-01&to=0001-01-05",
    "/stats/daily?to=0001-01-05",
    "/stats/summary?from=9999-12-30&to=9999-12-31",
    "/stats/daily.csv?from=9999-12-30&to=9999-12-31",
    "/encounters?from=9999-12-31T23:59:59-12:00",
    "/encounters?to=0001-01-01T00:00:00%2B00:00",
    "/persons?q=%00",
    "/referrals?status=%00",
])
def test_query_strings_out_of_range_or_with_nul_get_a_clear_400(client, supervisor, path):
    response = client.sign_in_as(supervisor).get(path)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()["error"]
    assert body["code"] == "validation_error" and body["fields"]


def test_a_fault_in_one_entry_rejects_it_with_an_error_id_and_stores_the_rest(as_officer, monkeypatch, caplog):
    real_row = encounter_services._row

    def row_failing_on_food(entry, writer):
        if "food" in entry.data.get("needs", []):
            raise RuntimeError("a fault no check foresaw")
        return real_row(entry, writer)

    monkeypatch.setattr(encounter_services, "_row", row_failing_on_food)
    batch = e.batch(e.encounter(needs=["housing"]), e.encounter(needs=["food"]), e.encounter(needs=["housing"]))
    with caplog.at_level(logging.ERROR):
        results = _results(as_officer.post("/sync", batch))
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    error = results[1]["error"]
    assert error["code"] == "server_error"
    error_id = error["message"].split("error id ")[1].split(")")[0]
    assert any(error_id in record.getMessage() for record in caplog.records)
    assert count(Encounter) == 2
    assert _counted("interaction") == 2
    replay = _results(as_officer.post("/sync", batch))
    assert [r["status"] for r in replay] == ["duplicate", "rejected", "duplicate"]
    assert count(Encounter) == 2 and _counted("interaction") == 2


def test_a_fault_after_the_insert_forgets_that_entrys_row_counts_and_alerts(as_officer, agency, monkeypatch):
    """The fault strikes after the run's rows were inserted and counted: the counts and alerts of the
    rolled-back attempt must not survive, and the other referrals are stored and counted once."""
    real_announce = alerts.announce
    people = [e.person() for _ in range(3)]
    referrals = [e.referral(p["id"], agency.id, notes=f"n{i}") for i, p in enumerate(people)]
    poisoned = referrals[1]["id"]

    def announce_failing_for_one(kind, referral_id, version):
        if referral_id == poisoned:
            raise RuntimeError("a fault after the insert")
        return real_announce(kind, referral_id, version)

    assert e.statuses(as_officer.post("/sync", e.batch(*people))) == ["created"] * 3
    monkeypatch.setattr(alerts, "announce", announce_failing_for_one)
    results = _results(as_officer.post("/sync", e.batch(*referrals)))
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert count(Referral) == 2
    assert _counted("referrals_made") == 2
    assert count(PendingAlert) == 2
