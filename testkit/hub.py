"""A situation table with one user in every part a person can play at it (tests of issue 16)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.extensions import db
from app.tables.models import SituationTable, TableChair, TableMember
from testkit import entries as e
from testkit import factories

# The parts, in the order the access tables list them.
PARTS = ("chair", "originator", "lead", "assisting", "other_member", "non_member", "supervisor")


@dataclass
class Hub:
    table: SituationTable
    users: dict[str, Any]
    agencies: dict[str, Any]
    police_team: Any
    make_client: Any
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, part: str):
        if part not in self.clients:
            self.clients[part] = self.make_client().sign_in_as(self.users[part])
        return self.clients[part]

    def present(self, *, person_name: str = "Sparrow", summary: str | None = None, **data: Any) -> dict[str, str]:
        """The originator records a person and presents a situation linked to them (via /sync)."""
        person = e.person(display_name=person_name, given_name=f"{person_name}-given")
        body = {"person_id": person["id"], **data}
        if summary is not None:
            body["summary"] = summary
        situation = e.situation(self.table.id, **body)
        results = self.client("originator").post("/sync", e.batch(person, situation))
        assert e.statuses(results) == ["created", "created"], results.get_json()
        return {"situation": situation["id"], "person": person["id"]}

    def decide_met(self, situation_id: str, **extra: Any):
        body = {"threshold_met": True, "lead_agency_id": self.agencies["lead"].id,
                "assisting_agency_ids": [self.agencies["assisting"].id], "rationale": "Three agencies see AER.", **extra}
        return self.client("chair").post(f"/situations/{situation_id}/decision", body)

    def decide_not_met(self, situation_id: str):
        return self.client("chair").post(f"/situations/{situation_id}/decision", {"threshold_met": False})


def make_hub(make_client) -> Hub:
    police_team = factories.make_team()
    agencies = {part: factories.make_agency() for part in ("originator", "lead", "assisting", "other_member",
                                                            "non_member", "chair")}
    users = {
        # The Hub's coordinator: chairs the table; their own agency is not a member.
        "chair": factories.make_user("navigator", agency=agencies["chair"]),
        "originator": factories.make_user("navigator", agency=agencies["originator"]),
        "lead": factories.make_user("navigator", agency=agencies["lead"]),
        "assisting": factories.make_user("navigator", agency=agencies["assisting"]),
        "other_member": factories.make_user("navigator", agency=agencies["other_member"]),
        "non_member": factories.make_user("navigator", agency=agencies["non_member"]),
        "supervisor": factories.make_user("supervisor", team=factories.make_team()),
    }
    table = SituationTable(name=f"Hub {factories.new_id()[:8]}", active=True)
    db.session.add(table)
    db.session.flush()
    for part in ("originator", "lead", "assisting", "other_member"):
        db.session.add(TableMember(table_id=table.id, agency_id=agencies[part].id))
    db.session.add(TableMember(table_id=table.id, team_id=police_team.id))
    db.session.add(TableChair(table_id=table.id, user_id=users["chair"].id))
    db.session.flush()
    return Hub(table=table, users=users, agencies=agencies, police_team=police_team, make_client=make_client)
