"""Sign-in, sessions, CSRF and the error shape of auth failures (API.md › Auth)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import AuthSession, LoginFailure, User
from app.auth.passwords import password_problems
from app.push.models import PushSubscription
from testkit import factories
from testkit.push_records import subscribe
from tests.conftest import count


def move_back(db, model, column, delta):
    """Move a stored time into the past: the clock moved on without anyone waiting."""
    for row in db.session.scalars(sa.select(model)):
        setattr(row, column, getattr(row, column) - delta)
    db.session.commit()


def test_login_returns_user_and_csrf_token_and_sets_httponly_cookie(client, officer):
    response = client.login(officer.username, factories.PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"] == {"id": officer.id, "username": officer.username, "display_name": officer.display_name,
                            "role": "officer", "team_id": officer.team_id, "agency_id": None}
    assert len(body["csrf_token"]) >= 32
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_me_after_login_returns_the_same_user(client, officer):
    client.login(officer.username, factories.PASSWORD)
    response = client.get("/auth/me")
    assert response.status_code == 200
    assert response.get_json()["user"]["username"] == officer.username


def test_me_without_session_is_401_not_authenticated(client):
    response = client.get("/auth/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_authenticated"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, officer):
    wrong = client.login(officer.username, "not-the-password-at-all")
    unknown = client.login("nobody-here", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "invalid_credentials"
    assert "Set-Cookie" not in wrong.headers


def test_failed_sign_in_creates_no_session_and_is_audited(client, officer, db):
    client.login(officer.username, "wrong-password-here")
    assert count(AuthSession) == 0
    outcomes = db.session.scalars(sa.select(AuditEvent.outcome).where(AuditEvent.action == "auth.login")).all()
    assert outcomes == ["failed"]


def test_inactive_user_cannot_sign_in(client, db, team):
    user = factories.make_user("officer", team=team, active=False)
    assert client.login(user.username, factories.PASSWORD).status_code == 401


def test_repeated_failures_lock_the_account_with_retry_after(client, officer, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert client.login(officer.username, "wrong-password-here").status_code == 401
    locked = client.login(officer.username, factories.PASSWORD)
    assert locked.status_code == 429
    assert locked.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60


def test_failures_older_than_the_window_no_longer_count(client, officer, app, db):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.login(officer.username, "wrong-password-here")
    move_back(db, LoginFailure, "at", timedelta(minutes=16))
    assert client.login(officer.username, factories.PASSWORD).status_code == 200


def test_logout_ends_the_session_server_side(client, officer):
    client.login(officer.username, factories.PASSWORD)
    assert client.post("/auth/logout").status_code == 204
    assert client.get("/auth/me").status_code == 401


def test_write_without_csrf_token_is_403_and_changes_nothing(client, officer):
    client.login(officer.username, factories.PASSWORD)
    client.csrf = None
    response = client.post("/auth/logout")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/auth/me").status_code == 200


def test_write_with_a_wrong_csrf_token_is_403(client, officer):
    client.login(officer.username, factories.PASSWORD)
    client.csrf = "0" * 64
    assert client.post("/auth/logout").get_json()["error"]["code"] == "csrf_failed"


def test_idle_session_expires(client, officer, db, app):
    client.sign_in_as(officer)
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    move_back(db, AuthSession, "last_seen_at", idle)
    assert client.get("/auth/me").status_code == 401


def test_session_expires_after_absolute_lifetime_even_when_active(client, officer, db, app):
    client.sign_in_as(officer)
    old = timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1)
    move_back(db, AuthSession, "created_at", old)
    assert client.get("/auth/me").status_code == 401


def test_each_sign_in_gets_a_new_session_id(client, officer, db):
    client.login(officer.username, factories.PASSWORD)
    client.login(officer.username, factories.PASSWORD)
    assert len(set(db.session.scalars(sa.select(AuthSession.id)))) == 2


def test_password_policy_rejects_short_common_and_username_passwords():
    assert password_problems("short")
    assert password_problems("password1234")
    assert password_problems("jsmith-is-here-2026", "jsmith")
    assert password_problems("a-long-unusual-phrase-77") == []


def test_lockout_is_shared_through_redis_by_every_web_process(client, make_client, officer, app, redis_server,
                                                               monkeypatch, db):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_server.url)
    from app.queue import redis_connection

    with app.app_context():
        redis_connection().flushdb()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.login(officer.username, "wrong-password-here")
    assert count(LoginFailure) == 0  # held in Redis, not in the database
    assert make_client().login(officer.username, factories.PASSWORD).status_code == 429


@pytest.mark.parametrize("command, still_active", [("deactivate", False), ("sign-out", True)])
def test_a_lost_phone_is_cut_off_sessions_and_push_subscriptions_at_once(make_client, officer, navigator, app, db,
                                                                        push_settings, command, still_active):
    phones = [make_client().sign_in_as(officer) for _ in range(2)]
    colleague = make_client().sign_in_as(navigator)
    for user in (officer, officer, navigator):
        subscribe(user, push_settings)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", command, officer.username])
    assert result.exit_code == 0, result.output
    assert "ended 2 session(s)" in result.output and "removed 2 push subscription(s)" in result.output
    assert [p.get("/auth/me").status_code for p in phones] == [401, 401]
    assert colleague.get("/auth/me").status_code == 200
    assert db.session.scalars(sa.select(PushSubscription.user_id)).all() == [navigator.id]
    assert db.session.get(User, officer.id, populate_existing=True).active is still_active
    [row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target_type == "user")).all()
    assert (row.target_id, row.detail) == (str(officer.id), {"sessions": 2, "subscriptions": 2})


@pytest.mark.parametrize("command", ["sign-out", "deactivate"])
def test_a_phone_signed_out_by_an_administrator_is_told_so_apart_from_an_expired_session(
        make_client, officer, team, app, db, command):
    colleague = factories.make_user("officer", team=team)
    revoked, revoked_while_idle = make_client().sign_in_as(officer), make_client().sign_in_as(officer)
    expired = make_client().sign_in_as(colleague)
    unknown = make_client()
    unknown.client.set_cookie("help_session", "no-such-session-token", domain="localhost")
    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    sessions = db.session.scalars(sa.select(AuthSession).order_by(AuthSession.created_at)).all()
    for session in sessions[1:]:  # the officer's second phone and the colleague's: left idle too long
        session.last_seen_at -= idle
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", command, officer.username])
    assert result.exit_code == 0, result.output

    calls = {"GET /auth/me": lambda c: c.get("/auth/me"),
             "POST /sync": lambda c: c.post("/sync", {"device_id": "phone-1", "entries": []}),
             "GET /sync/changes": lambda c: c.get("/sync/changes")}
    for name, call in calls.items():
        for phone in (revoked, revoked_while_idle):  # revoked wins over expired: a lost phone learns it late
            error = call(phone).get_json()["error"]
            assert error["code"] == "session_revoked", name
            assert "signed out by an administrator" in error["message"]
            assert call(phone).status_code == 401
        for phone in (expired, unknown):
            answer = call(phone)
            assert (answer.status_code, answer.get_json()["error"]["code"]) == (401, "not_authenticated"), name


def test_a_revoked_cookie_does_not_stop_signing_in_again(make_client, officer, app, db):
    phone = make_client().sign_in_as(officer)
    assert app.test_cli_runner().invoke(args=["users", "sign-out", officer.username]).exit_code == 0
    assert phone.get("/auth/me").get_json()["error"]["code"] == "session_revoked"
    assert phone.login(officer.username, factories.PASSWORD).status_code == 200  # over the old cookie
    assert phone.get("/auth/me").status_code == 200


def test_signing_out_an_unknown_user_says_so(app, db):
    result = app.test_cli_runner().invoke(args=["users", "sign-out", "nobody-here"])
    assert result.exit_code != 0 and "No user named 'nobody-here'" in result.output
