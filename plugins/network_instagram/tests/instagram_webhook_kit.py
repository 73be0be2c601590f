"""Helpers for tests that post Meta webhook deliveries through Herald's app."""

from __future__ import annotations

import hashlib
import hmac
import json
import types
from typing import Any

from herald.plugins import Event, EventSubscriber, hookimpl

SECRET_A = "alpha-app-secret"
SECRET_B = "beta-app-secret"
VERIFY_A = "alpha-verify-token"


def recorder(received: list[Event]) -> types.ModuleType:
    """A plugin that records every domain event delivered to subscribers."""
    mod = types.ModuleType("record_events")

    class Recorder(EventSubscriber):
        key = "recorder"

        def deliver(self, event: Event) -> None:
            received.append(event)

    @hookimpl
    def herald_event_subscribers():  # type: ignore[no-untyped-def]
        return [Recorder]

    mod.herald_event_subscribers = herald_event_subscribers  # type: ignore[attr-defined]
    mod.HERALD_HOOK_API = "1.0"  # type: ignore[attr-defined]
    mod.HERALD_DEFAULT_ENABLED = True  # type: ignore[attr-defined]
    return mod


def url(tenant_id: str) -> str:
    return f"/plugins/network_instagram/webhook/{tenant_id}"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, tenant_id: str, body: bytes, signature: str | None) -> Any:  # type: ignore[no-untyped-def]
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(url(tenant_id), data=body, headers=headers)


def deliver(client, tenant_id: str, payload: dict[str, Any], secret: str = SECRET_A) -> Any:  # type: ignore[no-untyped-def]
    """Post ``payload`` signed with ``secret``; the callback's JSON answer."""
    body = json.dumps(payload).encode()
    resp = post(client, tenant_id, body, sign(secret, body))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()
