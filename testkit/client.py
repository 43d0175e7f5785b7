"""A JSON API client for tests: signs in, then sends the CSRF token with every write."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from app.auth.sessions import COOKIE_NAME, csrf_token_for, start_session
from app.extensions import db

BASE = "/api/v1"


class ApiClient:
    def __init__(self, client: FlaskClient):
        self.client = client
        self.csrf: str | None = None

    def sign_in_as(self, user) -> ApiClient:
        """Open a session directly (no password hashing), as a successful sign-in would."""
        session, token = start_session(user)
        db.session.commit()
        self.client.set_cookie(COOKIE_NAME, token, domain="localhost")
        self.csrf = csrf_token_for(session)
        return self

    def login(self, username: str, password: str):
        response = self.post("/auth/login", {"username": username, "password": password})
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def _headers(self, headers: dict | None) -> dict:
        merged = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        merged.update(headers or {})
        return merged

    @staticmethod
    def _arranged() -> None:
        """Commit what the test arranged, as it would be before a phone calls: a request that fails
        rolls back only its own work."""
        db.session.commit()

    def get(self, path: str, **kwargs: Any):
        self._arranged()
        return self.client.get(BASE + path, **kwargs)

    def post(self, path: str, json: Any = None, headers: dict | None = None, **kwargs: Any):
        self._arranged()
        return self.client.post(BASE + path, json=json, headers=self._headers(headers), **kwargs)

    def patch(self, path: str, json: Any = None, headers: dict | None = None, **kwargs: Any):
        self._arranged()
        return self.client.patch(BASE + path, json=json, headers=self._headers(headers), **kwargs)

    def delete(self, path: str, json: Any = None, headers: dict | None = None, **kwargs: Any):
        self._arranged()
        return self.client.delete(BASE + path, json=json, headers=self._headers(headers), **kwargs)
