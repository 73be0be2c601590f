"""The language enricher Herald runs on every post and engagement item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from herald.plugins import Enricher
from herald_enrich_language.detector import Detection, detect_many
from herald_enrich_language.languages import parse_languages


class LanguageEnricher(Enricher):
    """Answers ``language`` (ISO 639-1 or None), ``language_confidence`` (0..1) and ``script``
    (ISO 15924: ``Latn`` beside romanized Hindi, ``Deva`` beside Hindi in Devanagari)."""

    key = "language"
    display_name = "Language"
    subjects: ClassVar[tuple[str, ...]] = ("post", "engagement")
    version: ClassVar[str] = "1"
    provides: ClassVar[tuple[str, ...]] = ("language",)

    def _options(self) -> tuple[tuple[str, ...], int, float]:
        s = self.settings or {}
        return (parse_languages(s.get("languages")), int(s.get("min_letters", 4)),
                float(s.get("min_confidence", 0.2)))

    @staticmethod
    def _annotations(d: Detection) -> dict[str, Any]:
        return {"language": d.language, "language_confidence": d.confidence, "script": d.script}

    def enrich(self, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.enrich_many(subject, [payload])[0]

    def enrich_many(self, subject: str, payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        codes, min_letters, min_confidence = self._options()
        found = detect_many([p.get("text") for p in payloads], codes, min_letters=min_letters,
                            min_confidence=min_confidence)
        return [self._annotations(d) for d in found]
