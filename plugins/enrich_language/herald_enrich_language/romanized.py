"""The romanized-Hindi model: does a Latin-script text read as Hindi ("mera order abhi tak nahi
aaya") or as another language written in Latin letters?

A character n-gram naive Bayes model of single words (1- to 4-grams of `` word ``), one class
for romanized Hindi and one for the Latin-script languages Herald usually sees. A text's score
is the mean of its words' clipped log-likelihood ratios, so a few English words in a Hinglish
sentence ("order", "delivery") do not outvote the Hindi around them. :mod:`.train_romanized`
builds the model file."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

MODEL_FILE = "romanized_hindi.npz"
#: n-gram orders the model counts
ORDERS = (1, 2, 3, 4)
#: one word says at most this much, either way (log-likelihood ratio per n-gram, averaged)
WORD_CLIP = 1.5


def ngrams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i:i + n] for n in ORDERS for i in range(len(padded) - n + 1)
            if padded[i:i + n] != " "]


@dataclass(frozen=True)
class RomanizedHindiModel:
    """Per n-gram log-likelihood ratios (Hindi over other), the ratio of an unseen n-gram, and
    the decision threshold and slope the training chose."""

    ratios: dict[str, float]
    unseen: float
    threshold: float
    slope: float
    version: str

    def word_score(self, word: str) -> float:
        grams = ngrams(word)
        if not grams:
            return 0.0
        total = sum(self.ratios.get(g, self.unseen) for g in grams)
        return max(-WORD_CLIP, min(WORD_CLIP, total / len(grams)))

    def score(self, text: str) -> float | None:
        """The mean word score of a Latin-script text (positive reads as Hindi), or None for a
        text without words."""
        words = [w for w in text.lower().replace("'", " ").split() if any(c.isalpha() for c in w)]
        if not words:
            return None
        return sum(self.word_score(w) for w in words) / len(words)

    def probability(self, text: str) -> float | None:
        """How likely the text is romanized Hindi (0..1), or None for a text without words."""
        s = self.score(text)
        if s is None:
            return None
        z = self.slope * (s - self.threshold)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def load_model() -> RomanizedHindiModel:
    """The model shipped in the package (loaded once per process)."""
    with (resources.files("herald_enrich_language") / "data" / MODEL_FILE).open("rb") as fh:
        data = np.load(fh, allow_pickle=False)
        grams = [str(g) for g in data["ngrams"]]
        ratios = dict(zip(grams, data["ratios"].astype(float).tolist(), strict=True))
        meta = data["meta"].astype(float).tolist()
        version = str(data["version"])
    return RomanizedHindiModel(ratios, unseen=meta[0], threshold=meta[1], slope=meta[2], version=version)
