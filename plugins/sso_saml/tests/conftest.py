"""Fixtures for the SAML tests: keys, a movable clock, replay caches and tenants with their IdP."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from herald.plugins import SsoContext
from herald_sso_saml import SamlProvider, SamlSettings
from herald_sso_saml.testing import (
    XMLSEC_MISSING,
    Clock,
    DictReplayCache,
    FakeIdp,
    KeyPair,
    RedisReplayCache,
    Tenant,
    make_key_pair,
)


@pytest.fixture(autouse=True)
def _xmlsec1_installed() -> None:
    if shutil.which("xmlsec1") is None:
        pytest.fail(XMLSEC_MISSING, pytrace=False)


@pytest.fixture(scope="session")
def keys() -> dict[str, KeyPair]:
    """Made once per run: RSA keys are slow to generate."""
    return {name: make_key_pair(name) for name in ("idp", "idp-next", "other-idp", "attacker", "sp")}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def redis_replay() -> Iterator[RedisReplayCache]:
    url = os.environ.get("HERALD_TEST_REDIS_URL")
    if not url:
        if os.environ.get("HERALD_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail("HERALD_TEST_REDIS_URL is not set but services are required")
        pytest.skip("HERALD_TEST_REDIS_URL is not set")
    from redis import Redis

    conn = Redis.from_url(url)
    prefix = f"herald-test-saml:{uuid.uuid4().hex}:"
    yield RedisReplayCache(conn, prefix)
    for key in conn.scan_iter(f"{prefix}*"):
        conn.delete(key)
    conn.close()


@pytest.fixture
def make_tenant(tmp_path: Path, keys: dict[str, KeyPair], clock: Clock) -> Callable[..., Tenant]:
    def make(slug: str = "acme", *, idp_entity: str = "https://idp.acme.test/saml/metadata",
             idp_key: str = "idp", replay: Any = None, settings: dict[str, Any] | None = None,
             idp_metadata: Callable[[FakeIdp], str] | None = None) -> Tenant:
        ctx = SsoContext(f"ten_{slug}", slug, f"https://herald.test/auth/sso/{slug}/saml",
                         replay if replay is not None else DictReplayCache(clock))
        sp_md = SamlProvider(ctx.tenant_id, {}).metadata(ctx)
        assert sp_md is not None
        idp = FakeIdp(idp_entity, keys[idp_key], tmp_path / f"idp-{slug}-{uuid.uuid4().hex[:6]}",
                      [sp_md[1].decode()])
        values = {"idp_metadata_xml": idp_metadata(idp) if idp_metadata else idp.metadata(), **(settings or {})}
        provider = SamlProvider(ctx.tenant_id, SamlSettings().load(values))
        provider.clock = clock
        return Tenant(provider, ctx, idp)

    return make
