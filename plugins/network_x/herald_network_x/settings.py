"""The settings a tenant gives the X connector (validated by Herald, secrets encrypted at rest)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.plugins import PluginSettings

#: Scopes Herald needs: post, read, identify the account and get a refresh token.
DEFAULT_SCOPES = "tweet.read tweet.write users.read offline.access"
MAX_CHUNK = 5 * 1024 * 1024
UPLOAD_STYLES = ("v1.1", "v2", "v2_routes")


class XSettings(Schema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_secret = fields.String(allow_none=True, validate=validate.Length(max=500))
    api_base_url = fields.Url(load_default="https://api.x.com", require_tld=False)
    authorize_url = fields.Url(load_default="https://x.com/i/oauth2/authorize", require_tld=False)
    upload_base_url = fields.Url(load_default="https://upload.twitter.com", require_tld=False)
    web_base_url = fields.Url(load_default="https://x.com", require_tld=False)
    scopes = fields.String(load_default=DEFAULT_SCOPES, validate=validate.Length(min=1, max=500))
    timeout_seconds = fields.Float(load_default=30.0, validate=validate.Range(min=0.05, max=600))
    connect_timeout_seconds = fields.Float(load_default=10.0, validate=validate.Range(min=0.05, max=120))
    media_upload_style = fields.String(load_default="v1.1", validate=validate.OneOf(UPLOAD_STYLES))
    media_chunk_bytes = fields.Integer(load_default=MAX_CHUNK, validate=validate.Range(min=1024, max=MAX_CHUNK))
    media_processing_timeout_seconds = fields.Float(load_default=600.0, validate=validate.Range(min=0, max=3600))
    search_index_lag_seconds = fields.Float(load_default=60.0, validate=validate.Range(min=0, max=3600))
    max_pages = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))
    direct_messages = fields.Boolean(load_default=False)
    dm_read_limit = fields.Integer(load_default=15, validate=validate.Range(min=1, max=10000))
    dm_max_pages = fields.Integer(load_default=3, validate=validate.Range(min=1, max=100))


#: Where Herald connects (and sends people to connect): set by the operator
#: (HERALD_NETWORK_X__API_BASE_URL, …), changeable by a tenant only where HERALD_TENANT_OVERRIDES allows.
URL_FIELDS = ("api_base_url", "upload_base_url", "authorize_url")

SETTINGS = PluginSettings(XSettings, secret_fields=("client_secret",), instance_fields=URL_FIELDS, description={
    "client_id": "OAuth 2.0 client id of your X app",
    "client_secret": "OAuth 2.0 client secret (confidential clients; leave empty for public clients)",
    "api_base_url": "X API host (point at a proxy or test server if needed)",
    "authorize_url": "Page people are sent to to connect an account",
    "upload_base_url": "Host of the v1.1 media upload endpoint",
    "web_base_url": "Host used to build links to published posts",
    "scopes": "OAuth scopes requested when connecting (media.write is added for v2 uploads)",
    "timeout_seconds": "How long to wait for X's answer to one request",
    "connect_timeout_seconds": "How long to wait for a connection to X",
    "media_upload_style": "v1.1 (upload.twitter.com chunked), v2 (/2/media/upload with commands) "
                          "or v2_routes (/2/media/upload/initialize, …/append, …/finalize)",
    "media_chunk_bytes": "Size of each uploaded media chunk (at most 5 MB)",
    "media_processing_timeout_seconds": "How long to wait for X to process a video before giving up",
    "search_index_lag_seconds": "How long X's recent search may take to show a new post; a lookup "
                                "sooner than this after an attempt cannot rule the post out",
    "max_pages": "Most pages read per mentions or search call",
    "direct_messages": "Read and answer direct messages (X gives them to Pro and Enterprise apps; adds the "
                       "dm.read and dm.write scopes, so accounts connected before need reconnecting)",
    "dm_read_limit": "Direct-message reads allowed per 15 minutes, assumed when X's answer carries no "
                     "rate-limit headers (15 in X's current documentation, 300 in older ones)",
    "dm_max_pages": "Most pages of direct messages read per poll or look-up (100 messages a page)",
})
