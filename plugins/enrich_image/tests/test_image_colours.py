"""Dominant colours: hex colours with their share, largest first, the same every time."""

from __future__ import annotations

from image_drawing import png
from PIL import Image, ImageDraw

from herald_enrich_image.colours import dominant_colours


def _two_colours() -> Image.Image:
    img = Image.new("RGB", (400, 200), (220, 20, 60))
    ImageDraw.Draw(img).rectangle((300, 0, 399, 199), fill=(0, 0, 255))
    return img


def test_a_two_colour_image_has_its_two_colours_with_their_shares():
    found = dominant_colours(_two_colours())
    assert [c["hex"] for c in found] == ["#dc143c", "#0000ff"]
    assert abs(found[0]["share"] - 0.75) < 0.02 and abs(found[1]["share"] - 0.25) < 0.02


def test_colours_are_deterministic_and_at_most_five():
    noisy = Image.effect_noise((256, 256), 80).convert("RGB")
    first = dominant_colours(noisy)
    assert first == dominant_colours(noisy.copy())
    assert 1 <= len(first) <= 5
    assert abs(sum(c["share"] for c in first) - 1) < 0.01


def test_the_enricher_reports_the_colours(make_enricher, make_payload):
    result = make_enricher(ocr_enabled=False).enrich("post", make_payload(png(_two_colours())))
    assert result["image"][0]["colours"][0]["hex"] == "#dc143c"
