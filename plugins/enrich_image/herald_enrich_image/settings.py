"""The settings a tenant gives the image enricher."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.plugins import PluginSettings

#: tesseract language codes joined with "+", as tesseract's ``-l`` takes them
OCR_LANGUAGES = validate.Regexp(r"^[a-z_]{3,16}(\+[a-z_]{3,16}){0,7}$")


class ImageSettings(Schema):
    ocr_enabled = fields.Boolean(load_default=True)
    ocr_languages = fields.String(load_default="eng+ara+fas+urd+hin", validate=OCR_LANGUAGES)
    ocr_timeout_seconds = fields.Float(load_default=20.0, validate=validate.Range(min=1, max=120))
    unsafe_threshold = fields.Float(load_default=0.5, validate=validate.Range(min=0, max=1))
    logo_min_inliers = fields.Integer(load_default=12, validate=validate.Range(min=4, max=200))
    logo_template_threshold = fields.Float(load_default=0.8, validate=validate.Range(min=0.3, max=1))


SETTINGS = PluginSettings(ImageSettings, description={
    "ocr_enabled": "Read the text in images (tesseract; the slowest part)",
    "ocr_languages": "Tesseract languages, joined with '+' (e.g. eng+ara); each must be installed",
    "ocr_timeout_seconds": "Longest time tesseract may take over one image",
    "unsafe_threshold": "Unsafe score (0..1) from which an image is tagged image:unsafe",
    "logo_min_inliers": "Feature matches consistent with one homography needed to say a logo is present",
    "logo_template_threshold": "Normalised correlation needed by the template-matching fallback for small flat logos",
})
