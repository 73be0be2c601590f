"""Hostile input gets its precise 4xx at the edge — the same on SQLite and PostgreSQL — with no
traceback logged and nothing written, on the API and on the unauthenticated pages alike."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import fake_idp
import pytest
from sqlalchemy import func, select

from herald.db.base import Base

DEEP = "[" * 10_000 + "]" * 10_000
HTML = {"Accept": "text/html"}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[list[logging.LogRecord]]:
    """Every log record of the test (the suite runs without pytest's logging plugin)."""
    handler, root = _Records(), logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


@pytest.fixture
def acme(seed, register_plugin):  # type: ignore[no-untyped-def]
    register_plugin(fake_idp.plugin(), "fakeidp")
    t = seed.tenant("acme", {"brand": None})
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    return t, token


def _rows(herald_runtime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with herald_runtime.db.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def _json_cases(body_ok: dict[str, Any]) -> list[tuple[str, dict[str, Any], int, str]]:
    """(name, request arguments, status, problem slug) for a JSON endpoint accepting ``body_ok``."""
    key = next(iter(body_ok))

    def with_value(raw_value: str) -> str:
        return json.dumps(body_ok)[:-1] + f', "x_{key}": 1, "{key}": {raw_value}}}'

    return [
        ("NUL in a JSON string", {"data": json.dumps({**body_ok, key: "a\u0000b"})}, 422, "validation-failed"),
        ("\\u0000 escape", {"data": with_value('"a\\u0000b"')}, 422, "validation-failed"),
        ("NUL in a member name", {"data": json.dumps({**body_ok, "a\u0000": 1})}, 422, "validation-failed"),
        ("lone surrogate", {"data": with_value('"a\\ud800b"')}, 422, "validation-failed"),
        ("raw NUL byte", {"data": with_value('"a\x00b"')}, 400, "bad-request"),
        ("invalid UTF-8", {"data": json.dumps(body_ok).encode()[:-1] + b', "y": "\xff\xfe"}'}, 400,
         "invalid-encoding"),
        ("10,000 levels of nesting", {"data": DEEP}, 400, "json-too-deep"),
        ("nested objects", {"data": '{"a":' * 10_000 + "1" + "}" * 10_000}, 400, "json-too-deep"),
        ("NaN", {"data": with_value("NaN")}, 400, "bad-request"),
        ("huge integer", {"data": with_value("1" + "0" * 40)}, 400, "bad-request"),
        ("huge body", {"data": json.dumps({**body_ok, key: "x" * 1_100_000})}, 413, "request-entity-too-large"),
        ("wrong content type", {"data": json.dumps(body_ok), "content_type": "text/plain"}, 415,
         "unsupported-media-type"),
        ("JSON in another charset", {"data": json.dumps(body_ok), "content_type": "application/json; charset=utf-16"},
         415, "unsupported-media-type"),
        ("NUL in a query value", {"data": json.dumps(body_ok), "query_string": "q=a%00b"}, 422, "validation-failed"),
        ("invalid UTF-8 in a query value", {"data": json.dumps(body_ok), "query_string": "q=%ff"}, 400,
         "invalid-encoding"),
        ("NUL in a header", {"data": json.dumps(body_ok), "headers": {"User-Agent": "a\x00b"}}, 400,
         "forbidden-character"),
    ]


def _problem(resp, status: int, slug: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/problem+json", resp.mimetype
    body = json.loads(resp.get_data())  # the standard parser: the document may quote the NUL it refused
    assert body["status"] == status and body["type"].endswith("/" + slug), body
    return body


def _no_traceback(logged: list[logging.LogRecord]) -> None:
    bad = [r for r in logged if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [r.getMessage() for r in bad]


UNAUTHENTICATED_JSON = [
    ("/api/v1/auth/password", {"tenant": "acme", "email": "admin@acme.test", "password": "x" * 12, "token_name": "t"}),
    ("/api/v1/auth/sessions", {"tenant": "acme", "email": "admin@acme.test", "password": "x" * 12}),
    ("/api/v1/auth/password-reset", {"tenant": "acme", "email": "admin@acme.test"}),
    ("/api/v1/auth/password-reset/complete", {"token": "hrd.link", "password": "x" * 16}),
]


@pytest.mark.parametrize("path,body", UNAUTHENTICATED_JSON, ids=[p for p, _ in UNAUTHENTICATED_JSON])
def test_unauthenticated_json_endpoints_refuse_hostile_bodies_precisely(path, body, acme, client, herald_runtime,
                                                                        logged):
    before = _rows(herald_runtime)
    for name, kwargs, status, slug in _json_cases(body):
        kwargs = {"content_type": "application/json", **kwargs}
        body_out = _problem(client.post(path, **kwargs), status, slug)
        if status == 422:
            assert body_out["errors"], name
    assert _rows(herald_runtime) == before
    _no_traceback(logged)


def test_an_authenticated_json_endpoint_refuses_hostile_bodies_and_names_the_field(acme, client, herald_runtime,
                                                                                  logged):
    t, token = acme
    path = f"/api/v1/tenants/{t.id}/org-units"
    before = _rows(herald_runtime)
    for _name, kwargs, status, slug in _json_cases({"name": "Coffee", "parent_id": t.root.id}):
        kwargs = {"content_type": "application/json", **kwargs,
                  "headers": {"Authorization": f"Bearer {token}", **kwargs.get("headers", {})}}
        _problem(client.post(path, **kwargs), status, slug)
    assert _rows(herald_runtime) == before
    r = client.post(path, json={"name": "a\u0000b", "parent_id": t.root.id},
                    headers={"Authorization": f"Bearer {token}"})
    assert _problem(r, 422, "validation-failed")["errors"] == {"name": ["Must not contain the NUL character (U+0000)."]}
    _no_traceback(logged)


@pytest.mark.parametrize("where", ["tenant", "user", "bearer token", "session cookie", "query cursor"])
def test_nul_in_paths_tokens_and_cookies_is_refused_before_any_database_query(where, acme, client, logged):
    t, token = acme
    auth = {"Authorization": f"Bearer {token}"}
    status, slug = 400, "forbidden-character"
    if where == "tenant":
        r = client.get(f"/api/v1/tenants/{t.id}%00/org-units", headers=auth)
    elif where == "user":
        r = client.get(f"/api/v1/tenants/{t.id}/users/usr%00x", headers=auth)
    elif where == "bearer token":
        r = client.get("/api/v1/me", headers={"Authorization": "Bearer hrd.tok\x00.x"})
    elif where == "session cookie":
        client.set_cookie("herald_session", "abc\x00def")
        r = client.get("/api/v1/me")
    else:
        r = client.get(f"/api/v1/tenants/{t.id}/org-units?cursor=a%00b", headers=auth)
        status, slug = 422, "validation-failed"
        assert _problem(r, status, slug)["errors"] == {"cursor": ["Must not contain the NUL character (U+0000)."]}
    _problem(r, status, slug)
    _no_traceback(logged)


def test_invalid_utf8_in_the_raw_path_is_a_400(acme, client, logged):
    t, token = acme
    r = client.get("/", environ_overrides={"PATH_INFO": f"/api/v1/tenants/{t.id}/users/\xff\xfe"},
                   headers={"Authorization": f"Bearer {token}"})
    _problem(r, 400, "invalid-encoding")
    _no_traceback(logged)


@pytest.mark.parametrize("query,status,slug", [
    ("state=a%00b&code=x", 422, "validation-failed"),
    ("state=x&code=%00", 422, "validation-failed"),
    ("state=%ff%fe&code=x", 400, "invalid-encoding"),
    ("state=%ed%a0%80", 400, "invalid-encoding"),  # a surrogate encoded as UTF-8 is not UTF-8
])
def test_the_connect_callback_refuses_hostile_query_values(query, status, slug, acme, client, herald_runtime, logged):
    before = _rows(herald_runtime)
    _problem(client.get(f"/api/v1/connect/callback?{query}"), status, slug)
    assert _rows(herald_runtime) == before
    _no_traceback(logged)


FORM_PAGES = ["/sign-in/acme", "/sign-in/acme/reset", "/sign-in/acme/invitation", "/sign-in/acme/forgot"]


@pytest.mark.parametrize("path", FORM_PAGES)
def test_sign_in_and_password_pages_answer_a_400_or_422_page_for_hostile_forms(path, acme, client, herald_runtime,
                                                                               logged):
    client.get(path)  # the form-token cookie, as a browser would have it
    before = _rows(herald_runtime)
    cases = [
        ({"data": {"email": "admin@acme.test\x00", "password": "x" * 12}}, 422),
        ({"data": {"email\x00": "x"}}, 422),
        ({"data": b"email=%ff&password=x", "content_type": "application/x-www-form-urlencoded"}, 400),
        ({"data": b"email=\xff&password=x", "content_type": "application/x-www-form-urlencoded"}, 400),
        ({"data": {"email": "a@b.c"}, "query_string": "next=%00"}, 422),
    ]
    for kwargs, status in cases:
        r = client.post(path, headers=HTML, **kwargs)
        assert r.status_code == status and r.mimetype == "text/html", (kwargs, r.status_code, r.mimetype)
        assert "Traceback" not in r.get_data(as_text=True)
    r = client.post(path.replace("acme", "ac%00me"), headers=HTML, data={"email": "x"})
    assert r.status_code == 400 and r.mimetype == "text/html"
    r = client.post(path, data={"email": "x" * 1_100_000})
    assert r.status_code == 413
    # An API client asking for JSON gets the problem document instead of the page.
    _problem(client.post(path, data={"email": "a\x00"}, headers={"Accept": "application/json"}), 422,
             "validation-failed")
    assert _rows(herald_runtime) == before
    _no_traceback(logged)


def test_sso_login_and_callback_refuse_hostile_query_and_form_values(acme, client, herald_runtime, logged):
    base = "/auth/sso/acme/fakeidp"
    before = _rows(herald_runtime)
    r = client.get(f"{base}/login?next=/posts%00", headers=HTML)
    assert r.status_code == 422 and r.mimetype == "text/html"
    r = client.get("/auth/sso/ac%00me/fakeidp/login", headers=HTML)
    assert r.status_code == 400
    # OIDC-style answers come back in the query; SAML's POST binding in a form (the ACS).
    for kwargs, status in [
        ({"query_string": "nonce=a%00&sub=x"}, 422),
        ({"query_string": "code=%ff"}, 400),
        ({"method": "POST", "data": {"SAMLResponse": "PD94\x00", "RelayState": "/"}}, 422),
        ({"method": "POST", "data": {"Relay\x00State": "/"}}, 422),
        ({"method": "POST", "data": b"SAMLResponse=%c3%28", "content_type": "application/x-www-form-urlencoded"}, 400),
    ]:
        r = client.open(f"{base}/callback", headers=HTML, **kwargs)
        assert r.status_code == status, (kwargs, r.status_code, r.get_data(as_text=True)[:200])
    _problem(client.get(f"{base}/callback?nonce=%00", headers={"Accept": "application/json"}), 422,
             "validation-failed")
    assert _rows(herald_runtime) == before
    _no_traceback(logged)


def test_a_multipart_upload_with_nul_in_a_field_or_file_name_is_refused(acme, client, herald_runtime, logged):
    import io

    t, token = acme
    auth = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/tenants/{t.id}/assets"
    before = _rows(herald_runtime)
    r = client.post(path, headers=auth, content_type="multipart/form-data",
                    data={"name": "a\x00", "file": (io.BytesIO(b"GIF89a"), "x.gif")})
    _problem(r, 422, "validation-failed")
    r = client.post(path, headers=auth, content_type="multipart/form-data",
                    data={"name": "ok", "file": (io.BytesIO(b"GIF89a"), "x\x00.gif")})
    _problem(r, 422, "validation-failed")
    assert _rows(herald_runtime) == before
    _no_traceback(logged)


GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 300


def _multipart(fields: list[tuple[str, bytes, bytes | None]]) -> tuple[bytes, str]:
    """A multipart body written by hand (test clients encode every value as UTF-8 themselves):
    (name, value, filename or None) per part."""
    boundary = "herald-boundary-7f3a"
    parts = []
    for name, value, filename in fields:
        disposition = f'form-data; name="{name}"'.encode()
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        head = b"Content-Disposition: " + disposition + b"\r\n"
        if filename is not None:
            head += b"Content-Type: image/gif\r\n"
        parts.append(b"--" + boundary.encode() + b"\r\n" + head + b"\r\n" + value + b"\r\n")
    return b"".join(parts) + b"--" + boundary.encode() + b"--\r\n", f"multipart/form-data; boundary={boundary}"


def test_invalid_utf8_in_a_multipart_field_is_refused_not_replaced(acme, client, herald_runtime, logged):
    t, token = acme
    auth = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/tenants/{t.id}/assets"
    before = _rows(herald_runtime)
    body, content_type = _multipart([("name", b"caf\xe9 \xff", None), ("file", b"GIF89a", b"x.gif")])
    r = client.post(path, headers=auth, data=body, content_type=content_type)
    problem = _problem(r, 400, "invalid-encoding")
    assert "name" in problem["detail"] and "\ufffd" not in r.get_data(as_text=True)
    assert _rows(herald_runtime) == before
    # the same body in valid UTF-8 is stored as sent
    unit = t.units["brand"].id.encode()
    body, content_type = _multipart([("name", "café ☕".encode(), None), ("org_unit_id", unit, None),
                                     ("kind", b"image", None), ("file", GIF, b"x.gif")])
    r = client.post(path, headers=auth, data=body, content_type=content_type)
    assert r.status_code == 201, r.get_data(as_text=True)[:300]
    assert r.get_json()["name"] == "café ☕"
    _no_traceback(logged)


def test_invalid_utf8_in_a_multipart_page_form_answers_a_page(acme, client, herald_runtime, logged):
    client.get("/sign-in/acme")  # the form-token cookie, as a browser would have it
    before = _rows(herald_runtime)
    body, content_type = _multipart([("email", b"admin@acme.test\xc3\x28", None), ("password", b"x" * 12, None)])
    r = client.post("/sign-in/acme", headers=HTML, data=body, content_type=content_type)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "email" in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)
    assert _rows(herald_runtime) == before
    _no_traceback(logged)
