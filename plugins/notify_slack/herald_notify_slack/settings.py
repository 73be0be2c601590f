"""The settings a tenant gives the Slack notifier: its channels (plain) and their incoming-webhook
URLs (a secret: a Slack webhook URL is its own credential, so it is encrypted at rest and never
shown again)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from herald.plugins import OutboundRefused, PluginSettings, refuse_internal_destination
from herald.plugins.notification_channels import NAME, JsonList, JsonMapping, check_every_channel_has_a_url

WEBHOOK_URL = fields.Url(schemes={"https", "http"}, require_tld=False, validate=validate.Length(max=2000))


class SlackSettings(Schema):
    channels = JsonList(load_default="[]")
    webhook_urls = JsonMapping(keys=fields.String(validate=NAME), values=WEBHOOK_URL, load_default=dict)
    timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=0.5, max=120))
    min_interval_seconds = fields.Float(load_default=1.0, validate=validate.Range(min=0, max=60))
    max_wait_seconds = fields.Float(load_default=30.0, validate=validate.Range(min=0, max=300))

    @validates_schema
    def _posted_somewhere_allowed(self, data: dict[str, Any], **_: Any) -> None:
        check_every_channel_has_a_url(data)
        for name, url in (data.get("webhook_urls") or {}).items():
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            try:
                refuse_internal_destination(parts.hostname or "", port, what=f"the webhook URL of channel {name}")
            except OutboundRefused as exc:
                # the refusal names the channel, never the URL: the URL is the secret
                raise ValidationError(exc.detail, field_name="webhook_urls") from exc


SETTINGS = PluginSettings(SlackSettings, secret_fields=("webhook_urls",), description={
    "channels": 'JSON list of channels: [{"name": "approvals", "org_units": ["<unit id>"], "teams": '
                '["<inbox team id>"], "kinds": ["approval.due", "sla.*"], "language": "en"}]. A unit covers its '
                "subtree; kinds default to approvals due, overdue and escalated, publication failures, "
                "reconnect requests, SLA alerts and failed replies; language is en, ar, fa, ur or hi",
    "webhook_urls": 'JSON object of channel name → Slack incoming-webhook URL '
                    '({"approvals": "https://hooks.slack.com/services/…"})',
    "timeout_seconds": "How long to wait for Slack's answer to one message",
    "min_interval_seconds": "Least time between two messages to one webhook (Slack allows about one a second)",
    "max_wait_seconds": "Longest Retry-After a delivery waits for before leaving the retry to Herald's queue",
})
