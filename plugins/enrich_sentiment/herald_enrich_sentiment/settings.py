"""The plugin's settings: how wide the neutral band is, and the operator's own ONNX model."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from herald.plugins import PluginSettings
from herald_enrich_sentiment.onnx_model import SentimentModelError, load

#: polarity within ±this is neutral (VADER's own convention is 0.05)
DEFAULT_NEUTRAL_BAND = 0.05


class SentimentSettings(Schema):
    neutral_band = fields.Float(load_default=DEFAULT_NEUTRAL_BAND, validate=validate.Range(min=0.0, max=0.9))
    onnx_model = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4096))

    @validates("onnx_model")
    def _a_model_that_keeps_the_contract(self, value: str | None, **_: Any) -> None:
        if value:
            try:
                load(value)
            except SentimentModelError as exc:
                raise ValidationError(str(exc)) from exc


SETTINGS = PluginSettings(SentimentSettings, instance_fields=("onnx_model",), description={
    "neutral_band": "A polarity within ± this is neutral (0.05 as VADER; larger calls fewer texts polar)",
    "onnx_model": "Path on the server of an ONNX model to use instead of the built-in scorers: input "
                  "[N, D] float hashed features or [N, 1] strings, output [N, 3] probabilities of "
                  "negative, neutral, positive (HERALD_ENRICH_SENTIMENT__ONNX_MODEL)",
})
