"""Fixtures for the Teams notifier's tests: a fake Teams on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from teams_fake_server import FakeTeams, FakeTeamsServer


@pytest.fixture
def fake_teams() -> Iterator[FakeTeamsServer]:
    server = FakeTeamsServer(FakeTeams()).start()
    try:
        yield server
    finally:
        server.stop()
