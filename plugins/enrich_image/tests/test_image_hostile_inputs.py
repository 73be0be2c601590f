"""What is not a readable image gets an error entry, never an exception, and no tags."""

from __future__ import annotations

import os

from image_drawing import png, png_declaring
from PIL import Image

from herald_enrich_image.decode import MAX_BYTES


def _only_entry(make_enricher, make_payload, data) -> dict:  # type: ignore[no-untyped-def]
    result = make_enricher(ocr_enabled=False).enrich("engagement", make_payload(data))
    assert len(result["image"]) == 1 and result["tags"] == []
    return result["image"][0]


def test_bytes_that_are_not_an_image_are_refused(make_enricher, make_payload):
    entry = _only_entry(make_enricher, make_payload, b"%PDF-1.7 not a picture at all" * 10)
    assert entry == {"index": 0, "error": "not an image"}


def test_a_truncated_png_is_refused(make_enricher, make_payload):
    whole = png(Image.effect_noise((300, 300), 60).convert("RGB"))
    entry = _only_entry(make_enricher, make_payload, whole[: len(whole) // 2])
    assert entry["error"] == "damaged or truncated image"


def test_a_png_declaring_huge_dimensions_is_refused_before_decoding(make_enricher, make_payload):
    bomb = png_declaring(60_000, 60_000)
    assert len(bomb) < 200
    entry = _only_entry(make_enricher, make_payload, bomb)
    assert "too many pixels" in entry["error"]


def test_an_image_over_8_mb_is_refused(make_enricher, make_payload):
    entry = _only_entry(make_enricher, make_payload, os.urandom(MAX_BYTES + 1))
    assert entry["error"] == "larger than 8 MB"


def test_empty_data_and_missing_data_neither_crash(make_enricher, make_payload):
    result = make_enricher(ocr_enabled=False).enrich("post", make_payload(b"", None))
    assert result["image"] == [{"index": 0, "error": "empty"}]


def test_a_good_image_beside_a_bad_one_is_still_analysed(make_enricher, make_payload):
    good = png(Image.new("RGB", (64, 48), (0, 128, 0)))
    result = make_enricher(ocr_enabled=False).enrich("post", make_payload(b"junk", good))
    assert result["image"][0]["error"] == "not an image"
    assert (result["image"][1]["width"], result["image"][1]["height"]) == (64, 48)
