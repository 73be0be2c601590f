"""Fixtures for the X connector's tests: a fake X on loopback and a connector pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from x_fake_server import CLIENT_ID, CLIENT_SECRET, HANDLE, USER_ID, FakeX, FakeXServer

from herald.plugins import ConnectedAccount, TokenSet
from herald_network_x import XConnector


@pytest.fixture
def fake_x() -> Iterator[FakeXServer]:
    fake = FakeX()
    fake.add_client(CLIENT_ID, CLIENT_SECRET)
    server = FakeXServer(fake).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_connector(fake_x: FakeXServer) -> Callable[..., XConnector]:
    """A connector for tenant "acme" whose every base URL is the fake; ``overrides`` replace
    settings. Its sleeps are recorded instead of waited."""

    def make(**overrides: Any) -> XConnector:
        settings = {
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "api_base_url": fake_x.url, "upload_base_url": fake_x.url,
            "authorize_url": f"{fake_x.url}/i/oauth2/authorize", "web_base_url": "https://x.test",
            "timeout_seconds": 5.0, "search_index_lag_seconds": 0.0, **overrides,
        }
        connector = XConnector("acme", settings)
        connector.slept = []  # type: ignore[attr-defined]
        connector.sleep = connector.slept.append  # type: ignore[attr-defined]
        return connector

    return make


@pytest.fixture
def x(make_connector: Callable[..., XConnector]) -> XConnector:
    return make_connector()


@pytest.fixture
def account(fake_x: FakeXServer) -> ConnectedAccount:
    token = fake_x.fake.add_user(USER_ID, HANDLE, "Herald HQ")
    return ConnectedAccount(id="acc_1", remote_id=USER_ID, handle=HANDLE, tokens=TokenSet(access_token=token))
