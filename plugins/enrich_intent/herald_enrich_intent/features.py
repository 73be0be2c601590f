"""Hashed n-gram vectors of a normalised text: word unigrams and bigrams and character 2- to
4-grams (across word edges too, so that inflected and run-together forms share features), each
hashed into :data:`DIM` buckets with a hash that is the same in every process."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

DIM = 1 << 16
_MASK = np.uint64(DIM - 1)
_MULT = np.uint64(1000003)
_SEEDS = {n: np.uint64(0x9E3779B97F4A7C15 * n & 0xFFFFFFFFFFFFFFFF) for n in (2, 3, 4)}
_SHIFT = np.uint64(29)
#: how far a character n-gram counts against a word feature
CHAR_WEIGHT = 0.5


def sparse_vector(toks: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(bucket indices, values) of ``toks``: log-scaled counts, L2-normalised."""
    words = [zlib.crc32(b"w" + t.encode()) & (DIM - 1) for t in toks]
    words += [zlib.crc32(b"b" + a.encode() + b" " + b.encode()) & (DIM - 1) for a, b in pairwise(toks)]
    text = " " + " ".join(toks) + " "
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    grams = []
    with np.errstate(over="ignore"):
        for n, seed in _SEEDS.items():
            m = len(cps) - n + 1
            if m <= 0:
                continue
            h = np.full(m, seed, dtype=np.uint64)
            for k in range(n):
                h = (h * _MULT) ^ cps[k:k + m]
            grams.append(((h ^ (h >> _SHIFT)) & _MASK).astype(np.int64))
    word_idx = np.asarray(words, dtype=np.int64)
    char_idx = np.concatenate(grams) if grams else np.zeros(0, dtype=np.int64)
    idx = np.concatenate([word_idx, char_idx])
    weights = np.concatenate([np.ones(len(word_idx)), np.full(len(char_idx), CHAR_WEIGHT)])
    if len(idx) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    uniq, inverse = np.unique(idx, return_inverse=True)
    vals = np.log1p(np.bincount(inverse, weights=weights))
    norm = np.sqrt(np.dot(vals, vals))
    return uniq, (vals / norm).astype(np.float32)


def weighted(idx: np.ndarray, vals: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """``vals`` scaled by the buckets' inverse document frequency, L2-normalised again."""
    out = vals * idf[idx]
    norm = float(np.sqrt(np.dot(out, out)))
    return out / norm if norm else out
