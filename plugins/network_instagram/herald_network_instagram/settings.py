"""The per-tenant settings of the Instagram connector."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.plugins import PluginSettings

LOGIN_FLAVOURS = ("facebook", "instagram")
DEFAULT_SCOPES = {
    "facebook": "instagram_basic,instagram_content_publish,pages_read_engagement,"
                "pages_show_list,instagram_manage_comments,instagram_manage_insights,instagram_manage_messages",
    "instagram": "instagram_business_basic,instagram_business_content_publish,"
                 "instagram_business_manage_comments,instagram_business_manage_insights,"
                 "instagram_business_manage_messages",
}
DEFAULT_DIALOGS = {
    "facebook": "https://www.facebook.com/v25.0/dialog/oauth",
    "instagram": "https://www.instagram.com/oauth/authorize",
}


class InstagramSettings(Schema):
    app_id = fields.String(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"description": "Meta app id (client_id)"})
    app_secret = fields.String(required=True, validate=validate.Length(min=1, max=500),
                               metadata={"description": "Meta app secret: token exchange and webhook signatures"})
    webhook_verify_token = fields.String(validate=validate.Length(min=8, max=200),
                                         metadata={"description": "Token Meta sends back in the webhook handshake"})
    api_base_url = fields.Url(
        load_default="https://graph.facebook.com/v25.0", require_tld=False, schemes={"http", "https"},
        validate=validate.Length(max=500),
        metadata={"description": "Graph API base: https://graph.facebook.com/vNN.0 (Facebook Login) or "
                                 "https://graph.instagram.com[/vNN.0] (Instagram Login), or a proxy"})
    login = fields.String(load_default="facebook", validate=validate.OneOf(LOGIN_FLAVOURS),
                          metadata={"description": "Which login the accounts use: facebook or instagram"})
    authorize_url = fields.Url(load_default=None, allow_none=True, require_tld=False, schemes={"http", "https"},
                               metadata={"description": "OAuth dialog URL (default: the login's own)"})
    instagram_token_url = fields.Url(
        load_default="https://api.instagram.com/oauth/access_token", require_tld=False, schemes={"http", "https"},
        metadata={"description": "Instagram Login: where an authorization code is traded for a token"})
    scopes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                           metadata={"description": "Comma-separated permissions to ask for (default: the login's)"})
    publishing_quota_per_day = fields.Integer(
        load_default=50, validate=validate.Range(min=1, max=1000),
        metadata={"description": "API-published posts per rolling 24 h per account"})
    quota_fallback_wait_s = fields.Integer(
        load_default=3600, validate=validate.Range(min=60, max=86400),
        metadata={"description": "Wait this long when the quota is used up and its reset is unknown"})
    throttle_fallback_wait_s = fields.Integer(
        load_default=600, validate=validate.Range(min=1, max=86400),
        metadata={"description": "Wait this long when throttled and the usage headers say nothing"})
    container_poll_interval_s = fields.Float(
        load_default=5.0, validate=validate.Range(min=0, max=120),
        metadata={"description": "Seconds between checks of a media container's status"})
    container_poll_limit = fields.Integer(
        load_default=60, validate=validate.Range(min=1, max=1000),
        metadata={"description": "Status checks before a still-processing container is given up for now"})
    request_timeout_s = fields.Float(load_default=30.0, validate=validate.Range(min=1, max=300),
                                     metadata={"description": "Timeout of one Graph API request"})
    insight_metrics = fields.String(load_default="reach,likes,comments,saved,shares",
                                    validate=validate.Regexp(r"^[a-z_]+(,[a-z_]+)*$"),
                                    metadata={"description": "Comma-separated insights metrics to read"})
    recent_media_limit = fields.Integer(
        load_default=10, validate=validate.Range(min=1, max=100),
        metadata={"description": "How many recent posts are scanned for comments and look-ups"})
    recent_conversations_limit = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=200),
        metadata={"description": "Direct messages: how many of the most recently active conversations the "
                                 "first poll of an account reads (later polls read every conversation "
                                 "active since the last one)"})


#: Where Herald connects (and sends people to connect): set by the operator
#: (HERALD_NETWORK_INSTAGRAM__API_BASE_URL, …), changeable by a tenant only where
#: HERALD_TENANT_OVERRIDES allows.
URL_FIELDS = ("api_base_url", "instagram_token_url", "authorize_url")

SETTINGS = PluginSettings(InstagramSettings, secret_fields=("app_secret", "webhook_verify_token"),
                          instance_fields=URL_FIELDS)


def defaults() -> dict[str, object]:
    """Every setting's default. (A partial load skips ``load_default``, so the defaults are
    read off the fields.)"""
    out: dict[str, object] = {}
    for name, fld in InstagramSettings().fields.items():
        value = fld.load_default
        if type(value).__name__ != "_Missing":
            out[name] = value() if callable(value) else value
    return out
