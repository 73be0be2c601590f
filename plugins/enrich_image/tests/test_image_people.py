"""Faces and unsafe content (NudeNet's detector): a real photograph from scikit-image's data."""

from __future__ import annotations

import pytest
from image_drawing import jpeg, png
from PIL import Image

data = pytest.importorskip("skimage.data", reason="scikit-image (the test extra) ships the photographs")


def test_the_astronaut_has_one_face_and_is_safe(make_enricher, make_payload):
    photo = jpeg(Image.fromarray(data.astronaut()))
    result = make_enricher(ocr_enabled=False).enrich("post", make_payload(photo))
    entry = result["image"][0]
    assert entry["faces"] == 1
    assert entry["unsafe"] is False and entry["unsafe_score"] < 0.2
    assert "image:face" in result["tags"] and "image:unsafe" not in result["tags"]


def test_a_blank_image_has_no_face(make_enricher, make_payload):
    entry = make_enricher(ocr_enabled=False).enrich("post", make_payload(png(Image.new("RGB", (640, 480), "white"))))
    assert entry["image"][0]["faces"] == 0 and entry["tags"] == []


def test_the_unsafe_threshold_is_the_tenants(make_enricher, make_payload):
    # the coffee cup photograph gets a small unsafe score from the model: above a strict
    # threshold, below the default one
    photo = png(Image.fromarray(data.coffee()))
    strict = make_enricher(ocr_enabled=False, unsafe_threshold=0.05).enrich("post", make_payload(photo))
    lenient = make_enricher(ocr_enabled=False).enrich("post", make_payload(photo))
    score = strict["image"][0]["unsafe_score"]
    assert 0.05 < score < 0.5 and lenient["image"][0]["unsafe_score"] == score
    assert strict["image"][0]["unsafe"] is True and "image:unsafe" in strict["tags"]
    assert lenient["image"][0]["unsafe"] is False and "image:unsafe" not in lenient["tags"]
