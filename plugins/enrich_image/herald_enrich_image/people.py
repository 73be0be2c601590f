"""Faces and unsafe content, from NudeNet's detector (a YOLOv8n ONNX model shipped inside the
``nudenet`` wheel, run here with onnxruntime): one pass answers both, since its classes include
male and female faces beside the exposed and covered body parts."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources

import cv2
import numpy as np
import onnxruntime as ort
from PIL import Image

#: the model's classes, in its output order (from nudenet 3.4.2)
LABELS = (
    "FEMALE_GENITALIA_COVERED", "FACE_FEMALE", "BUTTOCKS_EXPOSED", "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED", "MALE_BREAST_EXPOSED", "ANUS_EXPOSED", "FEET_EXPOSED",
    "BELLY_COVERED", "FEET_COVERED", "ARMPITS_COVERED", "ARMPITS_EXPOSED", "FACE_MALE",
    "BELLY_EXPOSED", "MALE_GENITALIA_EXPOSED", "ANUS_COVERED", "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)
#: what makes an image unsafe: exposed genitalia, female breasts, buttocks or anus
UNSAFE = frozenset({"BUTTOCKS_EXPOSED", "FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED",
                    "ANUS_EXPOSED", "MALE_GENITALIA_EXPOSED"})
FACES = frozenset({"FACE_FEMALE", "FACE_MALE"})
#: the model's input side
SIDE = 320
#: a face counts from this score (measured on scikit-image's astronaut: her face scores ~0.8)
FACE_SCORE = 0.4
#: detections below this are dropped before non-maximum suppression (nudenet's own value)
MIN_SCORE = 0.2

_session: ort.InferenceSession | None = None
_lock = threading.Lock()


def session() -> ort.InferenceSession:
    """The model, loaded once per process (about 12 MB)."""
    global _session
    with _lock:
        if _session is None:
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            model = resources.files("nudenet").joinpath("320n.onnx")
            with resources.as_file(model) as path:
                _session = ort.InferenceSession(str(path), sess_options=options,
                                                providers=["CPUExecutionProvider"])
        return _session


@dataclass
class Detection:
    label: str
    score: float
    box: tuple[int, int, int, int]  # x, y, w, h in the image's pixels


@dataclass
class PeopleResult:
    faces: int
    unsafe_score: float
    detections: list[Detection]


def detect(img: Image.Image) -> list[Detection]:
    """Every detection above :data:`MIN_SCORE`, after non-maximum suppression."""
    rgb = np.asarray(img.convert("RGB"))
    h, w = rgb.shape[:2]
    side = max(h, w)
    padded = np.zeros((side, side, 3), dtype=np.uint8)
    padded[:h, :w] = rgb
    blob = cv2.resize(padded, (SIDE, SIDE), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    blob = blob.transpose(2, 0, 1)[None]
    sess = session()
    out = sess.run(None, {sess.get_inputs()[0].name: blob})[0]
    rows = np.squeeze(out, 0).T  # (anchors, 4 + classes)
    scores = rows[:, 4:]
    best = scores.argmax(axis=1)
    best_score = scores.max(axis=1)
    keep = best_score >= MIN_SCORE
    if not keep.any():
        return []
    rows, best, best_score = rows[keep], best[keep], best_score[keep]
    scale = side / SIDE
    boxes = [[float((cx - bw / 2) * scale), float((cy - bh / 2) * scale), float(bw * scale), float(bh * scale)]
             for cx, cy, bw, bh in rows[:, :4]]
    picked = cv2.dnn.NMSBoxes(boxes, best_score.tolist(), MIN_SCORE, 0.45)
    found = []
    for i in np.asarray(picked).reshape(-1):
        x, y, bw, bh = boxes[i]
        found.append(Detection(LABELS[int(best[i])], float(best_score[i]),
                               (max(0, round(x)), max(0, round(y)), round(bw), round(bh))))
    return found


def people(img: Image.Image) -> PeopleResult:
    """How many faces, and the highest score of an unsafe part (0 when none)."""
    found = detect(img)
    faces = sum(1 for d in found if d.label in FACES and d.score >= FACE_SCORE)
    unsafe = max((d.score for d in found if d.label in UNSAFE), default=0.0)
    return PeopleResult(faces, round(unsafe, 3), found)
