"""A network's refusal is told in Herald's words: whatever the other side answered (which may be
an internal service, if a base URL pointed there) is logged, never sent back to the person."""

from __future__ import annotations

import pytest
from publishing_support import connect_params as _callback_params

from herald.builtin.network_sandbox import SandboxConnector
from herald.content.models import Post
from herald.networks.errors import AuthRevoked, PermanentError, RateLimited, TransientError
from herald.publishing.refusals import network_refusal
from herald.publishing.scheduler import Scheduler

LEAK = "root:x:0:0 internal-admin-panel 10.0.0.5 Server: nginx/1.2"


@pytest.mark.parametrize("code, shown", [("invalid_grant", True), ("<script>alert(1)</script>", False),
                                         (LEAK, False), (None, False)])
def test_a_refused_connect_never_echoes_the_remote_answer(code, shown, sandbox, api, monkeypatch):
    t, admin, account_id = sandbox

    def refuse(self, *_args):  # type: ignore[no-untyped-def]
        raise PermanentError(f"HTTP 418 from upstream: {LEAK}", code=code, status=418)

    monkeypatch.setattr(SandboxConnector, "exchange_code", refuse)
    r = api(None).get("/api/v1/connect/callback", query_string=_callback_params(admin, t, account_id))
    assert r.status_code == 502
    body = r.get_data(as_text=True)
    assert LEAK not in body and "418" not in body and "upstream" not in body and "<script" not in body
    assert r.get_json()["detail"].startswith("The network refused connecting the account")
    assert (code in body) is shown if code else "network code" not in body
    assert ("network_code" in r.get_json()) is shown


def test_a_refused_unpublish_never_echoes_the_remote_answer(sandbox, api, herald_runtime, run_jobs, monkeypatch):
    t, admin, account_id = sandbox
    params = _callback_params(admin, t, account_id)
    assert api(None).get("/api/v1/connect/callback", query_string=params).status_code == 200
    content = {"targets": [account_id], "variants": [{"network": None, "text": "Hello"}]}
    post = admin.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id, "content": content}).get_json()
    with herald_runtime.db.transaction() as s:
        p = s.get(Post, post["id"])
        p.status, p.approved_version = "approved", p.current_version
    assert admin.post(f"tenants/{t.id}/posts/{post['id']}/publish", {}).status_code == 202
    Scheduler(herald_runtime).tick()
    run_jobs()
    pub = admin.get(f"tenants/{t.id}/posts/{post['id']}/publications").get_json()["publications"][0]

    def refuse(self, *_args):  # type: ignore[no-untyped-def]
        raise RateLimited(f"upstream said: {LEAK}", reset_at=None, code="88", status=429)

    monkeypatch.setattr(SandboxConnector, "delete", refuse)
    r = admin.post(f"tenants/{t.id}/publications/{pub['id']}/unpublish")
    assert r.status_code == 502 and LEAK not in r.get_data(as_text=True)
    assert "rate limit" in r.get_json()["detail"] and r.get_json()["network_code"] == "88"
    assert admin.get(f"tenants/{t.id}/posts/{post['id']}/publications").get_json()["publications"][0]["state"] \
        == "published"


@pytest.mark.parametrize("exc, words", [
    (AuthRevoked("x"), "reconnect the account"), (RateLimited("x", reset_at=None), "rate limit"),
    (TransientError("x"), "try again later"), (PermanentError("x"), "refused the request")])
def test_each_kind_of_refusal_has_its_own_sentence(exc, words):
    assert words in network_refusal(exc, "doing it").detail
