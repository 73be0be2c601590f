"""The built-in sandbox network: connecting an account (OAuth with PKCE, tokens sealed), the
engine publishing to it, its feed page, and the connector contract suite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from publishing_support import connect_params
from sqlalchemy import select

from herald.builtin.network_sandbox import SandboxConnector, SandboxPost
from herald.content.models import Post
from herald.ids import new_id
from herald.networks.connector import ConnectedAccount, TokenSet
from herald.networks.errors import (
    AuthExpired,
    AuthRevoked,
    DuplicateContent,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald.publishing.models import AccountCredential
from herald.publishing.scheduler import Scheduler
from herald.testing.connector_contract import ConnectorContract


def test_connecting_an_account_stores_its_tokens_sealed_and_is_audited(sandbox, api, herald_runtime):
    t, admin, account_id = sandbox
    params = connect_params(admin, t, account_id)
    done = api(None).get("/api/v1/connect/callback", query_string=params)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["connection_state"] == "connected"
    assert done.get_json()["external_id"].startswith("sandbox-")
    with herald_runtime.db.transaction() as s:
        cred = s.get(AccountCredential, account_id)
        assert cred.sealed_tokens and "sbx-at-" not in cred.sealed_tokens and "sbx-rt-" not in cred.sealed_tokens
    again = api(None).get("/api/v1/connect/callback", query_string=params)
    assert again.status_code == 400 and "used or expired" in again.get_json()["detail"]
    actions = [e["action"] for e in admin.get(f"tenants/{t.id}/audit-events").get_json()["items"]]
    assert {"social_account.connect_started", "social_account.connected"} <= set(actions)


def test_a_connect_callback_with_a_wrong_code_or_a_refusal_connects_nothing(sandbox, api, herald_runtime):
    t, admin, account_id = sandbox
    params = connect_params(admin, t, account_id)
    wrong = api(None).get("/api/v1/connect/callback", query_string={**params, "code": "sbx-code-forged"})
    assert wrong.status_code == 502 and "invalid_grant" in wrong.get_json()["detail"]
    assert "reconnect" in wrong.get_json()["detail"] and "PKCE" not in wrong.get_json()["detail"]
    params = connect_params(admin, t, account_id)
    denied = api(None).get("/api/v1/connect/callback", query_string={"state": params["state"],
                                                                     "error": "access_denied"})
    assert denied.status_code == 400 and "access_denied" in denied.get_json()["detail"]
    unknown = api(None).get("/api/v1/connect/callback", query_string={"state": "nope", "code": "x"})
    assert unknown.status_code == 400
    assert admin.get(f"tenants/{t.id}/social-accounts/{account_id}").get_json()["connection_state"] != "connected"


def test_the_engine_publishes_to_the_sandbox_and_its_feed_shows_the_post(sandbox, seed, api, client, run_jobs,
                                                                         herald_runtime):
    t, admin, account_id = sandbox
    content = {"targets": [account_id], "variants": [{"network": None, "text": "Hello <sandbox> ☕"}]}
    post = admin.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id, "content": content}).get_json()
    with herald_runtime.db.transaction() as s:
        p = s.get(Post, post["id"])
        p.status, p.approved_version = "approved", p.current_version
    assert admin.post(f"tenants/{t.id}/posts/{post['id']}/publish", {}).status_code == 202
    Scheduler(herald_runtime).tick()
    assert run_jobs() == 0
    body = admin.get(f"tenants/{t.id}/posts/{post['id']}/publications").get_json()
    assert body["status"] == "published", body
    remote_id = body["publications"][0]["remote_id"]
    token = admin.token
    page = client.get(f"/console/x/network_sandbox/{t.id}/", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Hello &lt;sandbox&gt; ☕" in html and remote_id in html and "http" not in html
    assert html.count("<script") == html.count('<script src="/console/static/console.js"')  # the console's own
    anonymous = client.get(f"/console/x/network_sandbox/{t.id}/")
    assert anonymous.status_code == 303 and "Hello" not in anonymous.get_data(as_text=True)  # to sign-in
    other = seed.tenant("other")
    _, other_token = seed.user(other, "boss@other.test", [("tenant_admin", "root")])
    assert client.get(f"/console/x/network_sandbox/{t.id}/",
                      headers={"Authorization": f"Bearer {other_token}"}).status_code == 404
    gone = admin.post(f"tenants/{t.id}/publications/{body['publications'][0]['id']}/unpublish")
    assert gone.status_code == 200
    with herald_runtime.db.transaction() as s:
        assert s.get(SandboxPost, remote_id).deleted_at is not None


def test_an_uncertain_sandbox_post_is_found_not_posted_twice(sandbox, run_jobs, herald_runtime):
    t, admin, account_id = sandbox
    content = {"targets": [account_id], "variants": [{"network": None, "text": "Once [sandbox:uncertain]"}]}
    post = admin.post(f"tenants/{t.id}/posts", {"org_unit_id": t.units["coffee"].id, "content": content}).get_json()
    with herald_runtime.db.transaction() as s:
        p = s.get(Post, post["id"])
        p.status, p.approved_version = "approved", p.current_version
    admin.post(f"tenants/{t.id}/posts/{post['id']}/publish", {})
    from herald.clock import set_clock

    for _ in range(3):
        Scheduler(herald_runtime).tick()
        assert run_jobs() == 0
        body = admin.get(f"tenants/{t.id}/posts/{post['id']}/publications").get_json()
        due = body["publications"][0]["due_at"]
        if due:
            at = datetime.fromisoformat(due)
            set_clock(lambda at=at: at.astimezone(UTC))
    set_clock(None)
    assert body["publications"][0]["state"] == "published"
    with herald_runtime.db.transaction() as s:
        assert len(s.scalars(select(SandboxPost).where(SandboxPost.tenant_id == t.id)).all()) == 1


class TestSandboxConnectorContract(ConnectorContract):
    @pytest.fixture
    def connector(self, seed):  # type: ignore[no-untyped-def]
        t = seed.tenant("contract")
        return SandboxConnector(t.id, {"latency_ms": 0})

    @pytest.fixture
    def account(self) -> ConnectedAccount:
        return ConnectedAccount("acct_contract", "sandbox-1", "contract", TokenSet("sbx-at-x", "sbx-rt-x"))

    @pytest.fixture
    def error_cases(self):  # type: ignore[no-untyped-def]
        def arm(marker: str):  # type: ignore[no-untyped-def]
            return lambda: setattr(self, "marker", marker)

        cases = {"transient": TransientError, "rate_limit": RateLimited, "permanent": PermanentError,
                 "duplicate": DuplicateContent, "expired": AuthExpired, "revoked": AuthRevoked,
                 "uncertain": UncertainOutcome}
        return [(name, arm(f"[sandbox:{name}]"), cls) for name, cls in cases.items()]

    def request(self, text=None):  # type: ignore[no-untyped-def]
        marker = self.__dict__.pop("marker", "")
        return super().request(text or f"{self.sample_text} {new_id('t')[-6:]} {marker}".strip())
