"""Arranging case-management tests through the API, as a phone or a browser would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from testkit import entries as e


def new_person(client, **data: Any) -> str:
    """A person logged by the client's user; returns the id."""
    person = e.person(**data)
    assert e.statuses(client.post("/sync", e.batch(person))) == ["created"]
    return person["id"]


def open_case(client, person_id: str | None = None, **intake: Any) -> dict[str, Any]:
    """POST /cases for a (new) person; returns the case as the API answered it."""
    response = client.post("/cases", {"person_id": person_id or new_person(client), **intake})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def accepted_referral(officer_client, navigator_client, agency_id: int) -> tuple[str, str]:
    """A person referred by the officer and accepted by the agency's navigator: (person_id, referral_id)."""
    person = e.person()
    referral = e.referral(person["id"], agency_id)
    assert e.statuses(officer_client.post("/sync", e.batch(person, referral))) == ["created", "created"]
    update = e.referral_update(referral["id"], "accepted")
    assert e.statuses(navigator_client.post("/sync", e.batch(update))) == ["created"]
    return person["id"], referral["id"]


def add_goal(client, case_id: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/cases/{case_id}/goals", {"description": "Get ID documents", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def result(response) -> dict[str, Any]:
    """The one result of a one-entry /sync batch."""
    assert response.status_code == 200, response.get_json()
    [only] = response.get_json()["results"]
    return only


def error_code(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


def months_ago(months: int) -> str:
    """An RFC 3339 instant about `months` months back (30.5 days each), at noon UTC."""
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return (now - timedelta(days=round(months * 30.5))).isoformat()


def today_in_edmonton() -> date:
    """Today in the service's time zone (the tests run with the default, America/Edmonton)."""
    return datetime.now(ZoneInfo("America/Edmonton")).date()
