"""The one JSON error shape: {"error": {"code", "message", "fields"?}} for every 4xx/5xx."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.rest import ErrorSchema  # noqa: F401  (re-exported for views)
from app.transaction import rollback_for_error

log = logging.getLogger(__name__)

# Default code and message per status, for errors raised without a specific one.
DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("not_authenticated", "Sign in to continue."),
    403: ("forbidden", "You do not have permission to do that."),
    404: ("not_found", "Nothing was found at that address."),
    405: ("method_not_allowed", "That method is not allowed here."),
    409: ("conflict", "The record was changed by someone else; reload and try again."),
    413: ("too_large", "The request is too large: send at most 500 entries and 2 MB at a time."),
    415: ("unsupported_media_type", "Send the body as JSON with Content-Type: application/json."),
    422: ("validation_error", "Some fields are not valid."),
    429: ("rate_limited", "Too many attempts; wait a moment and try again."),
    500: ("server_error", "Something went wrong on the server; the request was not saved. Try again."),
    503: ("unavailable", "The service is temporarily unavailable; try again shortly."),
}


class ApiError(HTTPException):
    """An error with a stable machine code, a sentence for a person and optional field messages."""

    def __init__(self, status: int, code: str, message: str,
                 fields: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None):
        super().__init__(description=message)
        self.code = status
        self.error_code = code
        self.message = message
        self.fields = fields
        self.extra_headers = headers or {}
        # Top-level keys beside "error", e.g. "current" on a conflict.
        self.extra = extra or {}


# The HTTP status of each refusal code an entry or a service can answer with.
REFUSAL_STATUS = {"validation_error": 400, "clock_skew": 400, "forbidden": 403, "not_found": 404,
                  "invalid_transition": 409, "conflict": 409}


def refusal(outcome: Any, *,
            conflict_message: str = "This id is already used for other content; nothing was changed.") -> ApiError:
    """The one mapping from a refused entry's outcome (app.entries.outcomes) to an HTTP answer."""
    if outcome.status == "conflict":
        return ApiError(409, "conflict", conflict_message, extra={"current": outcome.current})
    error = outcome.error or {"code": "validation_error", "message": "The request could not be applied."}
    return ApiError(REFUSAL_STATUS.get(error["code"], 400), error["code"], error["message"], error.get("fields"),
                    extra={"current": outcome.current} if outcome.current is not None else None)


def error_body(code: str, message: str, field_messages: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if field_messages:
        body["fields"] = field_messages
    return {"error": body}


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {"field.sub": ["..."]} for the error body."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "_schema"
            for k, v in flatten_messages(value, name).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            flat[prefix or "_schema"] = list(messages)
        else:
            for m in messages:
                for k, v in flatten_messages(m, prefix).items():
                    flat.setdefault(k, []).extend(v)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def _validation_fields(exc: HTTPException) -> dict[str, list[str]] | None:
    """webargs puts {"json": {...}} or {"query": {...}} on the exception; drop the location."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if not messages:
        return None
    merged: dict[str, list[str]] = {}
    for _location, inner in messages.items():
        for k, v in flatten_messages(inner).items():
            merged.setdefault(k, []).extend(v)
    return merged


def handle_http_exception(exc: HTTPException):
    rollback_for_error()
    status = exc.code or 500
    if isinstance(exc, ApiError):
        response = jsonify(error_body(exc.error_code, exc.message, exc.fields) | exc.extra)
        response.status_code = status
        for k, v in exc.extra_headers.items():
            response.headers[k] = v
        return response
    code, message = DEFAULTS.get(status, ("error", exc.description or "Request failed."))
    field_messages = None
    data = getattr(exc, "data", None)  # webargs' errors carry their messages here
    if status in (400, 422) and data:
        field_messages = _validation_fields(exc)
        if field_messages is not None:
            if "json" in (data.get("messages") or {}) and field_messages == {"_schema": ["Invalid JSON body."]}:
                status, code, message, field_messages = 400, "invalid_json", "The body is not valid JSON.", None
            else:
                status, code = 400, "validation_error"
                message = "Some fields are not valid: " + ", ".join(sorted(field_messages)) + "."
    elif status == 404 and request.path.startswith("/api/"):
        message = "Nothing was found at that address."
    response = jsonify(error_body(code, message, field_messages))
    response.status_code = status
    valid_methods = getattr(exc, "valid_methods", None)  # werkzeug's MethodNotAllowed
    if status == 405 and valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)
    if status == 429 and exc.response is not None and exc.response.headers.get("Retry-After"):
        response.headers["Retry-After"] = exc.response.headers["Retry-After"]
    return response


def handle_unexpected(exc: Exception):
    """Log the trace for operators (no request bodies) and answer with the JSON shape; nothing is kept."""
    rollback_for_error()
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        # SQLite stayed busy past its timeout: the phone keeps the entries and retries later.
        log.warning("database busy on %s %s", request.method, request.path)
        response = jsonify(error_body(*DEFAULTS[503]))
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    log.exception("unhandled error on %s %s", request.method, request.path)
    response = jsonify(error_body(*DEFAULTS[500]))
    response.status_code = 500
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
