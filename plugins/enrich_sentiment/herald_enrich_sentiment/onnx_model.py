"""An operator's own sentiment model in ONNX, run with onnxruntime on the CPU.

The contract: one input, of rank 2, either

- ``tensor(float)`` of shape ``[N, D]`` with a fixed ``D``: the texts' hashed features
  (:mod:`herald_enrich_sentiment.features`), or
- ``tensor(string)`` of shape ``[N, 1]``: the raw texts (as models exported from scikit-learn
  pipelines with a text vectoriser take them);

and a first output of shape ``[N, 3]``: the probabilities of negative, neutral and positive, in
that order. Rows are clipped at 0 and divided by their sum; polarity is ``p(positive) -
p(negative)``, the label the likeliest class and the confidence its probability."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from herald_enrich_sentiment.features import hashed


class SentimentModelError(RuntimeError):
    """The configured ONNX model is missing, unreadable or does not keep the contract."""


@dataclass
class OnnxSentimentModel:
    path: str
    session: object
    input_name: str
    takes_text: bool
    dim: int

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """``[len(texts), 3]`` probabilities (negative, neutral, positive)."""
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        feed = np.array([[t or ""] for t in texts], dtype=object) if self.takes_text else hashed(texts, self.dim)
        try:
            out = np.asarray(self.session.run(None, {self.input_name: feed})[0], dtype=np.float64)  # type: ignore[attr-defined]
        except Exception as exc:
            raise SentimentModelError(f"onnx_model {self.path}: the model failed to run: {exc}") from exc
        if out.shape != (len(texts), 3):
            raise SentimentModelError(
                f"onnx_model {self.path}: the output has shape {list(out.shape)}, not [N, 3] "
                "(negative, neutral, positive)")
        out = np.clip(out, 0.0, None)
        sums = out.sum(axis=1, keepdims=True)
        return np.divide(out, sums, out=np.full_like(out, 1 / 3), where=sums > 0)


def load(path: str) -> OnnxSentimentModel:
    """Open and check the model at ``path``; :class:`SentimentModelError` says what is wrong."""
    if not os.path.isfile(path):
        raise SentimentModelError(f"onnx_model {path}: no such file")
    try:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise SentimentModelError(f"onnx_model {path}: not a model onnxruntime can load: {exc}") from exc
    inputs = session.get_inputs()
    if len(inputs) != 1:
        raise SentimentModelError(f"onnx_model {path}: the model takes {len(inputs)} inputs, not one")
    given = inputs[0]
    shape = list(given.shape)
    if len(shape) != 2:
        raise SentimentModelError(f"onnx_model {path}: the input has shape {shape}, not [N, D] or [N, 1]")
    if given.type == "tensor(string)":
        model = OnnxSentimentModel(path, session, given.name, True, 1)
    elif given.type == "tensor(float)":
        if not isinstance(shape[1], int) or shape[1] < 1:
            raise SentimentModelError(f"onnx_model {path}: the feature input needs a fixed width D, not {shape[1]!r}")
        model = OnnxSentimentModel(path, session, given.name, False, int(shape[1]))
    else:
        raise SentimentModelError(f"onnx_model {path}: the input is {given.type}, not tensor(float) or tensor(string)")
    model.probabilities(["probe"])  # the output's shape is only known once it has run
    return model


_CACHE: dict[tuple[str, float, int], OnnxSentimentModel] = {}
_LOCK = threading.Lock()


def cached(path: str) -> OnnxSentimentModel:
    """The model at ``path``, loaded once per file version (path, modification time, size)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise SentimentModelError(f"onnx_model {path}: no such file") from exc
    key = (path, st.st_mtime, st.st_size)
    with _LOCK:
        model = _CACHE.get(key)
        if model is None:
            model = load(path)
            for old in [k for k in _CACHE if k[0] == path]:
                del _CACHE[old]
            _CACHE[key] = model
        return model
