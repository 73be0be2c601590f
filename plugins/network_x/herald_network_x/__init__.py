"""X (Twitter) API v2: validation of posts as X counts them; publishing arrives with the engine."""

from __future__ import annotations

import re
import unicodedata

from marshmallow import Schema, fields, validate

from herald.plugins import (
    Capabilities,
    NetworkConnector,
    PluginSettings,
    Problem,
    VariantDraft,
    hookimpl,
)

HERALD_HOOK_API = "1.0"

URL_RE = re.compile(r"https?://[^\s]+", re.IGNORECASE)
#: X wraps every link with t.co: each counts as 23 characters whatever its length.
URL_WEIGHT = 23


def weighted_length(text: str) -> int:
    """X's weighted count (twitter-text v3): code points in Latin, general punctuation and a few
    symbol ranges weigh 1; everything else (CJK, emoji, most other scripts' wide forms) weighs 2;
    URLs weigh 23. Text is NFC-normalised first, as X does. The limit is 280 weighted units."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    last = 0
    for m in URL_RE.finditer(text):
        total += _weigh(text[last:m.start()]) + URL_WEIGHT
        last = m.end()
    return total + _weigh(text[last:])


def _weigh(segment: str) -> int:
    n = 0
    for ch in segment:
        cp = ord(ch)
        light = cp <= 0x10FF or 0x2000 <= cp <= 0x200D or 0x2010 <= cp <= 0x201F or 0x2032 <= cp <= 0x2037
        n += 1 if light else 2
    return n


class XConnector(NetworkConnector):
    key = "x"
    display_name = "X"
    capabilities = Capabilities(
        max_text_length=280, media_kinds=("image", "video", "gif"), max_media=4,
        supports_threads=True, supports_delete=True, supports_metrics=True, supports_mentions=True,
    )

    def text_length(self, text: str) -> int:
        return weighted_length(text)

    def validate(self, draft: VariantDraft) -> list[Problem]:
        problems = super().validate(draft)
        kinds = [m.get("kind") for m in draft.media]
        moving = [k for k in kinds if k in ("video", "gif")]
        if moving and len(kinds) > 1:
            problems.append(Problem("media", "video_alone",
                                    "X accepts either up to 4 images or a single video or GIF, not both."))
        return problems


class XSettings(Schema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_secret = fields.String(validate=validate.Length(max=500))
    api_base_url = fields.Url(load_default="https://api.x.com", require_tld=False)
    authorize_url = fields.Url(load_default="https://x.com/i/oauth2/authorize", require_tld=False)
    upload_base_url = fields.Url(load_default="https://upload.twitter.com", require_tld=False)


@hookimpl
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [XConnector]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(XSettings, secret_fields=("client_secret",), description={
        "client_id": "OAuth 2.0 client id of your X app",
        "client_secret": "OAuth 2.0 client secret (confidential clients)",
        "api_base_url": "X API host (point at a proxy or test server if needed)",
    })
