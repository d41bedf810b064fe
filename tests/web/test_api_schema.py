"""The HTTP API against its own OpenAPI schema, with schemathesis: no server error, answers as described."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import start_server, stop_server


@pytest.fixture(scope="module")
def api_schema(examples_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store = tmp_path_factory.mktemp("schema") / "news.db"
    store.write_bytes(examples_store.read_bytes())
    running = start_server(store, max_jobs=2)
    try:
        yield schemathesis.openapi.from_url(f"{running.url}/api/v1/openapi.json")
    finally:
        stop_server(running)


def test_api_conforms_to_its_schema(api_schema: Any) -> None:
    """Every operation, 40 generated requests each (same ones every run): no 500, answers as the schema says."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v1/stories", "/api/v1/stories/{story_id}", "/api/v1/jobs"}
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case: Any) -> None:
            case.call_and_validate(
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_headers_conformance,
                    response_schema_conformance,
                ]
            )

        try:
            check()
        except Exception as error:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
