"""Text in images, read by tesseract: rendered English and Arabic; a clear answer without tesseract."""

from __future__ import annotations

import logging
import re

import pytest
from image_drawing import font_path, png, text_image

from herald_enrich_image import ocr

needs_tesseract = pytest.mark.skipif(ocr.tesseract_path() is None, reason="tesseract is not installed")


def _words(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", (text or "").lower()))


@needs_tesseract
def test_rendered_english_text_is_read(make_enricher, make_payload):
    img = text_image("Summer sale: forty percent off all shoes", "en", size=40)
    result = make_enricher().enrich("post", make_payload(png(img)))
    entry = result["image"][0]
    assert {"summer", "sale", "forty", "percent", "shoes"} <= _words(entry["text"])
    assert entry["text_language"] == "en" and "image:text" in result["tags"]
    assert entry["ms"]["ocr"] > 0


@needs_tesseract
def test_small_text_is_upscaled_before_reading(make_enricher, make_payload):
    img = text_image("Free delivery today", "en", size=14)
    assert img.height < 100
    entry = make_enricher(ocr_languages="eng").enrich("post", make_payload(png(img)))["image"][0]
    assert {"free", "delivery", "today"} <= _words(entry["text"])


@needs_tesseract
@pytest.mark.skipif(font_path("ar") is None, reason="no installed font has Arabic glyphs")
@pytest.mark.skipif("ara" not in ocr.installed_languages(), reason="tesseract has no Arabic data")
def test_rendered_arabic_text_is_read(make_enricher, make_payload):
    img = text_image("مرحبا بكم في متجرنا", "ar", size=48, direction="rtl")
    entry = make_enricher(ocr_languages="ara").enrich("post", make_payload(png(img)))["image"][0]
    assert {"مرحبا", "متجرنا"} & set((entry["text"] or "").split())
    assert entry["text_language"] == "ar"


@needs_tesseract
@pytest.mark.skipif(font_path("hi") is None, reason="no installed font has Devanagari glyphs (e.g. fonts-noto-core)")
def test_rendered_hindi_text_is_read(make_enricher, make_payload):
    img = text_image("नमस्ते दुनिया", "hi", size=48)
    entry = make_enricher(ocr_languages="hin").enrich("post", make_payload(png(img)))["image"][0]
    assert "नमस्ते" in (entry["text"] or "") and entry["text_language"] == "hi"


@needs_tesseract
def test_an_image_without_text_reads_as_empty(make_enricher, make_payload):
    from PIL import Image

    result = make_enricher().enrich("post", make_payload(png(Image.new("RGB", (300, 200), (120, 180, 90)))))
    assert result["image"][0]["text"] == "" and "image:text" not in result["tags"]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_without_tesseract_the_text_is_none_and_a_warning_is_logged(make_enricher, make_payload, monkeypatch):
    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    caught = _Records()
    logging.getLogger("herald_enrich_image.ocr").addHandler(caught)
    try:
        result = make_enricher().enrich("post", make_payload(png(text_image("Hello there", "en"))))
    finally:
        logging.getLogger("herald_enrich_image.ocr").removeHandler(caught)
    entry = result["image"][0]
    assert entry["text"] is None and entry["text_error"] == "tesseract is not installed"
    assert "image:text" not in result["tags"]
    assert any("tesseract is not installed" in r.getMessage() for r in caught.records)


def test_languages_tesseract_lacks_are_left_out(monkeypatch):
    monkeypatch.setattr(ocr, "installed_languages", lambda: frozenset({"eng"}))
    monkeypatch.setattr(ocr, "tesseract_path", lambda: "/nonexistent/tesseract")
    from PIL import Image

    read = ocr.read_text(Image.new("RGB", (50, 50)), "xxx+yyy", 5)
    assert read.text is None and "no installed tesseract language" in (read.error or "")


def test_the_language_guess_follows_the_script():
    assert ocr.guess_language("Hello world", ["eng", "ara"]) == "en"
    assert ocr.guess_language("مرحبا بكم", ["eng", "ara", "fas", "urd"]) == "ar"
    assert ocr.guess_language("این یک آزمایش پیچیده است", ["ara", "fas", "urd"]) == "fa"
    assert ocr.guess_language("یہ ایک ٹیسٹ ہے", ["ara", "fas", "urd"]) == "ur"
    assert ocr.guess_language("नमस्ते", ["eng", "hin"]) == "hi"
    assert ocr.guess_language("1234 !!", ["eng"]) is None
