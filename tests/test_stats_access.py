"""Who may read the supervisors' figures: supervisors and admins; officers and navigators get 403."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db

STATS_PATHS = [
    "/stats/daily?from=2026-11-01&to=2026-11-30",
    "/stats/daily.csv?from=2026-11-01&to=2026-11-30",
    "/stats/summary?from=2026-11-01&to=2026-11-30",
    "/stats/summary.csv",
    "/stats/heavy-users?days=90&min_encounters=5",
]


@pytest.mark.parametrize("path", STATS_PATHS)
@pytest.mark.parametrize("role", ["officer", "navigator"])
def test_officers_and_navigators_are_forbidden(client, officer, navigator, role, path):
    client.sign_in_as(officer if role == "officer" else navigator)
    response = client.get(path)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", STATS_PATHS)
def test_signed_out_callers_are_asked_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("path", STATS_PATHS)
@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_may_read(client, supervisor, admin, role, path):
    client.sign_in_as(supervisor if role == "supervisor" else admin)
    assert client.get(path).status_code == 200


def test_refused_exports_and_lookups_leave_no_audit_of_a_disclosure(client, officer):
    client.sign_in_as(officer)
    for path in STATS_PATHS:
        assert client.get(path).status_code == 403
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert not actions & {"stats.export", "stats.heavy_users"}


def test_the_openapi_document_lists_the_stats_endpoints(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in ("/stats/daily", "/stats/daily.csv", "/stats/summary", "/stats/summary.csv", "/stats/heavy-users"):
        assert "get" in paths["/api/v1" + path], path
    assert "text/csv" in paths["/api/v1/stats/daily.csv"]["get"]["responses"]["200"]["content"]
