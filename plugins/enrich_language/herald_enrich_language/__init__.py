"""Offline language detection for Herald: every post and engagement item gets an ISO 639-1
language, a confidence and its script, including Urdu, Persian and Arabic told apart in short
texts and Hindi written in Latin letters ("mera order abhi tak nahi aaya")."""

from __future__ import annotations

from herald.plugins import Enricher, PluginSettings, hookimpl
from herald_enrich_language.enricher import LanguageEnricher
from herald_enrich_language.settings import SETTINGS

HERALD_HOOK_API = "1.5"
HERALD_DEFAULT_ENABLED = False

__all__ = ["LanguageEnricher"]


@hookimpl
def herald_enrichers() -> list[type[Enricher]]:
    return [LanguageEnricher]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
