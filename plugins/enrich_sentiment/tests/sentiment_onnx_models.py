"""Small ONNX models for the sentiment tests, built with the ``onnx`` package."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def linear_model(path: Path, weights: np.ndarray, outputs: int = 3) -> Path:
    """``softmax(features @ weights)``: input ``features`` float [N, D], output [N, outputs]."""
    dim = weights.shape[0]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["features", "W"], ["logits"]),
         helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1)],
        "sentiment_linear",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", dim])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", outputs])],
        [numpy_helper.from_array(weights.astype(np.float32), "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path
