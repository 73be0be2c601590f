"""Fixtures: the fake Graph API on a loopback port, connectors pointed at it, and tenants with the
plugin enabled for the webhook tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from facebook_fake_graph import APP_ID, APP_SECRET, PAGE_ID, PAGE_NAME, SECRETS, USER_TOKEN, FakeGraph, serve

from herald.plugins import ConnectedAccount, TokenSet
from herald_network_facebook import FacebookConnector


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    state = FakeGraph()
    with serve(state) as base:
        state.base_url = base  # type: ignore[attr-defined]
        yield state


@pytest.fixture
def make_connector(graph: FakeGraph) -> Callable[..., FacebookConnector]:
    def make(**overrides: Any) -> FacebookConnector:
        settings = {"app_id": APP_ID, "app_secret": APP_SECRET, "api_base_url": graph.base_url,  # type: ignore[attr-defined]
                    "request_timeout_s": 1.0, **overrides}
        return FacebookConnector("ten_a", settings)

    return make


@pytest.fixture
def connector(make_connector: Callable[..., FacebookConnector]) -> FacebookConnector:
    return make_connector()


@pytest.fixture
def account() -> ConnectedAccount:
    return ConnectedAccount(id="acc_1", remote_id=PAGE_ID, handle=PAGE_NAME, tokens=TokenSet(access_token=USER_TOKEN))


@pytest.fixture
def tenants(seed, api):  # type: ignore[no-untyped-def]
    """Two tenants with the plugin enabled, each with its own app secret; a third without it."""
    out = {}
    for slug, secret in SECRETS.items():
        t = seed.tenant(slug)
        _, token = seed.user(t, f"admin@{slug}.test", [("tenant_admin", "root")])
        resp = api(token).patch(f"tenants/{t.id}/plugins/network_facebook", {"enabled": True, "settings": {
            "app_id": f"{slug}-app", "app_secret": secret, "webhook_verify_token": f"{slug}-verify-token"}})
        assert resp.status_code == 200, resp.get_json()
        out[slug] = t
    out["gamma"] = seed.tenant("gamma")
    return out
