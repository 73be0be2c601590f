"""Fixtures: the fake Graph API on a loopback port and connectors pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from instagram_fake_graph import APP_ID, APP_SECRET, USER_ID, VERSION, FakeGraph, serve

from herald.plugins import ConnectedAccount, TokenSet
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
