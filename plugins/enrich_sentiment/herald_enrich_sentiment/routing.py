"""Which scorer reads a text: the payload's language where it fits the text's script, else the
script and a few letters and words (:mod:`herald_enrich_sentiment.script`)."""

from __future__ import annotations

from herald_enrich_sentiment.script import arabic_script_language, looks_romanized_hindi, script_of

#: the scorers, and whether each is one of the languages this plugin is built for
SCORERS = {"en": True, "ar": True, "fa": True, "ur": True, "hi": True, "hi_latn": True,
           "en_fallback": False, "emoji": False}


def scorer_for(text: str, language: str | None) -> str:
    """``en``, ``ar``, ``fa``, ``ur``, ``hi``, ``hi_latn``; ``en_fallback`` for Latin-script text in
    another language (English words and emoji only), ``emoji`` for text with no letters."""
    lang = (language or "").strip().lower().replace("_", "-")
    base = lang.split("-")[0]
    script = script_of(text)
    if script == "none":
        return "emoji"
    if script == "arabic":
        return base if base in ("ar", "fa", "ur") else arabic_script_language(text)
    if script == "devanagari":
        return "hi"
    if base in ("hi", "ur"):
        return "hi_latn"
    if base in ("", "en"):
        return "hi_latn" if looks_romanized_hindi(text) else "en"
    return "en_fallback"
