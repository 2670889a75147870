"""Fuzzing the API from its own OpenAPI document: no 5xx, and every answer matches its schema.

Every operation gets valid requests and invalid ones (schemathesis's positive and negative
modes: values past each documented limit, wrong types, missing fields), with NUL bytes
allowed in every generated string, on each database under test. `tests/abuse/test_input.py`
sends NUL in every path parameter and body string, and boundary integers in every integer
field, explicitly rather than by chance.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 15
CHECKS = [not_a_server_error, response_schema_conformance]


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.config.generation.update(allow_x00=True)  # NUL in strings, as attackers send
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_survives_generated_requests(app, staff, demo):
    headers = staff.headers("admin")
    ops = operations(app)
    assert len(ops) >= 20, "the document lists the API"
    calls = []
    for operation in ops:
        strategy = (operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
                    | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @given(case=strategy)
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
    assert any(400 <= status < 500 for status in calls)
