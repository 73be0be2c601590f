"""Fixtures of the sso_keycloak tests (helpers in sso_keycloak_idp.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sso_keycloak_idp import Browser, IdpServer, sso_context, start_idp

from herald.plugins import SsoContext


@pytest.fixture(scope="session")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpServer]:
    """The provider every test shares (its signing key never changes)."""
    server = start_idp(tmp_path_factory.mktemp("idp"))
    yield server
    server.stop()


@pytest.fixture
def rotating_idp(tmp_path: Path) -> Iterator[IdpServer]:
    """A provider of its own, for a test that rotates its keys."""
    server = start_idp(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
def ctx() -> SsoContext:
    return sso_context()
