"""Fuzz /api/v1 with schemathesis from its own OpenAPI document, as an admin and as a requester.

Bounded: a few generated cases per operation, derandomised (the same cases every run, so CI is
repeatable). Checks: never a 5xx, the status is one the document lists, the content type and the
body match the document (errors are the documented error shape). Every call is sent with
X-Matrix-Dry and rolled back, so the world stays as built. SQLite only: the API code is the same on
both backends and the matrix covers PostgreSQL; the fuzz budget goes to more cases instead.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.security.conftest import DRY

EXAMPLES = 30
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("who", ["admin", "owner"])
def test_api_fuzz(world_app, world, who):
    if world_app.config["BACKEND"] != "sqlite":
        pytest.skip("fuzzed on SQLite only (same API code; the matrix covers PostgreSQL)")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world_app)
    headers = {"Authorization": f"Bearer {world.tokens[who]}", **DRY}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's first failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
