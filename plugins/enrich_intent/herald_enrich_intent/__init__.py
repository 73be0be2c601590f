"""Intent, team and topics for Herald's inbox: tags mentions, comments and DMs in English, Arabic,
Persian, Urdu and Hindi (Devanagari and Latin letters) as a sales enquiry, support issue,
complaint, praise, question or spam, suggests the team to answer, and finds the tenant's own
topics by keywords and examples. Runs offline: cue lexicons and a small classifier shipped with it."""

from __future__ import annotations

from herald.plugins import Enricher, PluginSettings, hookimpl
from herald_enrich_intent.enricher import IntentClassifier, IntentEnricher
from herald_enrich_intent.settings import SETTINGS

HERALD_HOOK_API = "1.5"
HERALD_DEFAULT_ENABLED = False

__all__ = ["IntentClassifier", "IntentEnricher"]


@hookimpl
def herald_enrichers() -> list[type[Enricher]]:
    return [IntentEnricher]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
