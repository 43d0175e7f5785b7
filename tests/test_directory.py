"""Reference data endpoints, health, the OpenAPI document and security headers."""

from testkit import factories


def test_signed_in_user_lists_teams_agencies_and_sites(as_officer, agency, team, db):
    factories.make_site(agency, name="Herb Jamieson Centre")
    assert [t["name"] for t in as_officer.get("/teams").get_json()] == ["Downtown HELP"]
    agencies = as_officer.get("/agencies").get_json()
    assert agencies[0]["name"] == "Hope Mission" and "housing" in agencies[0]["services"]
    sites = as_officer.get("/sites").get_json()
    assert sites[0] | {"id": 0} == {"id": 0, "name": "Herb Jamieson Centre", "kind": "shelter",
                                    "agency_id": agency.id, "address": "Downtown", "active": True}


def test_healthz_reports_db_and_inline_queue_without_redis(client):
    for path in ("/healthz", "/api/v1/healthz"):
        response = client.client.get(path)
        assert response.status_code == 200
        assert response.get_json() == {"db": "ok", "queue": "inline"}


def test_healthz_reports_queue_ok_with_redis(client, app, redis_server, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_server.url)
    assert client.client.get("/healthz").get_json() == {"db": "ok", "queue": "ok"}


def test_healthz_reports_queue_down_when_redis_is_unreachable(client, app, monkeypatch):
    from testkit.services import free_port

    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    assert client.client.get("/healthz").get_json() == {"db": "ok", "queue": "down"}


def test_openapi_document_lists_the_contract_paths(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/auth/login", "/auth/logout", "/auth/me", "/teams", "/agencies", "/sites"):
        assert "/api/v1" + path in spec["paths"], path
    assert "Error" in spec["components"]["schemas"]


def test_docs_page_is_served_with_local_assets(client):
    page = client.client.get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger-ui-bundle.js" in page.data
    assert client.client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_api_responses_carry_security_headers(client):
    response = client.get("/auth/me")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
