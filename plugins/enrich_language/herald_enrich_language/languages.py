"""The languages a tenant's detector chooses among."""

from __future__ import annotations

#: the default set: Herald's own languages, then the languages most often seen beside them.
#: Fewer languages is more accurate and faster on short texts (no Malay beside Indonesian, no
#: Catalan beside Spanish); a tenant widens or narrows it with the ``languages`` setting.
DEFAULT_LANGUAGES = ("en", "ar", "fa", "ur", "hi", "bn", "fr", "es", "de", "pt", "it", "nl", "tr", "id",
                     "ru", "zh", "ja", "ko")


def supported_codes() -> frozenset[str]:
    """Every ISO 639-1 code lingua knows."""
    from lingua import Language

    return frozenset(lang.iso_code_639_1.name.lower() for lang in Language.all())


def parse_languages(value: object) -> tuple[str, ...]:
    """A setting value (a list or a comma-separated string) as a sorted tuple of codes."""
    if value is None or value == "":
        return DEFAULT_LANGUAGES
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    codes = sorted({str(i).strip().lower() for i in items if str(i).strip()})
    return tuple(codes) or DEFAULT_LANGUAGES
