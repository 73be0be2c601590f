"""The writing system a text is mostly in, as an ISO 15924 code (``Latn``, ``Arab``, ``Deva``…)."""

from __future__ import annotations

from collections import Counter

#: (first code point, last code point, ISO 15924 code), in code point order
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latn"),
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"),
    (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"),
    (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, "Hang"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x3040, 0x309F, "Hira"),
    (0x30A0, 0x30FF, "Kana"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xAC00, 0xD7AF, "Hang"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
)


def script_of(ch: str) -> str | None:
    cp = ord(ch)
    for lo, hi, code in _RANGES:
        if cp < lo:
            return None
        if cp <= hi:
            return code
    return None


def dominant_script(text: str) -> str | None:
    """The script of most of the letters of ``text`` (kana with kanji count as Japanese ``Jpan``),
    or None for a text without letters."""
    counts = Counter(s for s in map(script_of, text) if s is not None)
    if not counts:
        return None
    if counts.get("Hira") or counts.get("Kana"):
        return "Jpan"
    return counts.most_common(1)[0][0]
