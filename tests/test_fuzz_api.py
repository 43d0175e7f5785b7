"""Schemathesis over the whole OpenAPI document: no server errors, responses match the spec,
schema-invalid data rejected.

Every operation gets generated requests (fixed seed) as a signed-in supervisor with a CSRF token,
first schema-valid ones, then schema-invalid ones. "Valid data must be accepted" is left out: some
checks cannot be written in a schema (a push key must be a P-256 point, a person must exist), and
those answers are 400 by design.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support import factories

FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
# Signing out would end the session the other operations run in, and signing in with generated
# credentials answers 401 by design; tests/test_auth.py covers both.
LEFT_OUT = {"POST /api/v1/auth/logout", "POST /api/v1/auth/login"}


def _takes_input(operation) -> bool:
    """Invalid data needs something to make invalid: a parameter or a body."""
    definition = operation.definition.raw
    return bool(definition.get("parameters") or definition.get("requestBody") or operation.path_parameters)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_operation_answers_without_server_errors_and_as_documented(app, client, db, mode):
    agency = factories.make_agency()
    factories.make_site(agency)
    client.sign_in_as(factories.make_user("supervisor", team=factories.make_team()))
    cookie = client.client.get_cookie("help_session", domain="localhost").value
    headers, cookies = {"X-CSRF-Token": client.csrf}, {"help_session": cookie}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.label not in LEFT_OUT]
    if mode is GenerationMode.NEGATIVE:
        operations = [op for op in operations if _takes_input(op)]
    failures: dict[str, str] = {}
    statuses: set[int] = set()
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @FUZZ
        def exercise(case):
            response = case.call_and_validate(headers=headers, cookies=cookies,
                                              excluded_checks=[positive_data_acceptance])
            statuses.add(response.status_code)

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
