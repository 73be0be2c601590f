"""The learned half: a multinomial logistic regression over hashed n-grams (trained by
``training/train_intent.py``, shipped as ``data/intent_model.npz``), and the weights that combine
its probabilities with the cue scores (chosen on the training seed by cross-validation)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np

from herald_enrich_intent.cues import INTENTS

#: the classes the model scores: the six intents and "none" (nothing fits)
CLASSES: tuple[str, ...] = (*INTENTS, "none")


@dataclass(frozen=True)
class IntentModel:
    """``weights`` (buckets × classes), ``bias``, the combination (``cue_weight``: how much one
    cue point moves a class's log-odds; ``none_bias``; ``threshold``: least probability of the
    best intent), and ``idf`` (per bucket, for topic similarity)."""

    weights: np.ndarray
    bias: np.ndarray
    cue_weight: float
    none_bias: float
    threshold: float
    idf: np.ndarray
    version: str

    def logits(self, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """The model's log-odds for one sparse vector."""
        return vals @ self.weights[idx] + self.bias

    def combine(self, logits: np.ndarray, cues: np.ndarray) -> np.ndarray:
        """Probabilities over :data:`CLASSES` from the model's log-odds and the cue scores."""
        z = logits.astype(np.float64, copy=True)
        z[:-1] += self.cue_weight * cues
        z[-1] += self.none_bias
        z -= z.max()
        p = np.exp(z)
        return p / p.sum()


def load(path: str | None = None) -> IntentModel:
    """The model at ``path`` (default: the one shipped with the package)."""
    if path is None:
        return _shipped()
    return _read(path)


@lru_cache(maxsize=1)
def _shipped() -> IntentModel:
    return _read(str(files("herald_enrich_intent") / "data" / "intent_model.npz"))


def _read(path: str) -> IntentModel:
    with np.load(path) as data:
        classes = tuple(str(c) for c in data["classes"])
        if classes != CLASSES:
            raise ValueError(f"{path}: the model scores {classes}, expected {CLASSES}")
        return IntentModel(
            weights=data["weights"].astype(np.float32), bias=data["bias"].astype(np.float64),
            cue_weight=float(data["cue_weight"]), none_bias=float(data["none_bias"]),
            threshold=float(data["threshold"]), idf=data["idf"].astype(np.float32),
            version=str(data["version"]),
        )
