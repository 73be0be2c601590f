"""The settings a tenant gives the Mastodon connector (validated by Herald, secrets encrypted)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from herald.plugins import OutboundUrl, PluginSettings

#: Granular scopes (Mastodon 3.1+): read the account, statuses, mentions and conversations; post.
DEFAULT_SCOPES = ("read:accounts read:statuses read:notifications read:conversations "
                  "write:statuses write:media")
VISIBILITIES = ("public", "unlisted", "private", "direct")


class MastodonSettings(Schema):
    # Not required: an operator may set it for every tenant (an instance field), and a tenant's
    # settings are validated without the operator's values.
    instance_url = fields.Url(load_default=None, allow_none=True, require_tld=False, schemes={"http", "https"},
                              validate=[validate.Length(max=500), OutboundUrl("the Mastodon instance URL")])
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_secret = fields.String(required=True, validate=validate.Length(min=1, max=500))
    scopes = fields.String(load_default=DEFAULT_SCOPES, validate=validate.Length(min=1, max=500))
    default_visibility = fields.String(load_default="public", validate=validate.OneOf(VISIBILITIES))
    timeout_seconds = fields.Float(load_default=30.0, validate=validate.Range(min=0.05, max=600))
    media_poll_interval_seconds = fields.Float(load_default=2.0, validate=validate.Range(min=0, max=60))
    media_poll_limit = fields.Integer(load_default=60, validate=validate.Range(min=1, max=1000))
    instance_cache_seconds = fields.Integer(load_default=3600, validate=validate.Range(min=0, max=86400))
    max_pages = fields.Integer(load_default=5, validate=validate.Range(min=1, max=100))


#: The instance is where every call goes: set by the operator (HERALD_NETWORK_MASTODON__INSTANCE_URL),
#: changeable by a tenant only where HERALD_TENANT_OVERRIDES allows.
SETTINGS = PluginSettings(MastodonSettings, secret_fields=("client_secret",), instance_fields=("instance_url",),
                          description={
    "instance_url": "The Mastodon server the accounts live on, e.g. https://mastodon.social",
    "client_id": "client_id of the app registered on that instance (POST /api/v1/apps; see the README)",
    "client_secret": "client_secret of that app",
    "scopes": "OAuth scopes asked for when connecting (the app must have been registered with them)",
    "default_visibility": "Visibility of posts that do not choose one: public, unlisted, private or direct",
    "timeout_seconds": "How long to wait for the instance's answer to one request",
    "media_poll_interval_seconds": "Seconds between checks of an upload the instance is still processing",
    "media_poll_limit": "Checks of a still-processing upload before giving up for now",
    "instance_cache_seconds": "How long the instance's limits (characters, media) are kept before re-reading",
    "max_pages": "Most pages read per poll of mentions or conversations, or per look-up",
})


def defaults() -> dict[str, Any]:
    """Every declared default (a partial load skips ``load_default``)."""
    return {name: f.load_default for name, f in MastodonSettings().fields.items()
            if isinstance(f.load_default, str | int | float)}
