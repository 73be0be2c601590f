"""The sentiment enricher: polarity, label and confidence of a post or an engagement item, in
English, Arabic, Persian, Urdu and Hindi (Devanagari and Latin script), offline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from herald.plugins import Enricher
from herald_enrich_sentiment import english, onnx_model, scorer
from herald_enrich_sentiment.routing import SCORERS, scorer_for
from herald_enrich_sentiment.settings import DEFAULT_NEUTRAL_BAND

LABELS = ("negative", "neutral", "positive")
EMPTY_CONFIDENCE = 0.05


def _score(text: str, route: str) -> scorer.Score:
    if route in ("en", "en_fallback"):
        return english.score(text)
    if route == "emoji":
        faces = scorer.emoji.polarities(text)
        return scorer.Score(scorer.squash(scorer.exclaimed(scorer.EMOJI_WEIGHT * sum(faces), text)), len(faces), 0)
    return scorer.score(text, route)


def label_of(polarity: float, band: float) -> str:
    if polarity > band:
        return "positive"
    if polarity < -band:
        return "negative"
    return "neutral"


def rule_annotations(text: str, language: str | None, band: float = DEFAULT_NEUTRAL_BAND) -> dict[str, Any]:
    """The annotations of the built-in scorers for ``text``.

    Confidence is a heuristic, not a calibrated probability: 0.5 + 0.45·|polarity| for a polar
    answer; 0.5 for a neutral text that held no sentiment word, 0.4 for one whose words cancelled
    out; 0.05 for a text with no words and no emoji; times 0.6 outside the five languages."""
    text = text or ""
    if not text.strip():
        return {"sentiment": 0.0, "sentiment_label": "neutral", "sentiment_confidence": EMPTY_CONFIDENCE,
                "sentiment_method": "empty"}
    route = scorer_for(text, language)
    result = _score(text, route)
    label = label_of(result.polarity, band)
    if label != "neutral":
        confidence = 0.5 + 0.45 * min(1.0, abs(result.polarity))
    elif result.evidence:
        confidence = 0.4
    else:
        confidence = 0.5 if result.words else EMPTY_CONFIDENCE
    if not SCORERS[route]:
        confidence *= 0.6
    return {"sentiment": round(result.polarity, 4), "sentiment_label": label,
            "sentiment_confidence": round(confidence, 3), "sentiment_method": f"rules:{route}"}


class SentimentEnricher(Enricher):
    """Answers ``sentiment`` (-1..1), ``sentiment_label``, ``sentiment_confidence`` (0..1) and
    ``sentiment_method`` (which scorer or model answered)."""

    key = "sentiment"
    display_name = "Sentiment (en, ar, fa, ur, hi)"
    subjects: ClassVar[tuple[str, ...]] = ("post", "engagement")
    version = "1.0"
    provides: ClassVar[tuple[str, ...]] = ("sentiment", "sentiment_label")
    needs: ClassVar[tuple[str, ...]] = ("language",)

    @property
    def band(self) -> float:
        return float(self.settings.get("neutral_band", DEFAULT_NEUTRAL_BAND))

    def enrich(self, subject: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.enrich_many(subject, [payload])[0]

    def enrich_many(self, subject: str, payloads: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        texts = [str(p.get("text") or "") for p in payloads]
        path = self.settings.get("onnx_model")
        if path:
            return self._with_model(path, texts)
        band = self.band
        languages = [_language(p) for p in payloads]
        return [rule_annotations(t, lang, band) for t, lang in zip(texts, languages, strict=True)]

    def _with_model(self, path: str, texts: list[str]) -> list[dict[str, Any]]:
        model = onnx_model.cached(path)
        out: list[dict[str, Any]] = [{}] * len(texts)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        for i, t in enumerate(texts):
            if not t.strip():
                out[i] = rule_annotations(t, None)
        probs = model.probabilities([texts[i] for i in todo])
        for row, i in enumerate(todo):
            p = probs[row]
            best = int(p.argmax())
            out[i] = {"sentiment": round(float(p[2] - p[0]), 4), "sentiment_label": LABELS[best],
                      "sentiment_confidence": round(float(p[best]), 3), "sentiment_method": "onnx"}
        return out


def _language(payload: dict[str, Any]) -> str | None:
    language = payload.get("language")
    if not language:
        language = (payload.get("annotations") or {}).get("language")
    return str(language) if language else None
