"""The operator's own ONNX model: a model the test builds is run, and a missing or wrongly
shaped one is refused with a message naming what is wrong."""

from __future__ import annotations

import numpy as np
import pytest
from marshmallow import ValidationError
from sentiment_onnx_models import linear_model

from herald_enrich_sentiment import SentimentEnricher
from herald_enrich_sentiment.features import hashed
from herald_enrich_sentiment.onnx_model import SentimentModelError, load
from herald_enrich_sentiment.settings import SentimentSettings

DIM = 64


def test_a_built_model_answers_its_probabilities(tmp_path) -> None:
    texts = ["good", "bad service", "hello"]
    weights = np.random.default_rng(7).normal(size=(DIM, 3)).astype(np.float32)
    path = linear_model(tmp_path / "m.onnx", weights)
    enricher = SentimentEnricher("acme", {"onnx_model": str(path)})
    answers = enricher.enrich_many("engagement", [{"text": t, "language": None} for t in texts])
    logits = hashed(texts, DIM) @ weights
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    for answer, p in zip(answers, expected, strict=True):
        assert answer["sentiment_method"] == "onnx"
        assert answer["sentiment_label"] == ("negative", "neutral", "positive")[int(p.argmax())]
        assert answer["sentiment"] == pytest.approx(float(p[2] - p[0]), abs=1e-3)
        assert answer["sentiment_confidence"] == pytest.approx(float(p.max()), abs=1e-3)
    assert enricher.enrich("post", {"text": "", "language": None})["sentiment_label"] == "neutral"


def test_a_missing_model_file_is_refused(tmp_path) -> None:
    with pytest.raises(SentimentModelError, match="no such file"):
        load(str(tmp_path / "absent.onnx"))
    with pytest.raises(ValidationError) as err:
        SentimentSettings().load({"onnx_model": str(tmp_path / "absent.onnx")})
    assert "onnx_model" in err.value.messages


def test_a_model_with_the_wrong_output_shape_is_refused(tmp_path) -> None:
    path = linear_model(tmp_path / "two.onnx", np.ones((DIM, 2), dtype=np.float32), outputs=2)
    with pytest.raises(SentimentModelError, match=r"not \[N, 3\]"):
        load(str(path))


def test_a_file_that_is_no_model_is_refused(tmp_path) -> None:
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"not a model")
    with pytest.raises(SentimentModelError, match="onnxruntime can load"):
        load(str(path))
