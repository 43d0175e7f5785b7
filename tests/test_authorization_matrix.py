"""Every endpoint in the OpenAPI document × every role × every scope, against one readable table.

Scopes of a record: own (the caller made it), team (a teammate made it), agency (another team
referred someone to the caller's agency), other (another team and agency). Records one may not see
answer 404, never 403; an endpoint added without a row here fails the completeness test.
"""

from __future__ import annotations

import pytest

from testkit import entries as e
from testkit import factories

ROLES = ("officer", "navigator", "supervisor", "admin", "anonymous")
X = None  # no such record for this role (admins log no field entries)

#                      officer  navigator  supervisor  admin  anonymous
RECORD_READS = {
    "encounter": {
        "own":    (200, 200, 200, X, 401),
        "team":   (200, 200, 200, 200, 401),
        "other":  (404, 404, 200, 200, 401),
    },
    "person": {
        "own":    (200, 200, 200, X, 401),
        "team":   (200, 200, 200, 200, 401),
        "agency": (404, 200, 200, 200, 401),  # the agency sees the referred person, masked without consent
        "other":  (404, 404, 200, 200, 401),
    },
    "referral": {
        "own":    (200, 200, 200, X, 401),
        "team":   (200, 200, 200, 200, 401),
        "agency": (404, 200, 200, 200, 401),
        "other":  (404, 404, 200, 200, 401),
    },
    "case": {
        "own":    (200, 200, 200, X, 401),
        "team":   (200, 404, 200, 200, 401),  # navigators see their agency's cases and those they lead
        "agency": (404, 200, 200, 200, 401),
        "other":  (404, 404, 200, 200, 401),
    },
}
READ_PATHS = {"encounter": "/encounters/{id}", "person": "/persons/{id}", "referral": "/referrals/{id}",
              "case": "/cases/{id}"}

