"""The OpenAPI document declares the problem statuses each operation really gives: provoked
here for a sample of operations, each answer's status must be among the operation's responses."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def ctx(seed, client):  # type: ignore[no-untyped-def]
    t = seed.tenant("acme", {"brand": None})
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    doc = client.get("/api/v1/openapi.json").get_json()
    return t, {"Authorization": f"Bearer {token}"}, doc


def _declared(doc, method: str, path: str) -> set[int]:  # type: ignore[no-untyped-def]
    return {int(code) for code in doc["paths"][path][method]["responses"]}


def _provoked(resp, doc, method: str, path: str, status: int) -> None:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert status in _declared(doc, method, path), (method, path, status)
    if status >= 400:
        assert resp.mimetype == "application/problem+json"
        assert "Problem" in json.dumps(doc["paths"][path][method]["responses"][str(status)])


def test_a_json_write_declares_and_gives_400_401_413_415_and_422(ctx, client):
    t, auth, doc = ctx
    url, path = f"/api/v1/tenants/{t.id}/org-units", "/api/v1/tenants/{tenant_id}/org-units"
    ok = {"name": "Coffee", "parent_id": t.root.id}
    _provoked(client.post(url, data="{", content_type="application/json", headers=auth), doc, "post", path, 400)
    _provoked(client.post(url, json=ok), doc, "post", path, 401)
    _provoked(client.post(url, data=json.dumps({**ok, "name": "x" * 1_100_000}), content_type="application/json",
                          headers=auth), doc, "post", path, 413)
    _provoked(client.post(url, data="name=x", content_type="application/x-www-form-urlencoded", headers=auth),
              doc, "post", path, 415)
    _provoked(client.post(url, json={**ok, "name": "a\u0000"}, headers=auth), doc, "post", path, 422)
    _provoked(client.post(url, json={**ok, "kind": 7}, headers=auth), doc, "post", path, 422)


def test_a_list_declares_and_gives_400_for_a_forged_cursor_but_no_413_or_415(ctx, client):
    t, auth, doc = ctx
    url, path = f"/api/v1/tenants/{t.id}/org-units", "/api/v1/tenants/{tenant_id}/org-units"
    _provoked(client.get(url, query_string={"cursor": "!!forged"}, headers=auth), doc, "get", path, 400)
    _provoked(client.get(url, query_string={"limit": "0"}, headers=auth), doc, "get", path, 422)
    _provoked(client.get("/api/v1/tenants/ten_aaaaaaaaaaaaaaaaaaaaaaaaaa/org-units", headers=auth),
              doc, "get", path, 404)
    assert not {413, 415} & _declared(doc, "get", path)


def test_link_token_endpoints_declare_and_give_403_for_a_forged_token(ctx, client):
    _, _, doc = ctx
    _provoked(client.get("/api/v1/media/forged"), doc, "get", "/api/v1/media/{token}", 403)
    _provoked(client.get("/api/v1/external-reviews/forged"), doc, "get", "/api/v1/external-reviews/{token}", 403)
    _provoked(client.post("/api/v1/external-reviews/forged/decision", json={"decision": "approve"}),
              doc, "post", "/api/v1/external-reviews/{token}/decision", 403)
    assert 401 not in _declared(doc, "get", "/api/v1/media/{token}")  # the link is the credential


def test_sign_in_declares_and_gives_401_for_wrong_credentials(ctx, client):
    _, _, doc = ctx
    r = client.post("/api/v1/auth/password", json={"tenant": "acme", "email": "admin@acme.test",
                                                   "password": "not the password", "token_name": "t"})
    _provoked(r, doc, "post", "/api/v1/auth/password", 401)
    assert 429 in _declared(doc, "post", "/api/v1/auth/password")


def test_every_operation_declares_the_edge_refusals(ctx):
    _, _, doc = ctx
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            codes = {int(c) for c in op["responses"]}
            assert {400, 422} <= codes, (method, path)
            if "requestBody" in op:
                assert {413, 415} <= codes, (method, path)
            if "security" in op:
                assert {401, 403} <= codes, (method, path)
