"""Bad input gets the one JSON error shape, the documented status, and changes nothing."""

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from app.auth.models import AuthSession
from testkit import factories
from tests.conftest import count


def test_unknown_api_route_is_json_404(client):
    response = client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "Nothing was found at that address."}}


def test_malformed_json_is_400_invalid_json(client, officer):
    response = client.client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    assert count(AuthSession) == 0


def test_wrong_content_type_is_415(client, officer):
    response = client.client.post("/api/v1/auth/login", data="username=x&password=y",
                                  content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_unknown_and_missing_fields_are_listed(client, officer):
    response = client.post("/auth/login", {"username": officer.username, "role": "admin"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"password", "role"}
    assert count(AuthSession) == 0


def test_oversize_body_is_413_too_large(client):
    response = client.client.post("/api/v1/auth/login", data=b'{"username": "' + b"x" * (2 * 1024 * 1024) + b'"}',
                                  content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_method_not_allowed_is_json_with_allow_header(client):
    response = client.client.delete("/api/v1/auth/me")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/teams", "/agencies", "/sites"])
def test_reference_data_needs_sign_in(client, path):
    assert client.get(path).status_code == 401


def test_errors_never_leak_a_stack_trace(client, app, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("app.directory.services.list_teams", boom)
    user = factories.make_user("officer")
    client.sign_in_as(user)
    response = client.get("/teams")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "server_error"


def test_cross_site_writes_are_refused_even_with_a_valid_token(client, officer):
    client.sign_in_as(officer)
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.post("/auth/logout", headers=headers)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/auth/me").status_code == 200
    assert client.post("/auth/logout", headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}) \
        .status_code == 204


def _refused(response) -> bool:
    return response.status_code == 403 and response.get_json()["error"]["code"] == "csrf_failed"


@pytest.mark.parametrize("origin", [
    "null",  # sandboxed frames, data: and file: pages, cross-origin redirects
    "https://localhost",  # the right host with the wrong scheme
    "http://localhost:8080",
    "http://localhost.evil.example",
    "http://user@localhost",
    "http://localhost/path",
    "",
])
def test_a_write_whose_origin_is_not_exactly_this_sites_is_refused(client, officer, origin):
    client.sign_in_as(officer)
    assert _refused(client.post("/auth/logout", headers={"Origin": origin}))
    assert _refused(client.post("/auth/logout", headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"}))
    assert client.get("/auth/me").status_code == 200


def test_the_origin_is_compared_by_scheme_host_and_port_over_https(client, officer):
    client.sign_in_as(officer)
    https = {"base_url": "https://localhost"}
    assert _refused(client.post("/auth/logout", headers={"Origin": "http://localhost"}, **https))
    assert _refused(client.post("/auth/logout", headers={"Origin": "https://localhost:8443"}, **https))
    assert client.get("/auth/me", **https).status_code == 200
    assert client.post("/auth/logout", headers={"Origin": "https://LOCALHOST:443"}, **https).status_code == 204


def test_behind_a_trusted_proxy_the_origin_is_compared_with_the_forwarded_scheme_and_host(
        app, client, officer, monkeypatch):
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1))  # TRUST_PROXY_HOPS=1
    client.sign_in_as(officer)
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "help.example.org"}
    assert _refused(client.post("/auth/logout", headers={**proxied, "Origin": "http://help.example.org"}))
    assert _refused(client.post("/auth/logout", headers={**proxied, "Origin": "https://localhost"}))
    assert client.post("/auth/logout", headers={**proxied, "Origin": "https://help.example.org"}).status_code == 204


def test_a_write_with_no_origin_and_no_fetch_metadata_is_left_to_the_csrf_token(client, officer):
    """Not a browser (curl, the tests' clients): nothing to compare, and the token still decides."""
    client.sign_in_as(officer)
    assert client.post("/auth/logout").status_code == 204


def test_nul_characters_are_refused_with_a_clear_error(as_officer):
    response = as_officer.get("/persons?q=ab%00cd")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "validation_error"
    patched = as_officer.patch("/referrals/0b8f2f3e-4a7b-4c59-9d2e-2f1c0f3b9a11", {"status": "accepted", "note": "a\u0000b"})
    assert patched.status_code == 400 and "NUL" in patched.get_json()["error"]["message"]
