"""Fixtures: the fake Graph API on a loopback port and connectors pointed at it; tenants with
the plugin enabled and a recorder of the domain events their webhook deliveries become."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from instagram_fake_graph import APP_ID, APP_SECRET, USER_ID, VERSION, FakeGraph, serve
from instagram_webhook_kit import SECRET_A, SECRET_B, recorder

from herald.plugins import ConnectedAccount, Event, TokenSet
from herald_network_instagram import InstagramConnector


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    state = FakeGraph()
    with serve(state) as base:
        state.base_url = base  # type: ignore[attr-defined]
        yield state


@pytest.fixture
def make_connector(graph: FakeGraph) -> Callable[..., InstagramConnector]:
    """``make_connector(**settings)`` → a connector for tenant ``ten_a`` whose sleeps are
    recorded instead of waited."""

    def make(**overrides: Any) -> InstagramConnector:
        settings = {"app_id": APP_ID, "app_secret": APP_SECRET,
                    "api_base_url": f"{graph.base_url}/{VERSION}",  # type: ignore[attr-defined]
                    "container_poll_interval_s": 3.0, "container_poll_limit": 5, "request_timeout_s": 1.0,
                    **overrides}
        conn = InstagramConnector("ten_a", settings)
        conn.slept = []  # type: ignore[attr-defined]
        conn.sleep = conn.slept.append  # type: ignore[attr-defined,method-assign]
        return conn

    return make


@pytest.fixture
def connector(make_connector: Callable[..., InstagramConnector]) -> InstagramConnector:
    return make_connector()


@pytest.fixture
def account() -> ConnectedAccount:
    return ConnectedAccount(id="acc_1", remote_id=USER_ID, handle="acme.brand",
                            tokens=TokenSet(access_token="long-lived-1"))


@pytest.fixture
def tenants(seed, api):  # type: ignore[no-untyped-def]
    """Two tenants with the plugin enabled, each with its own app secret; a third without it."""
    out = {}
    for slug, secret in (("alpha", SECRET_A), ("beta", SECRET_B)):
        t = seed.tenant(slug)
        _, token = seed.user(t, f"admin@{slug}.test", [("tenant_admin", "root")])
        resp = api(token).patch(f"tenants/{t.id}/plugins/network_instagram", {"enabled": True, "settings": {
            "app_id": f"{slug}-app", "app_secret": secret, "webhook_verify_token": f"{slug}-verify-token"}})
        assert resp.status_code == 200, resp.get_json()
        out[slug] = t
    out["gamma"] = seed.tenant("gamma")
    return out


@pytest.fixture
def received(register_plugin) -> list[Event]:  # type: ignore[no-untyped-def]
    events: list[Event] = []
    register_plugin(recorder(events), "record_events")
    return events
