"""A tenant for console tests: two test networks, a three-step workflow and one person per
role, all with passwords so that they can sign in through the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from herald.builtin.local_auth import hash_password
from herald.plugins import Capabilities, NetworkConnector, hookimpl

PASSWORD = "console-test-password"
WORKFLOW = [
    {"name": "Editorial review", "kind": "human_review", "deciders": {"role": "editor"}},
    {"name": "Legal", "kind": "human_review", "deciders": {"role": "legal_reviewer"}},
    {"name": "Manager sign-off", "kind": "human_review", "deciders": {"role": "manager"}},
]
PEOPLE = {
    "admin": [("tenant_admin", "root")],
    "creator": [("creator", "coffee")],
    "editor": [("editor", "coffee")],
    "legal": [("legal_reviewer", "root")],
    "manager": [("manager", "root")],
    "viewer": [("viewer", "coffee")],
}


class LongNet(NetworkConnector):
    key = "longnet"
    display_name = "Long network"
    capabilities = Capabilities(max_text_length=500)


class ShortNet(NetworkConnector):
    key = "shortnet"
    display_name = "Short network"
    capabilities = Capabilities(max_text_length=40)


class LongNetPlugin:
    HERALD_HOOK_API = "1.0"

    @staticmethod
    @hookimpl
    def herald_network_connectors():  # type: ignore[no-untyped-def]
        return [LongNet]


class ShortNetPlugin:
    HERALD_HOOK_API = "1.0"

    @staticmethod
    @hookimpl
    def herald_network_connectors():  # type: ignore[no-untyped-def]
        return [ShortNet]


@dataclass
class ConsoleWorld:
    tenant: Any
    admin: Any
    emails: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)

    @property
    def tid(self) -> str:
        return self.tenant.id

    def unit(self, name: str) -> str:
        return self.tenant.units[name].id

    def add_account(self, network: str, handle: str, unit: str = "coffee") -> str:
        r = self.admin.post(f"tenants/{self.tid}/social-accounts",
                            {"org_unit_id": self.unit(unit), "network": network, "handle": handle})
        assert r.status_code == 201, r.get_json()
        self.accounts[network] = r.get_json()["id"]
        return self.accounts[network]


def build_console_world(seed: Any, api: Any, register_plugin: Any, slug: str = "acme") -> ConsoleWorld:
    """Both networks installed; ``longnet`` enabled with an account, ``shortnet`` left for the
    test to enable; the three-step workflow on the root."""
    register_plugin(LongNetPlugin(), "longnet")
    register_plugin(ShortNetPlugin(), "shortnet")
    t = seed.tenant(slug, {"coffee": None, "tea": None})
    world: ConsoleWorld | None = None
    digest = hash_password(PASSWORD)
    for name, grants in PEOPLE.items():
        user, token = seed.user(t, f"{name}@{slug}.test", grants, password_hash=digest)
        if world is None:
            world = ConsoleWorld(t, api(token))
        world.emails[name], world.ids[name] = user.email, user.id
    assert world is not None
    assert world.admin.patch(f"tenants/{t.id}/plugins/longnet", {"enabled": True}).status_code == 200
    world.add_account("longnet", "acme_long")
    r = world.admin.request("PUT", f"tenants/{t.id}/org-units/{t.units['root'].id}/workflow",
                            json={"name": "Three eyes", "steps": WORKFLOW})
    assert r.status_code == 200, r.get_json()
    return world


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(name="world")
def console_world_fixture(seed: Any, api: Any, register_plugin: Any) -> ConsoleWorld:
    """The console world, as the ``world`` fixture of the console's test modules."""
    return build_console_world(seed, api, register_plugin)


def sign_in(app: Flask, world: ConsoleWorld, who: str) -> tuple[Any, str]:
    """A fresh test client signed in as ``who``; returns (client, csrf token)."""
    client = app.test_client()
    r = client.post("/api/v1/auth/sessions", json={"tenant": world.tenant.tenant.slug,
                                                   "email": world.emails[who], "password": PASSWORD})
    assert r.status_code in (200, 201), r.get_json()
    return client, r.get_json()["csrf_token"]
