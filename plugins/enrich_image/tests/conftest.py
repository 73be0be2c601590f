"""Fixtures for the image enricher's tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from herald_enrich_image import ImageEnricher
from herald_enrich_image.settings import ImageSettings


@pytest.fixture
def make_enricher() -> Callable[..., ImageEnricher]:
    """An enricher for tenant ``acme`` with the settings as Herald loads them (overrides applied)."""

    def make(**overrides: Any) -> ImageEnricher:
        return ImageEnricher("acme", ImageSettings().load(overrides))

    return make


def payload(*images: bytes | None, logos: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"text": "", "language": None, "kind": "mention", "network": "x", "author": None,
            "annotations": {}, "media": [{"url": f"https://cdn.example/{i}.png", "mime": "image/png", "data": d}
                                         for i, d in enumerate(images)], "logos": logos or []}


@pytest.fixture
def make_payload() -> Callable[..., dict[str, Any]]:
    return payload
