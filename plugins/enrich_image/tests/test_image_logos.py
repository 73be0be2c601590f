"""The tenant's logo: found pasted scaled and rotated into a busy photograph, not found in
another; small flat logos by the template fallback; logo models cached per content."""

from __future__ import annotations

from image_drawing import busy_background, compose, jpeg, logo, png
from PIL import Image, ImageDraw

from herald_enrich_image import logos


def _acme() -> dict:
    return {"id": "lib_1", "name": "Acme Star", "data": png(logo())}


def test_the_logo_is_found_scaled_and_rotated_in_a_busy_image(make_enricher, make_payload):
    scene = compose(busy_background(1), logo(), scale=0.7, angle=25, at=(420, 230))
    result = make_enricher(ocr_enabled=False).enrich("post", make_payload(jpeg(scene), logos=[_acme()]))
    found = result["image"][0]["logos"]
    assert [(m["id"], m["method"]) for m in found] == [("lib_1", "features")]
    assert found[0]["score"] >= 12
    assert {"image:logo", "logo:acme-star"} <= set(result["tags"])


def test_the_logo_is_not_found_in_an_image_without_it(make_enricher, make_payload):
    for seed in (2, 3, 4):
        result = make_enricher(ocr_enabled=False).enrich("post", make_payload(jpeg(busy_background(seed)),
                                                                             logos=[_acme()]))
        assert result["image"][0]["logos"] == [] and "image:logo" not in result["tags"]


def test_a_different_logo_is_not_taken_for_the_tenants(make_enricher, make_payload):
    scene = compose(busy_background(5), logo(seed=7).rotate(180).transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                    scale=0.8, angle=0, at=(300, 200))
    other = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(other).rectangle((40, 40, 160, 160), outline="black", width=10)
    result = make_enricher(ocr_enabled=False).enrich(
        "post", make_payload(jpeg(scene), logos=[{"id": "lib_2", "name": "Square", "data": png(other)}]))
    assert result["image"][0]["logos"] == []


def test_a_small_flat_logo_is_found_by_template_matching(make_enricher, make_payload):
    flat = Image.new("RGB", (120, 60), "white")
    d = ImageDraw.Draw(flat)
    d.rectangle((0, 0, 59, 59), fill=(0, 90, 200))
    d.ellipse((70, 10, 110, 50), fill=(240, 160, 0))
    scene = Image.new("RGB", (800, 500), (235, 235, 235))
    ImageDraw.Draw(scene).text((30, 30), "Big sale this weekend", fill="black")
    scene.paste(flat.resize((60, 30)), (600, 400))
    entry = make_enricher(ocr_enabled=False).enrich(
        "post", make_payload(png(scene), logos=[{"id": "lib_3", "name": "Blue Dot", "data": png(flat)}]))["image"][0]
    assert [(m["id"], m["method"]) for m in entry["logos"]] == [("lib_3", "template")]
    empty = make_enricher(ocr_enabled=False).enrich(
        "post", make_payload(png(Image.new("RGB", (800, 500), (235, 235, 235))),
                             logos=[{"id": "lib_3", "name": "Blue Dot", "data": png(flat)}]))["image"][0]
    assert empty["logos"] == []


def test_logo_models_are_cached_per_id_and_content():
    data = png(logo(seed=11))
    first = logos.model_for("lib_9", data)
    assert logos.model_for("lib_9", data) is first
    changed = png(logo(seed=12))
    assert logos.model_for("lib_9", changed) is not first


def test_a_logo_that_is_not_an_image_is_skipped(make_enricher, make_payload):
    result = make_enricher(ocr_enabled=False).enrich(
        "post", make_payload(png(busy_background(6)), logos=[{"id": "x", "name": "Broken", "data": b"nope"}]))
    assert result["image"][0]["logos"] == []
