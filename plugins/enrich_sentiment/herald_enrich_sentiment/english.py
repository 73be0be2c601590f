"""English through VADER (vaderSentiment, MIT): its lexicon, emoji descriptions, negation,
intensifiers, capitals, "but" and punctuation as published."""

from __future__ import annotations

from functools import cache

from herald_enrich_sentiment.scorer import Score


@cache
def _analyzer():  # type: ignore[no-untyped-def]
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def score(text: str) -> Score:
    """VADER's compound score; evidence is 1 where VADER found a sentiment-bearing word or emoji."""
    s = _analyzer().polarity_scores(text)
    return Score(float(s["compound"]), 1 if (s["pos"] or s["neg"]) else 0, len(text.split()))
