"""Issue 16: the centre of responsibility's report, checked against a recount of a generated year of
situations, its readers, its CSV, and that it carries nothing about a person."""

from __future__ import annotations

import csv
import io
import json
import random
import statistics
from collections import Counter
from datetime import date, timedelta

import pytest

from app.records import utcnow
from app.tables.models import Situation, SituationAssist
from app.vocabulary import RISK_FACTORS, SITUATION_CLOSURE_REASONS
from testkit import factories
from testkit.hub import make_hub

YEAR_START = date(2025, 1, 1)
MARKER = "REPORTCANARY"


def _generate_year(db, hub, seed: int = 16) -> list[dict]:
    """About 150 situations over 2025 with every outcome; returns what was generated, as plain dicts."""
    rng = random.Random(seed)
    members = [hub.agencies[p].id for p in ("originator", "lead", "assisting", "other_member")]
    author = hub.users["originator"]
    made = []
    for _ in range(150):
        presented = YEAR_START + timedelta(days=rng.randrange(365))
        status = rng.choice(("presented", "open", "rejected", "closed", "closed"))
        from_team = rng.random() < 0.2
        item = {"id": factories.new_id(), "status": status, "presented_on": presented,
                "risk_factors": rng.sample(RISK_FACTORS, rng.randint(1, 4)),
                "agency": None if from_team else rng.choice(members), "team": hub.police_team.id if from_team else None,
                "decided_on": None, "closed_on": None, "lead": None, "lead_team": None, "assisting": [],
                "reason": None}
        if status != "presented":
            item["decided_on"] = presented + timedelta(days=rng.randrange(0, 15))
        if status in ("open", "closed"):
            if rng.random() < 0.15:
                item["lead_team"] = hub.police_team.id
            else:
                item["lead"] = rng.choice(members)
            item["assisting"] = rng.sample([m for m in members if m != item["lead"]], rng.randint(0, 2))
        if status == "closed":
            item["closed_on"] = item["decided_on"] + timedelta(days=rng.randrange(1, 90))
            item["reason"] = rng.choice(SITUATION_CLOSURE_REASONS)
        rejected = status == "rejected"
        db.session.add(Situation(
            id=item["id"], table_id=hub.table.id, originating_agency_id=item["agency"],
            originating_team_id=item["team"], status=status, risk_factors=item["risk_factors"],
            protective_factors=None if rejected else [], age_band=None if rejected else "18-24",
            summary=None if rejected else f"{MARKER} generated", presented_on=presented,
            decided_on=item["decided_on"], lead_agency_id=item["lead"], lead_team_id=item["lead_team"],
            closed_on=item["closed_on"], close_reason=item["reason"], author_id=author.id, received_at=utcnow()))
        db.session.flush()
        for agency_id in item["assisting"]:
            db.session.add(SituationAssist(situation_id=item["id"], agency_id=agency_id))
        made.append(item)
    db.session.flush()
    return made


def _recount(made: list[dict], start: date, end: date) -> dict:
    chosen = [m for m in made if start <= m["presented_on"] <= end]
    status = Counter(m["status"] for m in chosen)
    decided = status["open"] + status["closed"] + status["rejected"]
    originators = Counter(("agency_id", m["agency"]) if m["agency"] else ("team_id", m["team"]) for m in chosen)
    to_decision = [(m["decided_on"] - m["presented_on"]).days for m in chosen if m["decided_on"]]
    to_close = [(m["closed_on"] - m["presented_on"]).days for m in chosen if m["closed_on"]]

    def counts(values) -> dict[str, int]:
        return {str(k): n for k, n in Counter(values).items()}
    return {
        "total": len(chosen),
        "by_status": {s: status[s] for s in ("presented", "open", "rejected", "closed")},
        "threshold_met_share": round((status["open"] + status["closed"]) / decided, 4) if decided else None,
        "risk_factors": counts(r for m in chosen for r in m["risk_factors"]),
        "lead_agencies": counts(m["lead"] for m in chosen if m["lead"]),
        "lead_teams": counts(m["lead_team"] for m in chosen if m["lead_team"]),
        "assisting_agencies": counts(a for m in chosen for a in m["assisting"]),
        "closure_reasons": counts(m["reason"] for m in chosen if m["reason"]),
        "median_days_to_decision": statistics.median(to_decision) if to_decision else None,
        "median_days_to_close": statistics.median(to_close) if to_close else None,
        "by_originator": sorted(({kind: member, "situations": n} for (kind, member), n in originators.items()),
                                key=lambda item: json.dumps(item, sort_keys=True)),
    }


@pytest.mark.parametrize("start, end", [(date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 4, 1), date(2025, 6, 30))])
def test_the_report_matches_a_recount_of_a_generated_year(db, make_client, start, end):
    hub = make_hub(make_client)
    made = _generate_year(db, hub)
    body = hub.client("chair").get(f"/tables/{hub.table.id}/report?from={start}&to={end}").get_json()
    expected = _recount(made, start, end)
    got = {key: body[key] for key in expected}
    got["by_originator"] = sorted(body["by_originator"], key=lambda item: json.dumps(item, sort_keys=True))
    assert got == expected
    assert (body["from"], body["to"]) == (start.isoformat(), end.isoformat())
    assert list(body["risk_factors"].values()) == sorted(body["risk_factors"].values(), reverse=True)
    assert MARKER not in json.dumps(body)


def test_the_csv_holds_the_same_numbers(db, make_client):
    hub = make_hub(make_client)
    made = _generate_year(db, hub, seed=7)
    query = "?from=2025-01-01&to=2025-12-31"
    body = hub.client("supervisor").get(f"/tables/{hub.table.id}/report{query}").get_json()
    response = hub.client("supervisor").get(f"/tables/{hub.table.id}/report.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["section", "key", "value"]
    values = {(section, key): value for section, key, value in rows[1:]}
    assert values[("total", "situations")] == str(len(made)) == str(body["total"])
    for code, n in body["risk_factors"].items():
        assert values[("risk_factors", code)] == str(n)
    for status, n in body["by_status"].items():
        assert values[("by_status", status)] == str(n)
    assert values[("measure", "median_days_to_close")] == str(body["median_days_to_close"])
    assert MARKER not in response.get_data(as_text=True)


def test_who_reads_the_report(db, make_client):
    hub = make_hub(make_client)
    admin = make_client().sign_in_as(factories.make_user("admin"))
    url = f"/tables/{hub.table.id}/report"
    answers = {part: hub.client(part).get(url).status_code for part in ("chair", "supervisor", "originator",
                                                                         "lead", "other_member", "non_member")}
    assert answers == {"chair": 200, "supervisor": 200, "originator": 403, "lead": 403, "other_member": 403,
                       "non_member": 403}
    assert admin.get(url).status_code == 200 and admin.get(url + ".csv").status_code == 200
    assert admin.get("/tables/999999/report").status_code == 404
    assert admin.get(url + "?from=2025-02-01&to=2025-01-01").status_code == 400
    empty = admin.get(url).get_json()
    assert empty["total"] == 0 and empty["threshold_met_share"] is None and empty["median_days_to_close"] is None
