"""schemathesis against the served OpenAPI schema: generated requests to every operation,
as a user the operation's access rule lets in, must never meet a 5xx, and every response
must match the schema (status codes, content types, bodies).

One world for the module (SQLite; the authorization and record tests cover PostgreSQL):
building one per generated example would take hours.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case

from .conftest import AS_USER, World

pytestmark = pytest.mark.slow


def test_every_operation_answers_within_its_schema(module_world: World) -> None:
    # schemathesis's own pytest plugin does not run under pytest 9, so each operation's
    # strategy is driven through Hypothesis here; the checks are schemathesis's.
    schema = schemathesis.openapi.from_asgi("/openapi.json", module_world.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        rule = operation.definition.raw.get("x-access", "")
        _checker(operation, module_world.as_(AS_USER.get(rule, "clerkA")))()


def _checker(operation: Any, headers: dict[str, str]) -> Any:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: CI is not a lottery
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Case) -> None:
        case.call_and_validate(headers={**(case.headers or {}), **headers})

    return check
