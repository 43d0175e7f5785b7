"""Administration of accounts (API.md Part 2 › Administration): the account rules, the users API, password
change, reset and the forced change at the next sign-in, bulk import, and the CLI's import/reset."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.passwords import common_passwords
from app.auth.rules import display_name_problems, username_problems
from app.push.models import PushSubscription
from testkit import factories
from testkit.push_records import subscribe
from tests.conftest import count

GOOD = "tidal-lantern-quiet-88"


@pytest.fixture
def admin(db):
    return factories.make_user("admin")


@pytest.fixture
def as_admin(make_client, admin):
    return make_client().sign_in_as(admin)


def new_user(**overrides):
    return {"username": "jsmith", "display_name": "Jo Smith", "role": "officer", "team_id": None,
            "agency_id": None, "password": GOOD} | overrides


def error_of(response):
    return response.get_json()["error"]


# ---- the rules --------------------------------------------------------------------------------------


def test_the_common_password_list_holds_at_least_100000_entries():
    listed = common_passwords()
    assert len(listed) >= 100_000
    assert {"qwertyuiopas", "iloveyou1234", "password1234", "changeme2026"} <= listed


@pytest.mark.parametrize("name", ["ab", "a" * 41, "", "jo smith", "оfficer", "officer\u202e", "tab\there",
                                  "café", "o'brien", "ｏｆｆｉｃｅｒ"])
def test_usernames_outside_the_rule_are_refused(name):
    assert username_problems(name)


@pytest.mark.parametrize("name", ["abc", "J.Smith", "ofc-1234_b", "a" * 40])
def test_usernames_inside_the_rule_are_accepted(name):
    assert username_problems(name) == []


@pytest.mark.parametrize("name", ["Jo\u202eSmith", "Jo\u2066Smith", "Jo\x07Smith", "Jo\nSmith", "   ", "x" * 121])
def test_display_names_with_controls_or_bidi_overrides_are_refused(name):
    assert display_name_problems(name)


# ---- creating accounts ------------------------------------------------------------------------------


def test_an_admin_creates_an_account_who_must_choose_a_password_at_first_sign_in(as_admin, team, make_client):
    response = as_admin.post("/users", new_user(username="JSmith", team_id=team.id))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body | {"id": 0, "created_at": ""} == {
        "id": 0, "username": "jsmith", "display_name": "Jo Smith", "role": "officer", "team_id": team.id,
        "agency_id": None, "active": True, "must_change_password": True, "created_at": ""}
    phone = make_client()
    login = phone.login("JSMITH", GOOD)
    assert login.status_code == 200 and login.get_json()["password_change_required"] is True


def test_without_a_password_one_is_generated_and_shown_once(as_admin, make_client):
    body = as_admin.post("/users", new_user(password=None)).get_json()
    temporary = body["temporary_password"]
    assert len(temporary) >= 16
    assert make_client().login("jsmith", temporary).status_code == 200
    listed = as_admin.get("/users?role=officer").get_json()["items"]
    assert "temporary_password" not in listed[0]


@pytest.mark.parametrize("overrides, status, code, field", [
    ({"username": "OFFICER1"}, 409, "conflict", "username"),  # taken by `officer1` after case folding
    ({"username": "оfficer"}, 400, "validation_error", "username"),  # Cyrillic о
    ({"username": "jo"}, 400, "validation_error", "username"),
    ({"username": "jo\u0000x"}, 400, "validation_error", None),
    ({"password": "iloveyou1234"}, 400, "validation_error", "password"),
    ({"password": "qwertyuiopas"}, 400, "validation_error", "password"),
    ({"password": "            "}, 400, "validation_error", "password"),
    ({"password": "short-1"}, 400, "validation_error", "password"),
    ({"display_name": "Jo \u202eSmith"}, 400, "validation_error", "display_name"),
    ({"role": "navigator"}, 400, "validation_error", "agency_id"),  # a navigator needs an agency
    ({"role": "chief"}, 400, "validation_error", "role"),
    ({"team_id": 999999}, 400, "validation_error", "team_id"),
])
def test_account_rules_are_enforced_with_the_error_shape(as_admin, db, overrides, status, code, field):
    factories.make_user("officer", username="officer1")
    before = count(User)
    response = as_admin.post("/users", new_user(**overrides))
    assert response.status_code == status, response.get_json()
    error = error_of(response)
    assert error["code"] == code and error["message"]
    if field:
        assert field in error["fields"]
    assert count(User) == before


def test_a_deactivated_team_or_agency_cannot_be_chosen_for_a_new_account(as_admin, team, agency, db):
    team.active, agency.active = False, False
    response = as_admin.post("/users", new_user(role="navigator", team_id=team.id, agency_id=agency.id))
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert "deactivated" in fields["team_id"][0] and "deactivated" in fields["agency_id"][0]


@pytest.mark.parametrize("role", ["officer", "navigator", "supervisor"])
def test_only_admins_create_accounts(make_client, role, db):
    phone = make_client().sign_in_as(factories.make_user(role))
    response = phone.post("/users", new_user())
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


# ---- listing and editing ------------------------------------------------------------------------------


def test_the_list_filters_by_role_team_agency_and_active(as_admin, team, agency, db):
    officer = factories.make_user("officer", team=team)
    navigator = factories.make_user("navigator", agency=agency)
    gone = factories.make_user("officer", team=team, active=False)

    def ids(query):
        response = as_admin.get("/users" + query)
        assert response.status_code == 200
        body = response.get_json()
        assert set(body) == {"items", "page", "pages", "total"}
        return {item["id"] for item in body["items"]}

    assert ids(f"?team_id={team.id}") == {officer.id, gone.id}
    assert ids(f"?team_id={team.id}&active=true") == {officer.id}
    assert ids(f"?agency_id={agency.id}") == {navigator.id}
    assert ids("?role=navigator") == {navigator.id}
    assert ids("?active=false") == {gone.id}
    assert as_admin.get("/users?role=chief").status_code == 400


def test_supervisors_read_the_list_but_cannot_change_it(make_client, officer, db):
    supervisor = make_client().sign_in_as(factories.make_user("supervisor"))
    assert supervisor.get("/users").status_code == 200
    assert supervisor.patch(f"/users/{officer.id}", {"display_name": "X"}).status_code == 403
    assert make_client().sign_in_as(officer).get("/users").status_code == 403


def test_an_admin_edits_role_team_agency_and_name(as_admin, officer, agency, db):
    other_team = factories.make_team()
    response = as_admin.patch(f"/users/{officer.id}", {"display_name": "Pat Lee", "role": "navigator",
                                                      "team_id": other_team.id, "agency_id": agency.id})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["display_name"], body["role"], body["team_id"], body["agency_id"]) == (
        "Pat Lee", "navigator", other_team.id, agency.id)
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert row.target_id == str(officer.id) and "Pat Lee" not in str(row.detail)


def test_making_someone_a_navigator_needs_an_agency(as_admin, officer):
    response = as_admin.patch(f"/users/{officer.id}", {"role": "navigator"})
    assert response.status_code == 400 and "agency_id" in error_of(response)["fields"]
    assert as_admin.patch(f"/users/{officer.id}", {"display_name": "Jo\u202eSmith"}).status_code == 400
    assert as_admin.patch("/users/999999", {"display_name": "Jo"}).status_code == 404


def test_deactivating_ends_every_session_and_push_subscription(as_admin, make_client, officer, db, push_settings):
    phones = [make_client().sign_in_as(officer) for _ in range(2)]
    subscribe(officer, push_settings)
    db.session.commit()
    response = as_admin.patch(f"/users/{officer.id}", {"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert [error_of(p.get("/auth/me"))["code"] for p in phones] == ["session_revoked"] * 2
    assert count(PushSubscription) == 0
    assert make_client().login(officer.username, factories.PASSWORD).status_code == 401
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.deactivate")).one()
    assert row.detail["sessions"] == 2 and row.detail["subscriptions"] == 1


def test_the_last_admin_cannot_deactivate_or_demote_themselves(as_admin, admin, make_client, db):
    for change in ({"active": False}, {"role": "supervisor"}):
        response = as_admin.patch(f"/users/{admin.id}", change)
        assert response.status_code == 409, change
        assert error_of(response)["code"] == "conflict" and "last active administrator" in error_of(response)["message"]
    assert as_admin.get("/auth/me").status_code == 200
    factories.make_user("admin")
    assert as_admin.patch(f"/users/{admin.id}", {"active": False}).status_code == 200


# ---- password reset and change ----------------------------------------------------------------------


def test_a_reset_password_is_shown_once_and_must_be_changed_before_anything_else(as_admin, make_client, officer, db):
    old_phone = make_client().sign_in_as(officer)
    response = as_admin.post(f"/users/{officer.id}/reset-password")
    assert response.status_code == 200
    temporary = response.get_json()["temporary_password"]
    assert error_of(old_phone.get("/auth/me"))["code"] == "session_revoked"

    phone = make_client()
    assert phone.login(officer.username, factories.PASSWORD).status_code == 401
    login = phone.login(officer.username, temporary)
    assert login.status_code == 200 and login.get_json()["password_change_required"] is True
    for call in (lambda: phone.get("/sync/changes"), lambda: phone.get("/persons"),
                 lambda: phone.post("/sync", {"device_id": "phone-1", "entries": []})):
        refused = call()
        assert (refused.status_code, error_of(refused)["code"]) == (403, "password_change_required")
    me = phone.get("/auth/me")
    assert me.status_code == 200 and me.get_json()["password_change_required"] is True

    weak = phone.post("/auth/password", {"current_password": temporary, "new_password": "password1234"})
    assert weak.status_code == 400 and "new_password" in error_of(weak)["fields"]
    assert phone.post("/auth/password", {"current_password": temporary, "new_password": GOOD}).status_code == 204
    assert phone.get("/sync/changes").status_code == 200
    assert "password_change_required" not in phone.get("/auth/me").get_json()
    assert make_client().login(officer.username, GOOD).status_code == 200


def test_every_user_changes_their_own_password(make_client, officer, db):
    phone = make_client()
    assert phone.login(officer.username, factories.PASSWORD).status_code == 200
    other_phone = make_client().sign_in_as(officer)
    wrong = phone.post("/auth/password", {"current_password": "not-my-password", "new_password": GOOD})
    assert wrong.status_code == 400 and "current_password" in error_of(wrong)["fields"]
    same = phone.post("/auth/password", {"current_password": factories.PASSWORD,
                                         "new_password": factories.PASSWORD})
    assert same.status_code == 400
    assert phone.post("/auth/password", {"current_password": factories.PASSWORD, "new_password": GOOD}).status_code == 204
    assert phone.get("/auth/me").status_code == 200  # this phone stays signed in
    assert other_phone.get("/auth/me").status_code == 401  # the others are signed out
    assert make_client().post("/auth/password", {"current_password": "x", "new_password": GOOD}).status_code == 401
    failed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.change_password")).all()
    assert sorted(e.outcome for e in failed) == ["failed", "ok"]


def test_wrong_current_passwords_are_throttled_like_sign_ins(make_client, officer, app, db):
    phone = make_client().sign_in_as(officer)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        wrong = phone.post("/auth/password", {"current_password": "not-my-password", "new_password": GOOD})
        assert wrong.status_code == 400
    locked = phone.post("/auth/password", {"current_password": factories.PASSWORD, "new_password": GOOD})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert error_of(locked)["code"] == "rate_limited"
    assert make_client().login(officer.username, factories.PASSWORD).status_code == 429


def test_only_admins_reset_passwords(make_client, officer, db):
    supervisor = make_client().sign_in_as(factories.make_user("supervisor"))
    assert supervisor.post(f"/users/{officer.id}/reset-password").status_code == 403


# ---- bulk import ------------------------------------------------------------------------------------


def test_an_import_creates_the_good_rows_and_rejects_each_bad_one_alone(as_admin, team, agency, db):
    factories.make_user("officer", username="taken")
    rows = [new_user(username=f"ofc{n}", team_id=team.id, password=None) for n in range(5)]
    rows[1] = new_user(username="Taken")  # already an account
    rows[3] = new_user(username="OFC0")  # earlier in the same file
    rows.append(new_user(username="nav1", role="navigator"))  # no agency
    response = as_admin.post("/users/import", {"users": rows})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == ["created", "rejected", "created", "rejected", "created",
                                                       "rejected"]
    assert [r["row"] for r in body["results"]] == [1, 2, 3, 4, 5, 6]
    assert (body["created"], body["rejected"]) == (3, 3)
    assert body["results"][1]["error"]["code"] == "conflict"
    assert "agency_id" in body["results"][5]["error"]["fields"]
    assert all(r["temporary_password"] for r in body["results"] if r["status"] == "created")
    assert set(db.session.scalars(sa.select(User.username).where(User.username.like("ofc%")))) == {"ofc0", "ofc2",
                                                                                                   "ofc4"}
    assert db.session.scalar(sa.select(User).where(User.username == "nav1")) is None


def test_an_import_from_csv_text_names_teams_and_agencies(as_admin, team, agency, db):
    csv_text = ("username,display_name,role,team,agency,password\n"
                f"amy.b,Amy B,officer,{team.name.upper()},,\n"
                f"nav.c,Cal C,navigator,,{agency.name},{GOOD}\n"
                "bad one,Bad,officer,,,\n"
                "d.d,Dee \u202eD,officer,Nowhere Team,,\n")
    body = as_admin.post("/users/import", {"csv": csv_text}).get_json()
    statuses = [(r["status"], sorted((r.get("error") or {}).get("fields", {}))) for r in body["results"]]
    assert statuses == [("created", []), ("created", []), ("rejected", ["username"]),
                        ("rejected", ["display_name", "team_id"])]
    amy = db.session.scalar(sa.select(User).where(User.username == "amy.b"))
    assert amy.team_id == team.id and amy.must_change_password
    assert "temporary_password" not in body["results"][1]  # the file gave it


def test_an_import_refuses_an_empty_or_oversized_file(as_admin):
    assert as_admin.post("/users/import", {"csv": "username,role\n"}).status_code == 400
    assert as_admin.post("/users/import", {}).status_code == 400
    too_many = as_admin.post("/users/import", {"csv": "username,role\n" + "x,officer\n" * 101})
    assert too_many.status_code == 413 and error_of(too_many)["code"] == "too_large"


# ---- the CLI ----------------------------------------------------------------------------------------


def test_cli_import_reports_each_row_prints_generated_passwords_and_creates_the_rest(app, db, team, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("username,display_name,role,team,password\n"
                    f"cli.one,One,officer,{team.name},\n"
                    f"cli.two,Two,officer,{team.name},iloveyou1234\n"
                    f"cli.three,Three,supervisor,,{GOOD}\n")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1, result.output  # one row was rejected
    assert "row 1: created 'cli.one'" in result.output and "temporary password: " in result.output
    assert "row 2: rejected" in result.output and "commonly used" in result.output
    assert "2 created, 1 rejected." in result.output
    assert set(db.session.scalars(sa.select(User.username).where(User.username.like("cli.%")))) == {
        "cli.one", "cli.three"}


def test_cli_reset_password_prints_a_temporary_password_that_must_be_changed(app, db, officer, make_client):
    result = app.test_cli_runner().invoke(args=["users", "reset-password", officer.username.upper()])
    assert result.exit_code == 0, result.output
    temporary = result.output.strip().rsplit(" ", 1)[-1]
    login = make_client().login(officer.username, temporary)
    assert login.status_code == 200 and login.get_json()["password_change_required"] is True


def test_cli_create_applies_the_account_rules(app, db):
    runner = app.test_cli_runner()
    lookalike = runner.invoke(args=["users", "create", "оfficer", "--role", "officer"], input=GOOD + "\n")
    assert lookalike.exit_code != 0 and "username" in lookalike.output
    bidi = runner.invoke(args=["users", "create", "okname", "--role", "officer", "--display-name", "A\u202eB"],
                         input=GOOD + "\n")
    assert bidi.exit_code != 0 and "display_name" in bidi.output
    weak = runner.invoke(args=["users", "create", "okname", "--role", "officer"], input="iloveyou1234\n")
    assert weak.exit_code != 0 and "commonly used" in weak.output


@pytest.mark.parametrize("body", [
    {"username": "ok.name", "role": "officer", "display_name": "left\udfffright"},
    {"username": "ok\u0000name", "role": "officer"},
])
def test_broken_unicode_and_nul_are_refused_before_anything_is_stored(as_admin, body):
    before = count(User)
    response = as_admin.post("/users", body)
    assert response.status_code == 400 and error_of(response)["code"] == "validation_error"
    imported = as_admin.post("/users/import", {"csv": "username,display_name,role\nok.two,bad\udfff,officer\n"})
    assert imported.status_code == 400
    assert count(User) == before
