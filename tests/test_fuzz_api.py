"""Fuzzing the API from its own OpenAPI document: no 5xx, and every answer matches its schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 15
CHECKS = [not_a_server_error, response_schema_conformance]


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_survives_generated_requests(app, staff, demo):
    headers = staff.headers("admin")
    ops = operations(app)
    assert len(ops) >= 20, "the document lists the API"
    calls = []
    for operation in ops:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case):
            if "Authorization" not in (case.headers or {}):
                case.headers = {**(case.headers or {}), **headers}
            response = case.call_and_validate(app=app, checks=CHECKS)
            calls.append(response.status_code)

        try:
            check()
        except BaseException as failure:  # schemathesis reports failures as a group
            if isinstance(failure, KeyboardInterrupt):
                raise
            pytest.fail(f"{operation.label}: {failure}", pytrace=False)
    assert len(calls) >= len(ops) * 5
    assert any(200 <= status < 300 for status in calls)
