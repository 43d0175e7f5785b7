"""GET /stats/daily.csv: the same numbers as the JSON, as a download, and every export audited."""

import csv
import io

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from app.vocabulary import ENCOUNTER_KINDS
from testkit import factories
from tests.test_stats_factories import (
    make_case,
    make_encounter,
    make_person,
    make_referral,
)

HEADER = ["date", *ENCOUNTER_KINDS, "referrals_made", "referrals_accepted", "case_intakes"]
PERIOD = {"from": "2026-11-18", "to": "2026-11-22"}


@pytest.fixture
def as_supervisor(client, supervisor):
    return client.sign_in_as(supervisor)


@pytest.fixture
def week_of_work(officer, agency, team):
    """A few days of mixed records, one of them from another team."""
    person = make_person(officer)
    make_encounter(officer, "2026-11-18T09:00:00-07:00", "interaction", person=person)
    make_encounter(officer, "2026-11-18T23:30:00-07:00", "primary_response", person=person)
    make_encounter(officer, "2026-11-20T14:00:00-07:00", "shelter_check_in", person=person)
    make_referral(officer, person, agency, "2026-11-18T09:10:00-07:00", "2026-11-21T10:00:00-07:00")
    make_case(officer, person, "2026-11-21T11:00:00-07:00")
    other = factories.make_user("officer", team=factories.make_team("North HELP"))
    make_encounter(other, "2026-11-22T20:00:00-07:00", "consultation")


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def json_as_rows(report: dict) -> list[list[str]]:
    days = [[d["date"], *(str(d[key]) for key in HEADER[1:])] for d in report["days"]]
    return [HEADER, *days, ["total", *(str(report["totals"][key]) for key in HEADER[1:])]]


@pytest.mark.usefixtures("week_of_work")
def test_csv_has_a_header_a_row_per_day_and_a_totals_row_with_the_json_numbers(as_supervisor):
    response = as_supervisor.get("/stats/daily.csv", query_string=PERIOD)
    assert response.status_code == 200
    rows = rows_of(response)
    assert rows == json_as_rows(as_supervisor.get("/stats/daily", query_string=PERIOD).get_json())
    assert rows[0] == HEADER and len(rows) == 1 + 5 + 1
    assert rows[1] == ["2026-11-18", "1", "1", "0", "0", "0", "1", "0", "0"]
    assert rows[-1] == ["total", "1", "1", "1", "0", "1", "1", "1", "1"]


@pytest.mark.usefixtures("week_of_work")
def test_csv_follows_the_filters_like_the_json(as_supervisor, team):
    query = {**PERIOD, "team_id": team.id}
    rows = rows_of(as_supervisor.get("/stats/daily.csv", query_string=query))
    assert rows == json_as_rows(as_supervisor.get("/stats/daily", query_string=query).get_json())
    assert rows[-1][HEADER.index("consultation")] == "0"


def test_csv_is_served_as_a_named_download(as_supervisor, team):
    response = as_supervisor.get("/stats/daily.csv", query_string={**PERIOD, "team_id": team.id})
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="help-daily-2026-11-18-2026-11-22-team{team.id}.csv"')


def test_every_export_is_audited_with_what_was_asked_and_no_personal_details(as_supervisor, supervisor, team):
    as_supervisor.get("/stats/daily.csv", query_string=PERIOD)
    as_supervisor.get("/stats/daily.csv", query_string={**PERIOD, "team_id": team.id})
    events = list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "stats.export").order_by(AuditEvent.id)))
    assert [(e.actor_id, e.outcome, e.detail) for e in events] == [
        (supervisor.id, "ok", {"format": "csv", "date_from": "2026-11-18", "date_to": "2026-11-22",
                               "team_id": None, "user_id": None}),
        (supervisor.id, "ok", {"format": "csv", "date_from": "2026-11-18", "date_to": "2026-11-22",
                               "team_id": team.id, "user_id": None}),
    ]


def test_a_refused_csv_period_is_a_json_error_and_not_audited(as_supervisor):
    response = as_supervisor.get("/stats/daily.csv", query_string={"from": "2025-01-01", "to": "2026-11-22"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "validation_error"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "stats.export")) == 0