#                                   officer  navigator  supervisor  admin  anonymous
ENDPOINTS = {
    "GET /auth/me":                 (200, 200, 200, 200, 401),
    "GET /teams":                   (200, 200, 200, 200, 401),
    "GET /agencies":                (200, 200, 200, 200, 401),
    "GET /sites":                   (200, 200, 200, 200, 401),
    "GET /healthz":                 (200, 200, 200, 200, 200),
    "GET /sync/changes":            (200, 200, 200, 200, 401),
    "POST /sync":                   (200, 200, 200, 403, 401),
    "GET /encounters":              (200, 200, 200, 200, 401),
    "GET /persons":                 (200, 200, 200, 200, 401),
    "GET /persons/duplicates":      (403, 403, 200, 200, 401),
    "POST /persons/{kept_id}/merge": (403, 403, 200, 200, 401),
    "GET /referrals":               (200, 200, 200, 200, 401),
    "GET /cases":                   (200, 200, 200, 200, 401),
    "GET /triage":                  (200, 200, 200, 200, 401),
    "GET /triage/rules":            (200, 200, 200, 200, 401),
    "GET /stats/daily":             (403, 403, 200, 200, 401),
    "GET /stats/daily.csv":         (403, 403, 200, 200, 401),
    "GET /stats/summary":           (403, 403, 200, 200, 401),
    "GET /stats/summary.csv":       (403, 403, 200, 200, 401),
    "GET /stats/heavy-users":       (403, 403, 200, 200, 401),
    "GET /stats/outcomes":          (403, 403, 200, 200, 401),
    "GET /stats/referrals":         (403, 403, 200, 200, 401),
    "GET /exports/encounters.csv":  (403, 403, 200, 200, 401),
    "GET /stats/cohort":            (403, 403, 200, 200, 401),
    "GET /audit":                   (403, 403, 403, 200, 401),
    "GET /push/vapid-public-key":   (200, 200, 200, 200, 200),
    "POST /push/subscriptions":     (201, 201, 201, 201, 401),
    "DELETE /push/subscriptions":   (204, 204, 204, 204, 401),
    "POST /auth/password":          (204, 204, 204, 204, 401),
    "GET /users":                   (403, 403, 200, 200, 401),
    "POST /users":                  (403, 403, 403, 201, 401),
    "GET /users/{user_id}":         (403, 403, 200, 200, 401),
    "PATCH /users/{user_id}":       (403, 403, 403, 200, 401),
    "POST /users/{user_id}/reset-password": (403, 403, 403, 200, 401),
    "POST /users/import":           (403, 403, 403, 200, 401),
    "POST /teams":                  (403, 403, 403, 201, 401),
    "PATCH /teams/{team_id}":       (403, 403, 403, 200, 401),
    "POST /agencies":               (403, 403, 403, 201, 401),
    "PATCH /agencies/{agency_id}":  (403, 403, 403, 200, 401),
    "POST /sites":                  (403, 403, 403, 201, 401),
    "PATCH /sites/{site_id}":       (403, 403, 403, 200, 401),
    "GET /tables":                  (200, 200, 200, 200, 401),
    "POST /tables":                 (403, 403, 403, 201, 401),
    "GET /situations":              (200, 200, 200, 200, 401),
}
# Operations covered by their own tests with richer setups, named here so none is forgotten.
COVERED_ELSEWHERE = {
    "POST /auth/login": "tests/test_auth.py",
    "GET /audit/persons/{person_id}/disclosures": "tests/test_audit.py (admins only)",
    "POST /auth/logout": "tests/test_auth.py",
    "PATCH /referrals/{referral_id}": "tests/test_sync_referrals.py and the write matrix below",
    "PATCH /encounters/{encounter_id}": "tests/test_encounter_corrections.py and the write matrix below",
    "POST /encounters/{encounter_id}/void": "tests/test_encounter_corrections.py and the write matrix below",
    "PATCH /persons/{person_id}": "tests/test_person_updates.py and the write matrix below",
    "POST /cases": "tests/test_cases_permissions.py",
    "PATCH /cases/{case_id}": "tests/test_cases_permissions.py",
    "POST /cases/{case_id}/goals": "tests/test_cases_permissions.py",
    "PATCH /cases/{case_id}/goals/{goal_id}": "tests/test_cases_lifecycle.py",
    "POST /cases/{case_id}/notes": "tests/test_cases_permissions.py",
    "POST /cases/{case_id}/transitions": "tests/test_cases_permissions.py",
    "POST /cases/{case_id}/close": "tests/test_cases_permissions.py",
    # The situation table: chair, originator, lead, assisting, other member, non-member and supervisor
    # at every stage (tests/test_situation_table.py, ACCESS and the tests after it).
    "PATCH /tables/{table_id}": "tests/test_situation_table.py (admins only)",
    "POST /tables/{table_id}/situations": "tests/test_situation_table.py (member agencies and teams)",
    "GET /tables/{table_id}/situations": "tests/test_situation_table.py (members and chairs)",
    "GET /tables/{table_id}/report": "tests/test_situation_report.py (chairs, supervisors, admins)",
    "GET /tables/{table_id}/report.csv": "tests/test_situation_report.py (chairs, supervisors, admins)",
    "GET /situations/{situation_id}": "tests/test_situation_table.py (ACCESS by stage)",
    "POST /situations/{situation_id}/decision": "tests/test_situation_table.py (chairs only, once)",
    "POST /situations/{situation_id}/notes": "tests/test_situation_table.py (lead and assisting only)",
    "POST /situations/{situation_id}/close": "tests/test_situation_table.py (chairs or the lead)",
    "POST /situations/{situation_id}/case": "tests/test_situation_cases.py (CASE_ACCESS by stage: lead and assisting)",
}
QUERY = {"GET /stats/daily": "?from=2026-11-01&to=2026-11-07", "GET /stats/daily.csv": "?from=2026-11-01&to=2026-11-07",
         "GET /stats/summary": "?from=2026-11-01&to=2026-11-07", "GET /triage": "?needs=housing"}


class World:
    """Two teams, two agencies, one user per role, and records of every scope."""

    def __init__(self, make_client):
        self.make_client = make_client
        team_a, team_b = factories.make_team(), factories.make_team()
        self.agency_x = factories.make_agency(services=["housing"])
        agency_y = factories.make_agency(services=["food"])
        self.users = {
            "officer": factories.make_user("officer", team=team_a),
            "navigator": factories.make_user("navigator", team=team_a, agency=self.agency_x),
            "supervisor": factories.make_user("supervisor", team=team_a),
            "admin": factories.make_user("admin"),
        }
        self.teammate = factories.make_user("officer", team=team_a)
        self.stranger = factories.make_user("officer", team=team_b)
        self.agency_y = agency_y
        self.records: dict[str, dict[str, dict[str, str]]] = {}

    def client(self, role: str):
        client = self.make_client()
        return client if role == "anonymous" else client.sign_in_as(self.users[role])

    def make_records(self, author, *, refer_to, case_lead=None) -> dict[str, str]:
        """A person, an encounter, a referral and an open case, made through /sync by `author`."""
        phone = self.make_client().sign_in_as(author)
        p = e.person()
        enc = e.encounter(person_id=p["id"])
        ref = e.referral(p["id"], refer_to.id)
        assert e.statuses(phone.post("/sync", e.batch(p, enc, ref))) == ["created"] * 3
        lead = case_lead or author
        intake = e.case_intake(p["id"], lead_user_id=lead.id)
        assert e.statuses(phone.post("/sync", e.batch(intake))) == ["created"]
        return {"encounter": enc["id"], "person": p["id"], "referral": ref["id"], "case": intake["id"]}


