"""HTTP hardening: request bodies nested too deep are refused before parsing; every response gets
CSP, no-store for the API, HSTS outside development."""

from __future__ import annotations

from flask import Flask, Response, request

from app.errors import ApiError
from app.input_rules import MAX_DEPTH, nesting_exceeds

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Swagger UI sets style attributes; only the docs page gets inline styles, never inline scripts.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def harden(app: Flask) -> None:
    @app.before_request
    def _shallow_body() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.is_json:
            return
        if nesting_exceeds(request.get_data(cache=True)):
            raise ApiError(400, "invalid_json",
                           f"The body nests arrays and objects more than {MAX_DEPTH} deep; nothing was saved.")

    @app.after_request
    def _headers(response: Response) -> Response:
        docs = request.path.startswith("/api/v1/docs")
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        if request.path.startswith("/api/") and not docs:
            response.headers["Cache-Control"] = "no-store"
        if not app.config["DEVELOPMENT"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
