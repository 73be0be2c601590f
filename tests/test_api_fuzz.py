"""Fuzzing the whole OpenAPI document with schemathesis: every operation, valid and invalid
input, signed in with a real token of a tenant administrator. No answer may be a 5xx, and every
status must be one the document declares for the operation.

The budget is small and the run derandomized, so CI is quick and reproducible;
``HERALD_FUZZ_EXAMPLES=200`` (per operation and mode) runs a deeper search."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

EXAMPLES = int(os.environ.get("HERALD_FUZZ_EXAMPLES", "3"))


@pytest.fixture
def world(seed) -> tuple[dict[str, str], str]:  # type: ignore[no-untyped-def]
    t = seed.tenant("acme", {"brand": None})
    admin, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    # Real ids for the path parameters that name them, so that cases reach the views.
    return {"tenant_id": t.id, "unit_id": t.root.id, "parent_id": t.root.id, "user_id": admin.id}, token


def _strategies(schema: Any) -> list[tuple[Any, GenerationMode, Any]]:
    found = []
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            found.append((op, mode, op.as_strategy(generation_mode=mode)))
    return found


def _fuzz(op: Any, mode: GenerationMode, strategy: Any, known: dict[str, str], token: str,
          failures: dict[tuple[str, str, int], str]) -> None:
    declared = set(op.definition.raw["responses"])

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy, data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        for name in list(case.path_parameters or {}):
            if name in known and data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = known[name]
        resp = case.call(headers={"Authorization": f"Bearer {token}"})
        if resp.status_code >= 500 or str(resp.status_code) not in declared:
            failures.setdefault((op.method.upper(), op.path, resp.status_code),
                                f"{case.as_curl_command()}\n{resp.text[:300]}")

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise  # an operation without inputs has no invalid ones: only the negative mode may find none


def test_no_operation_answers_a_5xx_or_an_undeclared_status(app, world) -> None:  # type: ignore[no-untyped-def]
    known, token = world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: dict[tuple[str, str, int], str] = {}
    for op, mode, strategy in _strategies(schema):
        _fuzz(op, mode, strategy, known, token, failures)
    assert not failures, "\n\n".join(f"{m} {p} → {s}\n{detail}" for (m, p, s), detail in failures.items())
