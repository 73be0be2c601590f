"""Fixtures for the Slack notifier's tests: a fake Slack on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_fake_server import FakeSlack, FakeSlackServer


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackServer]:
    server = FakeSlackServer(FakeSlack()).start()
    try:
        yield server
    finally:
        server.stop()
