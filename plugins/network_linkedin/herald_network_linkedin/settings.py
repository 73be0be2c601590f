"""The settings a tenant gives the LinkedIn connector (validated by Herald, secrets encrypted)."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import Schema, fields, validate

from herald.plugins import PluginSettings

#: Read and write the page's posts and comments, and see which pages the member administers.
DEFAULT_SCOPES = "r_organization_social w_organization_social rw_organization_admin"


class LinkedInSettings(Schema):
    """A LinkedIn app's credentials, where LinkedIn is reached and how the connector paces itself."""

    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_secret = fields.String(allow_none=True, validate=validate.Length(max=500))
    api_base_url = fields.Url(load_default="https://api.linkedin.com", require_tld=False)
    oauth_base_url = fields.Url(load_default="https://www.linkedin.com", require_tld=False)
    web_base_url = fields.Url(load_default="https://www.linkedin.com", require_tld=False)
    api_version = fields.String(load_default="202510", validate=validate.Regexp(r"^20\d{2}(0[1-9]|1[0-2])$"))
    scopes = fields.String(load_default=DEFAULT_SCOPES, validate=validate.Length(min=1, max=500))
    organization_id = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{1,20}$"))
    timeout_seconds = fields.Float(load_default=30.0, validate=validate.Range(min=0.05, max=600))
    connect_timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=0.05, max=120))
    media_processing_timeout_seconds = fields.Float(load_default=120.0, validate=validate.Range(min=0, max=3600))
    throttle_wait_seconds = fields.Integer(load_default=60, validate=validate.Range(min=1, max=86400))
    inbox_posts = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


@cache
def defaults() -> dict[str, Any]:
    """Every field's declared default (an instance may be given partial settings)."""
    return {name: f.load_default for name, f in LinkedInSettings().fields.items()
            if isinstance(f.load_default, str | int | float)}


#: Where Herald connects and sends people: set by the operator (HERALD_NETWORK_LINKEDIN__API_BASE_URL, …).
URL_FIELDS = ("api_base_url", "oauth_base_url")

SETTINGS = PluginSettings(LinkedInSettings, secret_fields=("client_secret",), instance_fields=URL_FIELDS,
                          description={
    "client_id": "Client id of your LinkedIn app (Community Management API product)",
    "client_secret": "Client secret of your LinkedIn app",
    "api_base_url": "LinkedIn API host (the /rest paths live under it)",
    "oauth_base_url": "Host of LinkedIn's /oauth/v2 authorization page and token endpoint",
    "web_base_url": "Host used to build links to published posts",
    "api_version": "LinkedIn-Version sent with every call (YYYYMM; LinkedIn retires versions after about a year)",
    "scopes": "OAuth scopes requested when connecting a page",
    "organization_id": "The page to connect when the member administers several (its numeric id)",
    "timeout_seconds": "How long to wait for LinkedIn's answer to one request",
    "connect_timeout_seconds": "How long to wait for a connection to LinkedIn",
    "media_processing_timeout_seconds": "How long to wait for an uploaded image or document to become available",
    "throttle_wait_seconds": "How long to hold the account after a short-window 429 (LinkedIn says no reset time; "
                             "a 429 naming the daily limit waits until midnight UTC)",
    "inbox_posts": "How many of the page's latest posts are read for new comments",
})
