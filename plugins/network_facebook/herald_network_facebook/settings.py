"""The per-tenant settings of the Facebook connector."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from herald.plugins import OutboundUrl, PluginSettings

SCOPES = ("pages_show_list,pages_manage_posts,pages_read_engagement,pages_manage_engagement,"
          "pages_read_user_content,read_insights,pages_messaging,pages_manage_metadata")


def _url(default: str | None, description: str, what: str) -> fields.Url:
    return fields.Url(load_default=default, allow_none=default is None, require_tld=False,
                      schemes={"http", "https"}, validate=[validate.Length(max=500), OutboundUrl(what)],
                      metadata={"description": description})


class FacebookSettings(Schema):
    """What a tenant (and, for URLs, the operator) configures."""

    app_id = fields.String(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"description": "Meta app id (client_id)"})
    app_secret = fields.String(required=True, validate=validate.Length(min=1, max=500),
                               metadata={"description": "Meta app secret: token exchange and webhook signatures"})
    webhook_verify_token = fields.String(validate=validate.Length(min=8, max=200),
                                         metadata={"description": "Token Meta sends back in the webhook handshake"})
    api_base_url = _url("https://graph.facebook.com", "Graph API host (or a proxy), without the version",
                        "the Facebook API URL")
    api_version = fields.String(load_default="v25.0", validate=validate.Regexp(r"^v\d{1,3}\.\d{1,2}$"),
                                metadata={"description": "Graph API version, e.g. v25.0"})
    authorize_url = _url(None, "Login dialog (default: www.facebook.com/<version>/dialog/oauth)",
                         "the Facebook login URL")
    scopes = fields.String(load_default=SCOPES, validate=validate.Length(max=1000),
                           metadata={"description": "Comma-separated permissions to ask for"})
    request_timeout_s = fields.Float(load_default=30.0, validate=validate.Range(min=1, max=300),
                                     metadata={"description": "Timeout of one Graph API request"})
    throttle_fallback_wait_s = fields.Integer(
        load_default=600, validate=validate.Range(min=1, max=86400),
        metadata={"description": "Wait this long when throttled and the usage headers say nothing"})
    insight_metrics = fields.String(load_default="post_impressions,post_impressions_unique,post_clicks",
                                    validate=validate.Regexp(r"^[a-z_]+(,[a-z_]+)*$"),
                                    metadata={"description": "Comma-separated post insights to read"})
    recent_posts_limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100),
                                        metadata={"description": "Recent posts scanned for comments and look-ups"})
    recent_conversations_limit = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=200),
        metadata={"description": "Messenger conversations read on an account's first poll"})


SETTINGS = PluginSettings(FacebookSettings, secret_fields=("app_secret", "webhook_verify_token"),
                          instance_fields=("api_base_url", "authorize_url"))


def effective(settings: Any) -> dict[str, Any]:
    """The settings over every default (a partial load skips ``load_default``)."""
    out = {name: fld.load_default for name, fld in FacebookSettings().fields.items()
           if type(fld.load_default).__name__ != "_Missing"}
    out.update({k: v for k, v in dict(settings).items() if v is not None})
    return out
