"""Schemathesis over the whole OpenAPI document: no server errors, responses match the spec,
schema-invalid data rejected.

Every operation gets generated requests (fixed seed) as a signed-in supervisor with a CSRF token,
first schema-valid ones, then schema-invalid ones, then hostile ones: valid requests whose every text
and time is swapped for a value a schema does not rule out but the server must (a lone surrogate,
a NUL, year 1 or 9999, a body nested hundreds deep). "Valid data must be accepted" is left out: some
checks cannot be written in a schema (a push key must be a P-256 point, a person must exist), and
those answers are 400 by design.
"""

import json
import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from testkit import factories

FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
# Signing out would end the session the other operations run in, and signing in with generated
# credentials answers 401 by design; tests/test_auth.py covers both.
LEFT_OUT = {"POST /api/v1/auth/logout", "POST /api/v1/auth/login"}
# The spec types each /sync entry (a oneOf on `type`), but the contract answers a bad entry 200 with that
# entry rejected, not 400: a schema-violating batch must come back 4xx or with an entry rejected.
PER_ENTRY_REJECTION = "POST /api/v1/sync"
HOSTILE_TEXT = st.sampled_from(["\ud800", "left\udfffright", "a\x00b", "\x00"])
HOSTILE_QUERY_TEXT = st.sampled_from(["a\x00b", "\x00"])  # a URL cannot carry a lone surrogate
HOSTILE_MOMENTS = st.sampled_from(["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59-12:00",
                                   "1899-12-31T23:59:59+00:00"])
HOSTILE_DAYS = st.sampled_from(["0001-01-05", "9999-12-31", "9999-12-30"])
HOSTILE = "hostile"


def _hostile(value: Any, draw, text=HOSTILE_TEXT) -> Any:
    """The same request shape with every text and time swapped for a hostile value."""
    if isinstance(value, dict):
        return {k: _hostile(v, draw, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_hostile(v, draw, text) for v in value]
    if isinstance(value, str):
        if re.match(r"^\d{4}-\d{2}-\d{2}T", value):
            return draw(HOSTILE_MOMENTS)
        if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            return draw(HOSTILE_DAYS)
        return draw(text)
    return value


def _nested(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = {"location": value}
    return value


def _send_hostile(client, case, draw, headers: dict[str, str]) -> int:
    """Send the generated request made hostile, written by hand (a JSON library refuses to write a lone
    surrogate as UTF-8, so the body goes as the escapes a hostile client would send). The answer must
    be the one error shape or a 2xx, never a 5xx."""
    query = _hostile(case.query, draw, HOSTILE_QUERY_TEXT) if isinstance(case.query, dict) else None
    body = None
    if isinstance(case.body, (dict, list)):
        body = _hostile(case.body, draw)
        if draw(st.booleans()):
            body = _nested(body, draw(st.sampled_from([40, 400])))
    response = client.client.open(
        case.formatted_path, method=case.method, query_string=query, headers=headers,
        data=None if body is None else json.dumps(body), content_type="application/json")
    assert response.status_code < 500, (case.method, case.formatted_path, response.get_json())
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert set(error) <= {"code", "message", "fields"} and error["code"] and error["message"]
    return response.status_code


def _takes_input(operation) -> bool:
    """Invalid data needs something to make invalid: a parameter or a body."""
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody") or operation.path_parameters)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE, HOSTILE],
                         ids=["valid", "invalid", "hostile"])
def test_every_operation_answers_without_server_errors_and_as_documented(app, client, db, mode):
    agency = factories.make_agency()
    factories.make_site(agency)
    client.sign_in_as(factories.make_user("supervisor", team=factories.make_team()))
    cookie = client.client.get_cookie("help_session", domain="localhost").value
    headers, cookies = {"X-CSRF-Token": client.csrf}, {"help_session": cookie}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.label not in LEFT_OUT]
    if mode is not GenerationMode.POSITIVE:
        operations = [op for op in operations if _takes_input(op)]
    generation = GenerationMode.POSITIVE if mode == HOSTILE else mode
    failures: dict[str, str] = {}
    statuses: set[int] = set()
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=generation), data=st.data())
        @FUZZ
        def exercise(case, data):
            if mode == HOSTILE:
                statuses.add(_send_hostile(client, case, data.draw, headers))
                return
            per_entry = mode is GenerationMode.NEGATIVE and operation.label == PER_ENTRY_REJECTION  # noqa: B023 (run in this iteration)
            excluded = [positive_data_acceptance] + ([negative_data_rejection] if per_entry else [])
            response = case.call_and_validate(headers=headers, cookies=cookies, excluded_checks=excluded)
            statuses.add(response.status_code)
            if per_entry and response.status_code < 400:
                results = response.json()["results"]
                assert any(r["status"] == "rejected" for r in results), f"schema-violating batch stored: {results}"

        try:
            exercise()
        except Exception as exc:  # noqa: BLE001  (collect every operation's failure, then report)
            failures[operation.label] = f"{type(exc).__name__}: {str(exc)[:1500]}"
    assert len(operations) >= 15
    assert failures == {}
    assert not any(s >= 500 for s in statuses)
    if mode is GenerationMode.POSITIVE:
        assert 200 in statuses and 401 not in statuses  # really signed in, really exercised
    else:
        assert 400 in statuses
    if mode == HOSTILE:
        assert 200 in statuses  # /sync answers 200 with each hostile entry rejected
