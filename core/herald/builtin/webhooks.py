"""Outbound webhooks: every domain event of the tenant, signed, to the URL its admin set.

Signature: ``Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``;
``Herald-Event-Id`` carries the event id for de-duplication (a delivery may be retried).
Only 2xx counts as delivered; 5xx, 429 and network errors are retried with backoff; other 4xx
answers, redirects (never followed) and URLs the outbound policy refuses are permanent and not
retried."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import httpx
from marshmallow import Schema, fields, validate

from herald.plugins import (
    Event,
    EventSubscriber,
    OutboundRefused,
    OutboundUrl,
    PluginSettings,
    hookimpl,
    outbound_http_client,
)

HERALD_HOOK_API = "1.0"
HERALD_DEFAULT_ENABLED = False
TIMEOUT_S = 10
log = logging.getLogger(__name__)


class WebhookSettingsSchema(Schema):
    url = fields.Url(required=True, schemes={"https", "http"},
                     validate=[validate.Length(max=2000), OutboundUrl("the webhook URL")],
                     metadata={"description": "Where events are POSTed"})
    secret = fields.String(required=True, validate=validate.Length(min=16, max=200),
                           metadata={"description": "Shared secret for the Herald-Signature header"})
    event_types = fields.List(fields.String(validate=validate.Length(max=100)), load_default=list,
                              metadata={"description": "Event types to send; empty means all"})


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class WebhookSubscriber(EventSubscriber):
    key = "webhook"
    display_name = "Outbound webhook"

    def wants(self, event: Event) -> bool:
        types = self.settings.get("event_types") or []
        return bool(self.settings.get("url")) and (not types or event.type in types)

    def deliver(self, event: Event) -> None:
        body = json.dumps(event.as_json(), separators=(",", ":")).encode()
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Herald-Webhooks/1",
            "Herald-Event-Id": event.id,
            "Herald-Event-Type": event.type,
            "Herald-Signature": sign(self.settings["secret"], ts, body),
        }
        try:
            with outbound_http_client(what="the webhook URL", timeout=TIMEOUT_S) as client:
                resp = client.post(self.settings["url"], content=body, headers=headers)
        except OutboundRefused as exc:
            # Permanent: the operator's policy will not change between retries.
            log.warning("webhook for event %s not sent: %s", event.id, exc.detail)
            return
        if resp.status_code == 429 or resp.status_code >= 500:
            raise WebhookRetry(f"the webhook URL answered {resp.status_code}")
        if not resp.is_success:
            # Permanent (a 4xx, or a redirect, which is never followed): retrying will not help.
            log.warning("webhook %s refused event %s with %s", self.settings["url"], event.id, resp.status_code)


class WebhookRetry(httpx.HTTPError):
    """The receiver answered 429 or 5xx: the delivery is retried later."""


@hookimpl(trylast=True)
def herald_event_subscribers() -> list[type[EventSubscriber]]:
    return [WebhookSubscriber]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(WebhookSettingsSchema, secret_fields=("secret",))
