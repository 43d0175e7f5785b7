"""Per-request sign-in, CSRF and content-type checks for the JSON API, and view decorators."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import g, request

from app.audit.services import record_despite_rollback
from app.auth.models import User
from app.auth.sessions import COOKIE_NAME, csrf_matches, resume_session
from app.errors import ApiError
from app.extensions import db

API_PREFIX = "/api/v1"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Signing in is the one write that cannot carry a CSRF token yet.
CSRF_EXEMPT = {f"{API_PREFIX}/auth/login"}
# All a user who must change their password (after an administrator's reset) may do until they have.
PASSWORD_CHANGE_ALLOWED = {f"{API_PREFIX}/auth/{name}" for name in ("login", "password", "me", "logout")}


def load_signed_in_user() -> None:
    """before_request: resolve the session cookie; check content type and CSRF on writes."""
    g.user = None
    g.auth_session = None
    g.session_revoked = False
    if not request.path.startswith(API_PREFIX + "/"):
        return
    if request.method in WRITE_METHODS and request.content_length not in (None, 0) and not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       "Send the body as JSON with Content-Type: application/json.")
    _refuse_nul_characters()
    if request.method in WRITE_METHODS and _cross_site():
        _denied("csrf_failed")
        raise ApiError(403, "csrf_failed", "Requests from other sites are refused; use HELP Field itself.")
    g.auth_session, g.user, g.session_revoked = resume_session(request.cookies.get(COOKIE_NAME))
    # Who is asking is settled in its own short transaction, so the request's work (a sync batch's
    # validation, say) does not hold SQLite's write lock while it only computes.
    db.session.commit()
    if (request.method in WRITE_METHODS and request.path not in CSRF_EXEMPT and g.user is not None
            and not csrf_matches(g.auth_session, request.headers.get("X-CSRF-Token"))):
        _denied("csrf_failed")
        raise ApiError(403, "csrf_failed",
                       "The security token is missing or out of date; reload the app and try again.")
    if g.user is not None and g.user.must_change_password and request.path not in PASSWORD_CHANGE_ALLOWED:
        raise ApiError(403, "password_change_required",
                       "Choose a new password first: yours was reset by an administrator.")


def _denied(reason: str) -> None:
    """A permission failure is audited (kept although the request rolls back): which operation, by whom."""
    record_despite_rollback("access.denied", target_type="operation", target_id=(request.endpoint or "")[:64] or None,
                            outcome=reason, method=request.method)


def _refuse_nul_characters() -> None:
    """PostgreSQL cannot store a NUL character, and no person types one: refuse it up front with a
    clear answer. /sync checks each entry itself, so one bad entry does not hold back its batch."""
    bad_query = b"%00" in request.query_string or b"\x00" in request.query_string
    bad_body = (request.method in WRITE_METHODS and request.path != f"{API_PREFIX}/sync"
                and b"\\u0000" in request.get_data(cache=True))
    if bad_query or bad_body:
        raise ApiError(400, "validation_error", "Text may not contain NUL characters (\\u0000).",
                       {"_schema": ["Remove the NUL character."]})


def _cross_site() -> bool:
    """A browser tells where a request comes from; a write from another site is refused outright
    (the CSRF token would stop it too: two locks).

    An Origin must be this site's exactly: scheme, host and port (`http://` is another origin than
    `https://`). `null` (a sandboxed frame, a file: page, a cross-origin redirect) is nobody's origin,
    so it is refused. This site is what the request says after ProxyFix, when TRUST_PROXY_HOPS trusts
    the proxy's X-Forwarded-Proto and X-Forwarded-Host. No Origin at all is not a browser's write
    (browsers send one on every POST, PUT, PATCH and DELETE): the CSRF token decides.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    theirs = _origin_of(origin)
    return theirs is None or theirs != _origin_of(f"{request.scheme}://{request.host}")


DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a serialized origin; None for `null` or anything that is not one."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host or parts.username is not None or parts.password is not None:
        return None
    if parts.path or parts.query or parts.fragment:
        return None
    return scheme, host.lower(), port or DEFAULT_PORTS[scheme]


def current_user() -> User:
    """The signed-in user; 401 when there is none: session_revoked when the cookie names a session an
    administrator ended (the phone wipes what it holds), else not_authenticated (expired or unknown).
    Signing in and out are not refused for a revoked cookie: the same user signs in again over it."""
    user = g.get("user")
    if user is None:
        if g.get("session_revoked"):
            raise ApiError(401, "session_revoked",
                           "This phone was signed out by an administrator; sign in again to continue.")
        raise ApiError(401, "not_authenticated", "Sign in to continue.")
    return user


def signed_in(*checks: Callable[[User], bool]) -> Callable:
    """Require a signed-in user passing every policy check (403 forbidden otherwise)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            for check in checks:
                if not check(user):
                    _denied("forbidden")
                    raise ApiError(403, "forbidden", "Your role does not allow this.")
            return view(*args, **kwargs)

        return wrapper

    return decorate
