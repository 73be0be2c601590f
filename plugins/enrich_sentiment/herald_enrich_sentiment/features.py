"""Hashed n-gram features: the float input of an operator's ONNX model.

For each text: normalised (Arabic-script and Devanagari normalisation, lower case), split into
words (letters and digits of any script); features are every word (``w:<word>``), every pair of
neighbouring words (``b:<word> <word>``) and every character trigram of ``␂word␃``
(``c:<trigram>``, with U+0002 and U+0003 marking the word's edges). Each feature adds 1.0 to
bucket ``crc32(utf-8 bytes) mod D``; the row is then divided by its L2 norm (an all-zero row
stays zero). ``D`` is the model input's second dimension."""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Sequence

import numpy as np

from herald_enrich_sentiment.normalise import any_script

_WORD = re.compile(r"[^\W_]+(?:[\u0900-\u0903\u093a-\u094f\u0955-\u0957\u0962\u0963][^\W_]*)*")


def words(text: str) -> list[str]:
    return _WORD.findall(any_script(text))


def feature_names(text: str) -> list[str]:
    ws = words(text)
    out = [f"w:{w}" for w in ws]
    out += [f"b:{a} {b}" for a, b in itertools.pairwise(ws)]
    for w in ws:
        marked = f"\x02{w}\x03"
        out += [f"c:{marked[k:k + 3]}" for k in range(len(marked) - 2)]
    return out


def hashed(texts: Sequence[str], dim: int) -> np.ndarray:
    """A float32 matrix ``[len(texts), dim]`` of the texts' hashed, L2-normalised features."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        for name in feature_names(text or ""):
            out[row, zlib.crc32(name.encode("utf-8")) % dim] += 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