@pytest.fixture
def world(db, make_client):
    w = World(make_client)
    for role in ("officer", "navigator", "supervisor"):
        w.records.setdefault(role, {})["own"] = w.make_records(w.users[role], refer_to=w.agency_y)
    team = w.make_records(w.teammate, refer_to=w.agency_y)
    other = w.make_records(w.stranger, refer_to=w.agency_y)
    agency_navigator = factories.make_user("navigator", team=factories.make_team(), agency=w.agency_x)
    agency = w.make_records(w.stranger, refer_to=w.agency_x, case_lead=agency_navigator)
    for role in ROLES:
        w.records.setdefault(role, {}).update({"team": team, "other": other, "agency": agency})
    w.records["anonymous"]["own"] = w.records["officer"]["own"]
    return w


def _spec_operations(client) -> set[str]:
    spec = client.get("/openapi.json").get_json()
    return {f"{method.upper()} {path.removeprefix('/api/v1')}" for path, ops in spec["paths"].items()
            for method in ops if method in {"get", "post", "put", "patch", "delete"}}


def test_every_operation_has_an_expected_answer(client):
    named = set(ENDPOINTS) | set(COVERED_ELSEWHERE) | {f"GET {p.replace('{id}', '{' + k + '_id}')}"
                                                        for k, p in READ_PATHS.items()}
    assert _spec_operations(client) - named == set()


@pytest.mark.parametrize("kind", list(RECORD_READS))
def test_record_reads_by_role_and_scope(world, kind):
    seen = {}
    for scope, expected in RECORD_READS[kind].items():
        for role, status in zip(ROLES, expected, strict=True):
            if status is None:
                continue
            record_id = world.records[role][scope][kind]
            response = world.client(role).get(READ_PATHS[kind].format(id=record_id))
            seen[(scope, role)] = response.status_code
    expected_table = {(scope, role): status for scope, row in RECORD_READS[kind].items()
                      for role, status in zip(ROLES, row, strict=True) if status is not None}
    assert seen == expected_table


def _request(client, operation: str, world: World):
    method, path = operation.split(" ", 1)
    url = path + QUERY.get(operation, "")
    if operation == "POST /sync":
        return client.post(url, e.batch(e.encounter()))
    if operation == "POST /persons/{kept_id}/merge":
        kept, duplicate = e.person(), e.person()
        phone = world.make_client().sign_in_as(world.teammate)
        assert e.statuses(phone.post("/sync", e.batch(kept, duplicate))) == ["created"] * 2
        return client.post(f"/persons/{kept['id']}/merge", {"duplicate_id": duplicate["id"], "reason": "Same person."})
    if operation == "POST /tables":
        return client.post(url, {"name": f"Matrix table {method}-{id(client)}"})
    if operation == "POST /push/subscriptions":
        return client.post(url, {"endpoint": "https://fcm.googleapis.com/fcm/send/matrix-" + method,
                                 "keys": _push_keys()})
    if operation == "DELETE /push/subscriptions":
        client.post("/push/subscriptions", {"endpoint": "https://fcm.googleapis.com/fcm/send/matrix-del",
                                            "keys": _push_keys()})
        return client.delete(url, {"endpoint": "https://fcm.googleapis.com/fcm/send/matrix-del"})
    if path == "/healthz":
        return client.client.get("/healthz")
    if operation == "POST /auth/password":
        return client.post(url, {"current_password": factories.PASSWORD, "new_password": "matrix-lantern-quiet-88"})
    if operation == "POST /users":
        return client.post(url, {"username": f"matrix{factories.new_id()[:8]}", "role": "officer"})
    if operation == "GET /users/{user_id}":
        return client.get(f"/users/{world.teammate.id}")
    if operation == "PATCH /users/{user_id}":
        return client.patch(f"/users/{world.teammate.id}", {"display_name": "Matrix Name"})
    if operation == "POST /users/{user_id}/reset-password":
        return client.post(f"/users/{world.stranger.id}/reset-password")
    if operation in ("POST /teams", "POST /agencies", "POST /sites"):
        return client.post(url, {"name": f"Matrix {factories.new_id()[:8]}", "kind": "shelter"}
                           if path == "/sites" else {"name": f"Matrix {factories.new_id()[:8]}"})
    if operation == "PATCH /teams/{team_id}":
        return client.patch(f"/teams/{world.teammate.team_id}", {"division": "Matrix"})
    if operation == "PATCH /agencies/{agency_id}":
        return client.patch(f"/agencies/{world.agency_y.id}", {"phone": "780-555-0100"})
    if operation == "PATCH /sites/{site_id}":
        return client.patch(f"/sites/{factories.make_site(world.agency_y).id}", {"address": "Matrix"})
    if operation == "POST /users/import":
        return client.post(url, {"users": [{"username": f"matrix{factories.new_id()[:8]}", "role": "officer"}]})
    return client.get(url)


