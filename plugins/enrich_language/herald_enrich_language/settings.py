"""The settings a tenant gives the language enricher."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from herald.plugins import PluginSettings
from herald_enrich_language.languages import DEFAULT_LANGUAGES, parse_languages, supported_codes


class LanguageList(fields.Field):
    """ISO 639-1 codes, as a JSON list or a comma-separated string; stored as a list."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, (str, list, tuple)):
            raise ValidationError("A list of ISO 639-1 codes, or the codes separated by commas.")
        codes = parse_languages(value)
        unknown = sorted(set(codes) - supported_codes())
        if unknown:
            raise ValidationError(f"Unknown or unsupported language codes: {', '.join(unknown)}.")
        if len(codes) < 2:
            raise ValidationError("Name at least two languages.")
        return list(codes)


class LanguageSettings(Schema):
    languages = LanguageList(load_default=",".join(DEFAULT_LANGUAGES))
    min_letters = fields.Integer(load_default=4, validate=validate.Range(min=1, max=50))
    min_confidence = fields.Float(load_default=0.2, validate=validate.Range(min=0.0, max=1.0))


SETTINGS = PluginSettings(LanguageSettings, description={
    "languages": "ISO 639-1 codes the detector chooses among, separated by commas (default: "
                 + ",".join(DEFAULT_LANGUAGES) + "). Fewer is more accurate on short texts. Romanized "
                 "Hindi is recognised when hi is among them",
    "min_letters": "Texts with fewer letters (after URLs, handles, emoji and numbers are removed) get no language",
    "min_confidence": "Below this confidence the language is left empty rather than guessed",
})
