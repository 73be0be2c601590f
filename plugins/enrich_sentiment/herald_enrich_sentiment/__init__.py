"""Sentiment for Herald: polarity (-1..1), label and confidence of posts and engagement items in
English, Arabic, Persian, Urdu and Hindi (Devanagari and Latin script), offline, from lexicons and
rules shipped in the package, or from the operator's own ONNX model."""

from __future__ import annotations

from herald.plugins import Enricher, PluginSettings, hookimpl
from herald_enrich_sentiment.enricher import SentimentEnricher
from herald_enrich_sentiment.settings import SETTINGS

HERALD_HOOK_API = "1.5"
HERALD_DEFAULT_ENABLED = False

__all__ = ["SentimentEnricher"]


@hookimpl
def herald_enrichers() -> list[type[Enricher]]:
    return [SentimentEnricher]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
