"""Instagram Graph API: validation of captions and media; publishing arrives with the engine."""

from __future__ import annotations

import re

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

MAX_HASHTAGS = 30
MAX_MENTIONS = 20
HASHTAG_RE = re.compile(r"(?<!\w)#\w+")
MENTION_RE = re.compile(r"(?<![\w@])@[\w.]+")


class InstagramConnector(NetworkConnector):
    key = "instagram"
    display_name = "Instagram"
    capabilities = Capabilities(
        max_text_length=2200, media_kinds=("image", "video"), min_media=1, max_media=10,
        supports_first_comment=True, supports_metrics=True, supports_mentions=True,
    )

    def validate(self, draft: VariantDraft) -> list[Problem]:
        problems = super().validate(draft)
        tags = len(HASHTAG_RE.findall(draft.text))
        if tags > MAX_HASHTAGS:
            problems.append(Problem("text", "too_many_hashtags",
                                    f"Instagram allows {MAX_HASHTAGS} hashtags per caption; this one has {tags}."))
        mentions = len(MENTION_RE.findall(draft.text))
        if mentions > MAX_MENTIONS:
            problems.append(Problem("text", "too_many_mentions",
                                    f"Instagram allows {MAX_MENTIONS} @mentions per caption; this one has {mentions}."))
        return problems


class InstagramSettings(Schema):
    app_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    app_secret = fields.String(required=True, validate=validate.Length(min=1, max=500))
    graph_base_url = fields.Url(load_default="https://graph.facebook.com", require_tld=False)
    graph_version = fields.String(load_default="v25.0", validate=validate.Regexp(r"^v\d{1,3}\.\d$"))
    publishing_limit_per_day = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))
    webhook_verify_token = fields.String(validate=validate.Length(min=8, max=200))


@hookimpl
def herald_network_connectors() -> list[type[NetworkConnector]]:
    return [InstagramConnector]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(InstagramSettings, secret_fields=("app_secret", "webhook_verify_token"), description={
        "graph_base_url": "Graph API host (graph.facebook.com or graph.instagram.com, or a proxy)",
        "publishing_limit_per_day": "API-published posts per rolling 24 h per account",
    })
