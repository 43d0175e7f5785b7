"""Builders for queued phone entries, as the PWA's outbox would send them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

EDMONTON_EVENING = "2026-11-20T19:30:00-07:00"


def _id() -> str:
    return str(uuid.uuid4())


def person(**data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "person", "data": {"display_name": "Sparrow", **data}}


def person_update(person_id: str, base_version: int = 1, **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "person_update",
            "data": {"person_id": person_id, "base_version": base_version, **data}}


def encounter(kind: str = "interaction", **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    body = {"kind": kind, "occurred_at": EDMONTON_EVENING, **data}
    if kind in ("primary_response", "on_scene_assist"):
        body.setdefault("call_number", "EPS26-112233")
    return {"id": entry_id, "type": "encounter", "data": body}


def encounter_amend(encounter_id: str, base_version: int = 1, reason: str = "Wrong kind chosen in the rush.",
                    **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "encounter_amend",
            "data": {"encounter_id": encounter_id, "base_version": base_version, "reason": reason, **data}}


def encounter_void(encounter_id: str, reason: str = "Logged twice.", **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "encounter_void", "data": {"encounter_id": encounter_id, "reason": reason, **data}}


def referral(person_id: str, agency_id: int, **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "referral",
            "data": {"person_id": person_id, "agency_id": agency_id, "service": "housing", "urgency": "urgent", **data}}


def referral_update(referral_id: str, status: str, **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "referral_update", "data": {"referral_id": referral_id, "status": status, **data}}


def case_intake(person_id: str, **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "case_intake", "data": {"person_id": person_id, **data}}


def case_goal(case_id: str, description: str = "Apply for income support", **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "case_goal", "data": {"case_id": case_id, "description": description, **data}}


def case_goal_update(goal_id: str, status: str, **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "case_goal_update", "data": {"goal_id": goal_id, "status": status, **data}}


def case_note(case_id: str, body: str = "Met at the drop-in; wants housing.", **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "case_note", "data": {"case_id": case_id, "body": body, **data}}


def case_transition(case_id: str, agency_id: int, program: str = "Housing First", **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "case_transition",
            "data": {"case_id": case_id, "agency_id": agency_id, "program": program, **data}}


def case_closure(case_id: str, reason: str = "Goals met.", **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    return {"id": entry_id, "type": "case_closure", "data": {"case_id": case_id, "reason": reason, **data}}


def in_future(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def batch(*entries: dict[str, Any], device_id: str = "phone-7f3a") -> dict[str, Any]:
    return {"device_id": device_id, "entries": list(entries)}


def statuses(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [r["status"] for r in response.get_json()["results"]]


def situation(table_id: int, **data: Any) -> dict[str, Any]:
    entry_id = data.pop("id", None) or _id()
    body = {"table_id": table_id, "risk_factors": ["housing", "mental_health"], "age_band": "30-39",
            "gender": "woman", "summary": "Evicted last week; missed two clinic appointments.", **data}
    return {"id": entry_id, "type": "situation", "data": body}