def _push_keys() -> dict[str, str]:
    import base64
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {"p256dh": b64(point), "auth": b64(os.urandom(16))}


@pytest.mark.parametrize("operation", list(ENDPOINTS))
def test_endpoints_by_role(world, operation):
    answers = {role: _request(world.client(role), operation, world).status_code for role in ROLES}
    assert answers == dict(zip(ROLES, ENDPOINTS[operation], strict=True))


@pytest.mark.parametrize("path, kind", [("/encounters", "encounter"), ("/referrals", "referral"),
                                        ("/cases", "case"), ("/persons?q=", "person")])
def test_lists_never_hold_records_the_caller_may_not_read(world, path, kind):
    for role in ("officer", "navigator"):
        body = world.client(role).get(path).get_json()
        items = body["items"] if isinstance(body, dict) else body
        listed = {item["id"] for item in items}
        for scope, row in RECORD_READS[kind].items():
            if row[ROLES.index(role)] == 404:
                assert world.records[role][scope][kind] not in listed, (role, scope)


def test_the_changes_feed_never_holds_records_the_caller_may_not_read(world):
    for role in ("officer", "navigator"):
        feed = world.client(role).get("/sync/changes").get_json()
        for kind, key in (("person", "persons"), ("referral", "referrals"), ("case", "cases")):
            listed = {item["id"] for item in feed[key]}
            for scope, row in RECORD_READS[kind].items():
                if row[ROLES.index(role)] == 404:
                    assert world.records[role][scope][kind] not in listed, (role, kind, scope)


#                       officer  navigator  supervisor  admin (admins make no field changes: 403, as on /sync)
REFERRAL_MOVES = {
    ("other", "withdrawn"): (404, 404, 200, 403),
    ("agency", "accepted"): (404, 200, 403, 403),
    ("team", "withdrawn"):  (200, 200, 200, 403),
}


@pytest.mark.parametrize("scope, status", list(REFERRAL_MOVES))
def test_referral_moves_by_role(db, make_client, scope, status):
    answers = {}
    for role in ROLES[:4]:  # no anonymous column: a move needs a signed-in user
        world = _fresh_world(make_client)  # each move needs a pending referral
        referral_id = world.records[role][scope]["referral"]
        answers[role] = world.client(role).patch(f"/referrals/{referral_id}", {"status": status}).status_code
    assert answers == dict(zip(ROLES[:4], REFERRAL_MOVES[(scope, status)], strict=True))


#                        officer  navigator  supervisor  admin (admins make no field changes)
PERSON_UPDATES = {
    ("team", "gender"):       (200, 200, 200, 403),
    ("agency", "gender"):     (404, 200, 200, 403),  # the agency sees the person masked: may set gender...
    ("agency", "given_name"): (404, 403, 200, 403),  # ...but not who the person is
    ("other", "gender"):      (404, 404, 200, 403),
}


