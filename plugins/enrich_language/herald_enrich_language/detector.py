"""Language detection of short social texts: lingua on the cleaned text, letter evidence for
Urdu, Persian and Arabic, and the romanized-Hindi model for Latin-script text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from herald_enrich_language.arabic_script import letter_evidence
from herald_enrich_language.cleaning import CleanText, clean
from herald_enrich_language.romanized import load_model
from herald_enrich_language.scripts import dominant_script

if TYPE_CHECKING:
    from lingua import LanguageDetector

ARABIC_SCRIPT_LANGUAGES = ("ar", "fa", "ur")
#: lingua this sure of a Latin-script language other than English overrules the romanized-Hindi
#: model (Indonesian "apa kabar" looks like Hindi letter by letter)
LINGUA_OVERRULES = 0.6


@dataclass(frozen=True)
class Detection:
    """One text's language (None when it cannot be told), confidence (0..1) and script."""

    language: str | None
    confidence: float
    script: str | None


@lru_cache(maxsize=8)
def lingua_detector(codes: tuple[str, ...]) -> LanguageDetector:
    """One lingua detector per set of languages, per process. Models load lazily: lingua first
    filters candidates by script, so a tenant's Arabic-script texts never load the Latin models."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    isos = [IsoCode639_1.from_str(c) for c in codes]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*isos).build()


def _arabic_script(confidences: dict[str, float], text: CleanText) -> tuple[str, float] | None:
    candidates = [c for c in ARABIC_SCRIPT_LANGUAGES if c in confidences]
    if not candidates:
        return None
    evidence = letter_evidence(text.text)
    if text.arabic_indic_digits and not text.extended_digits:
        evidence["ar"] += 1.0
    elif text.extended_digits and not text.arabic_indic_digits:
        evidence["ar"] -= 1.0
    mass = sum(confidences[c] for c in candidates)
    logits = {c: math.log(confidences[c] + 1e-3) + evidence[c] for c in candidates}
    top = max(logits.values())
    z = sum(math.exp(v - top) for v in logits.values())
    best = max(logits, key=lambda c: logits[c])
    return best, mass * math.exp(logits[best] - top) / z


def _combine(text: CleanText, confidences: dict[str, float], codes: tuple[str, ...], min_confidence: float
             ) -> Detection:
    script = dominant_script(text.text)
    if not confidences:
        return Detection(None, 0.0, script)
    best = max(confidences, key=lambda c: confidences[c])
    confidence = confidences[best]
    if script == "Arab" and best in ARABIC_SCRIPT_LANGUAGES:
        best, confidence = _arabic_script(confidences, text) or (best, confidence)
    elif script == "Latn" and "hi" in codes:
        p = load_model().probability(text.text)
        overruled = best != "en" and confidence >= LINGUA_OVERRULES
        if p is not None and p >= 0.5 and not overruled:
            best, confidence = "hi", p
    if confidence < min_confidence:
        return Detection(None, confidence, script)
    return Detection(best, round(confidence, 4), script)


def detect_many(texts: Sequence[str | None], codes: tuple[str, ...], *, min_letters: int = 4,
                min_confidence: float = 0.2) -> list[Detection]:
    """The language of each text, in order, choosing among ``codes`` (ISO 639-1)."""
    cleaned = [clean(t) for t in texts]
    todo = [i for i, c in enumerate(cleaned) if c.letters >= min_letters]
    out = [Detection(None, 0.0, dominant_script(c.text)) for c in cleaned]
    if not todo:
        return out
    detector = lingua_detector(codes)
    values = detector.compute_language_confidence_values_in_parallel([cleaned[i].text for i in todo])
    for i, row in zip(todo, values, strict=True):
        confidences = {v.language.iso_code_639_1.name.lower(): v.value for v in row if v.value > 0}
        out[i] = _combine(cleaned[i], confidences, codes, min_confidence)
    return out


def detect(text: str | None, codes: tuple[str, ...], *, min_letters: int = 4, min_confidence: float = 0.2
           ) -> Detection:
    """The language of one text (see :func:`detect_many`)."""
    return detect_many([text], codes, min_letters=min_letters, min_confidence=min_confidence)[0]
