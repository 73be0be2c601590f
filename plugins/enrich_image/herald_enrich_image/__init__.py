"""Image tagging: the text in each image (OCR with tesseract), faces, unsafe content, dominant
colours and the tenant's own logos, as the ``image`` annotation and ``tags`` routing rules match."""

from __future__ import annotations

from herald.plugins import Enricher, PluginSettings, hookimpl
from herald_enrich_image.enricher import ImageEnricher
from herald_enrich_image.settings import SETTINGS

HERALD_HOOK_API = "1.5"
HERALD_DEFAULT_ENABLED = False

__all__ = ["ImageEnricher"]


@hookimpl
def herald_enrichers() -> list[type[Enricher]]:
    return [ImageEnricher]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return SETTINGS