@pytest.mark.parametrize("scope, field", list(PERSON_UPDATES))
def test_person_updates_by_role(world, scope, field):
    answers = {}
    for role in ROLES[:4]:
        person_id = world.records[role][scope]["person"]
        version = world.client("supervisor").get(f"/persons/{person_id}").get_json()["version"]
        answers[role] = world.client(role).patch(f"/persons/{person_id}",
                                                 {"base_version": version, field: "Matrix"}).status_code
    assert answers == dict(zip(ROLES[:4], PERSON_UPDATES[(scope, field)], strict=True))


def _fresh_world(make_client) -> World:
    w = World(make_client)
    team = w.make_records(w.teammate, refer_to=w.agency_y)
    other = w.make_records(w.stranger, refer_to=w.agency_y)
    agency = w.make_records(w.stranger, refer_to=w.agency_x)
    for role in ROLES:
        w.records.setdefault(role, {}).update({"team": team, "other": other, "agency": agency})
    return w


#                officer  navigator  supervisor  admin (the author or a supervisor corrects; admins log nothing)
ENCOUNTER_CORRECTIONS = {
    "own":   (200, 200, 200, X),
    "team":  (403, 403, 200, 403),
    "other": (404, 404, 200, 403),
}
CORRECTION_REQUESTS = {
    "PATCH /encounters/{id}": {"base_version": 1, "reason": "Typo.", "notes": "Corrected."},
    "POST /encounters/{id}/void": {"reason": "Logged twice."},
}


@pytest.mark.parametrize("operation", list(CORRECTION_REQUESTS))
@pytest.mark.parametrize("scope", list(ENCOUNTER_CORRECTIONS))
def test_encounter_corrections_by_role(db, make_client, operation, scope):
    answers = {}
    for role in ROLES[:4]:
        if ENCOUNTER_CORRECTIONS[scope][ROLES.index(role)] is None:
            continue
        world = _fresh_world(make_client)  # each correction needs an encounter at version 1
        if scope == "own":
            world.records[role]["own"] = world.make_records(world.users[role], refer_to=world.agency_y)
        method, path = operation.split(" ", 1)
        url = path.format(id=world.records[role][scope]["encounter"])
        client = world.client(role)
        send = client.patch if method == "PATCH" else client.post
        answers[role] = send(url, CORRECTION_REQUESTS[operation]).status_code
    expected = {role: status for role, status in zip(ROLES[:4], ENCOUNTER_CORRECTIONS[scope], strict=True)
                if status is not None}
    assert answers == expected


# The same rules for the entry types over /sync: what a phone is told per role and scope.
SYNC_ANSWERS = {200: ("created", None), 403: ("rejected", "forbidden"), 404: ("rejected", "not_found")}


def _sync_answer(client, entry) -> tuple:
    response = client.post("/sync", e.batch(entry))
    if response.status_code != 200:  # admins log no field entries: the batch itself is refused
        return response.status_code
    [result] = response.get_json()["results"]
    return result["status"], (result.get("error") or {}).get("code")


@pytest.mark.parametrize("scope, field", list(PERSON_UPDATES))
def test_person_update_entries_by_role(world, scope, field):
    answers, expected = {}, {}
    for role, status in zip(ROLES[:4], PERSON_UPDATES[(scope, field)], strict=True):
        person_id = world.records[role][scope]["person"]
        version = world.client("supervisor").get(f"/persons/{person_id}").get_json()["version"]
        answers[role] = _sync_answer(world.client(role), e.person_update(person_id, version, **{field: "Matrix"}))
        expected[role] = 403 if role == "admin" else SYNC_ANSWERS[status]
    assert answers == expected


@pytest.mark.parametrize("entry_type", ["encounter_amend", "encounter_void"])
@pytest.mark.parametrize("scope", list(ENCOUNTER_CORRECTIONS))
def test_encounter_correction_entries_by_role(db, make_client, entry_type, scope):
    answers, expected = {}, {}
    for role, status in zip(ROLES[:4], ENCOUNTER_CORRECTIONS[scope], strict=True):
        if status is None:
            continue
        world = _fresh_world(make_client)  # each correction needs an encounter at version 1
        if scope == "own":
            world.records[role]["own"] = world.make_records(world.users[role], refer_to=world.agency_y)
        encounter_id = world.records[role][scope]["encounter"]
        entry = (e.encounter_amend(encounter_id, 1, notes="Corrected.") if entry_type == "encounter_amend"
                 else e.encounter_void(encounter_id))
        answers[role] = _sync_answer(world.client(role), entry)
        expected[role] = 403 if role == "admin" else SYNC_ANSWERS[status]
    assert answers == expected
