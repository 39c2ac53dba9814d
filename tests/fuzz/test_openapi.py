"""Schema-driven fuzz (schemathesis) over every service's live OpenAPI: no 5xx, no answer that breaks its schema.

Each operation is its own test: positive and negative cases generated from the OpenAPI document, sent over
real HTTP to the app served in-process (PostgreSQL, Redis, RabbitMQ behind it) as one of seven principals,
sometimes with the ids of seeded rows. Checks: no server error, documented status code and content type,
body valid against the documented response schema, and invalid input rejected with a 4xx.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from shared.settings import Settings
from tests.fuzz.conftest import SKIPPED_PATHS, FuzzSchema, Services, fuzz_schema

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
EXAMPLES = 30  # per operation, positive and negative together: the module stays under 3 minutes
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck), print_blob=False)


def _operations(service: str) -> list[Any]:
    """(service, method, path) of every operation, read from the app's OpenAPI without starting it."""
    module = __import__(f"services.{service}.app", fromlist=["create_app"])
    document = module.create_app(Settings(env="test", namespace="fuzzcollect")).openapi()
    return [
        pytest.param(service, method.upper(), path, id=f"{service}:{method.upper()} {path}")
        for path, methods in document["paths"].items() if path not in SKIPPED_PATHS
        for method in methods
    ]


OPERATIONS = [*_operations("submission"), *_operations("tally"), *_operations("awards")]


@pytest.fixture(scope="module")
def schemas(services: Services) -> dict[str, FuzzSchema]:
    return {name: fuzz_schema(services, getattr(services, name)) for name in ("submission", "tally", "awards")}


@pytest.mark.parametrize(("service", "method", "path"), OPERATIONS)
def test_operation_answers_every_generated_request_within_its_schema(
    schemas: dict[str, FuzzSchema], service: str, method: str, path: str,
) -> None:
    fuzz_schema = schemas[service]
    operation = fuzz_schema.schema[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, hooks=fuzz_schema.positive_hooks),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @FUZZ
    @given(case=cases)
    def fuzz(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    fuzz()
