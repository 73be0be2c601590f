"""Bad input gets a clear 4xx problem document (RFC 9457) and changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture
def ctx(seed, api):  # type: ignore[no-untyped-def]
    t = seed.tenant("acme", {"brand": None})
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    return t, api(token), token


def _problem(resp, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    assert "Traceback" not in resp.get_data(as_text=True)
    return body


def _units(admin, t) -> int:  # type: ignore[no-untyped-def]
    return len(admin.get(f"tenants/{t.id}/org-units", query_string={"include_archived": "true"}).get_json()["items"])


def test_malformed_json_is_a_400_naming_the_problem(ctx, client):
    t, _admin, token = ctx
    r = client.post(f"/api/v1/tenants/{t.id}/org-units", data='{"name": "x",', content_type="application/json",
                    headers={"Authorization": f"Bearer {token}"})
    assert "not valid JSON" in _problem(r, 400)["detail"]


def test_a_body_that_is_not_json_is_a_415(ctx, client):
    t, _, token = ctx
    r = client.post(f"/api/v1/tenants/{t.id}/org-units", data="name=x",
                    content_type="application/x-www-form-urlencoded", headers={"Authorization": f"Bearer {token}"})
    _problem(r, 415)


def test_a_json_array_is_refused_as_not_an_object(ctx):
    t, admin, _ = ctx
    _problem(admin.post(f"tenants/{t.id}/org-units", [1, 2]), 422)


def test_wrong_types_unknown_fields_and_huge_strings_name_each_field(ctx):
    t, admin, _ = ctx
    before = _units(admin, t)
    r = admin.post(f"tenants/{t.id}/org-units",
                   {"parent_id": t.root.id, "name": "x" * 10_000, "kind": 7, "colour": "red", "time_zone": "Mars/Base"})
    errors = _problem(r, 422)["errors"]
    assert set(errors) == {"name", "kind", "colour", "time_zone"}
    assert errors["colour"] == ["Unknown field."]
    assert _units(admin, t) == before


def test_a_body_over_the_size_limit_is_a_413(ctx, client):
    t, _, token = ctx
    big = json.dumps({"parent_id": t.root.id, "name": "x" * (1_100_000)})
    r = client.post(f"/api/v1/tenants/{t.id}/org-units", data=big, content_type="application/json",
                    headers={"Authorization": f"Bearer {token}"})
    _problem(r, 413)


@pytest.mark.parametrize("path", ["org-units/unit_aaaaaaaaaaaaaaaaaaaaaaaaaa", "social-accounts/nope",
                                  "users/usr_aaaaaaaaaaaaaaaaaaaaaaaaaa", "plugins/no_such_plugin"])
def test_unknown_ids_are_404(ctx, path):
    t, admin, _ = ctx
    _problem(admin.get(f"tenants/{t.id}/{path}"), 404)


def test_unknown_tenant_and_unknown_route_are_404(ctx):
    _, admin, _ = ctx
    _problem(admin.get("tenants/ten_aaaaaaaaaaaaaaaaaaaaaaaaaa/org-units"), 404)
    _problem(admin.get("/api/v1/nothing-here"), 404)


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "1000"}, {"limit": "ten"}, {"colour": "red"}])
def test_bad_query_parameters_are_422(ctx, query):
    t, admin, _ = ctx
    _problem(admin.get(f"tenants/{t.id}/org-units", query_string=query), 422)


def test_a_forged_cursor_is_a_400(ctx):
    t, admin, _ = ctx
    _problem(admin.get(f"tenants/{t.id}/org-units", query_string={"cursor": "!!not-a-cursor"}), 400)


def test_missing_or_garbage_tokens_are_401(ctx, api):
    t, _, _ = ctx
    assert "Bearer" in _problem(api(None).get(f"tenants/{t.id}/org-units"), 401)["detail"]
    for garbage in ("nonsense", "hrd.tok_x.y", "hrd." + "a" * 500 + ".b"):
        assert "invalid" in _problem(api(garbage).get(f"tenants/{t.id}/org-units"), 401)["detail"]


def test_a_wrong_method_is_a_405_problem(ctx):
    t, admin, _ = ctx
    _problem(admin.request("PUT", f"tenants/{t.id}/org-units"), 405)


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["parent_id", "name", "kind", "time_zone", "x"]), _json, max_size=5))
def test_any_json_body_gets_a_201_or_a_4xx_problem_never_a_500(ctx, body):
    t, admin, _ = ctx
    r = admin.post(f"tenants/{t.id}/org-units", body)
    assert r.status_code == 201 or (400 <= r.status_code < 500 and r.mimetype == "application/problem+json"), \
        (body, r.status_code, r.get_data(as_text=True))
