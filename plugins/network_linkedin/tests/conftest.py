"""Fixtures for the LinkedIn connector's tests: a fake LinkedIn on loopback and a connector
pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from linkedin_fake_server import CLIENT_ID, CLIENT_SECRET, ORG_ID, FakeLinkedIn, FakeLinkedInServer

from herald.plugins import ConnectedAccount, TokenSet
from herald_network_linkedin import LinkedInConnector


@pytest.fixture
def fake_li() -> Iterator[FakeLinkedInServer]:
    server = FakeLinkedInServer(FakeLinkedIn()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_connector(fake_li: FakeLinkedInServer) -> Callable[..., LinkedInConnector]:
    """A connector for tenant "acme" whose every base URL is the fake; its sleeps are recorded."""

    def make(**overrides: Any) -> LinkedInConnector:
        settings = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "api_base_url": fake_li.url,
                    "oauth_base_url": fake_li.url, "web_base_url": "https://li.test", "api_version": "202511",
                    "timeout_seconds": 5.0, **overrides}
        connector = LinkedInConnector("acme", settings)
        connector.slept = []  # type: ignore[attr-defined]
        connector.sleep = connector.slept.append  # type: ignore[attr-defined]
        return connector

    return make


@pytest.fixture
def li(make_connector: Callable[..., LinkedInConnector]) -> LinkedInConnector:
    return make_connector()


@pytest.fixture
def account(fake_li: FakeLinkedInServer) -> ConnectedAccount:
    token = fake_li.fake.issue_token()
    return ConnectedAccount(id="acc_1", remote_id=ORG_ID, handle="devtestco", tokens=TokenSet(token, "refresh"))
