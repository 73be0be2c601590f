"""Fixtures for the Mastodon connector's tests: a fake instance on loopback and a connector
pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from mastodon_fake_server import ACCOUNT_ID, HANDLE, REDIRECT, FakeMastodon, FakeMastodonServer

from herald.plugins import ConnectedAccount, TokenSet
from herald_network_mastodon import MastodonConnector
from herald_network_mastodon import instance as instance_cache


@pytest.fixture
def fake_mastodon() -> Iterator[FakeMastodonServer]:
    server = FakeMastodonServer(FakeMastodon()).start()
    instance_cache._cache.clear()  # each test's instance is a new server
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_credentials(fake_mastodon: FakeMastodonServer) -> dict[str, str]:
    from herald_network_mastodon.oauth import register_app

    return register_app(fake_mastodon.url, redirect_uris=[REDIRECT], scopes="read write")


@pytest.fixture
def make_connector(fake_mastodon: FakeMastodonServer,
                   app_credentials: dict[str, str]) -> Callable[..., MastodonConnector]:
    """A connector for tenant "acme" on the fake instance; its sleeps are recorded, not waited."""

    def make(**overrides: Any) -> MastodonConnector:
        settings = {"instance_url": fake_mastodon.url, **app_credentials, "timeout_seconds": 5.0, **overrides}
        connector = MastodonConnector("acme", settings)
        connector.slept = []  # type: ignore[attr-defined]
        connector.sleep = connector.slept.append  # type: ignore[method-assign]
        return connector

    return make


@pytest.fixture
def mastodon(make_connector: Callable[..., MastodonConnector]) -> MastodonConnector:
    return make_connector()


@pytest.fixture
def account(fake_mastodon: FakeMastodonServer) -> ConnectedAccount:
    token = fake_mastodon.fake.add_account(ACCOUNT_ID, HANDLE, display_name="Herald HQ")
    return ConnectedAccount(id="acc_1", remote_id=ACCOUNT_ID, handle=HANDLE, tokens=TokenSet(access_token=token))
