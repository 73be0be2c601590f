"""Text normalisation for matching: compatibility forms folded (NFKC), case folded, Latin
diacritics and Arabic-script vowel marks removed, Arabic-script letter variants unified (the
Arabic, Persian and Urdu forms of yeh, kaf and heh; hamza carriers; tatweel), joiners dropped.
Indic scripts keep their vowel signs: in Devanagari they are letters, not decoration.

Words are runs of letters, digits, ``_`` and combining marks (so a Hindi word is not cut at
its vowel signs); hashtags and @handles are read from the original text before folding."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LETTERS = str.maketrans({
    "\u0649": "\u064a", "\u06cc": "\u064a", "\u06d2": "\u064a", "\u0626": "\u064a",  # yeh forms
    "\u06a9": "\u0643",  # keheh → kaf
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # alef forms
    "\u0624": "\u0648",  # waw with hamza
    "\u0629": "\u0647", "\u06c1": "\u0647", "\u06be": "\u0647", "\u06c3": "\u0647", "\u06d5": "\u0647",  # heh forms
    "\u0640": None, "\u200c": None, "\u200d": None, "\u200e": None, "\u200f": None,  # tatweel, joiners, marks
    "\u06f0": "0", "\u06f1": "1", "\u06f2": "2", "\u06f3": "3", "\u06f4": "4",  # Extended Arabic-Indic digits
    "\u06f5": "5", "\u06f6": "6", "\u06f7": "7", "\u06f8": "8", "\u06f9": "9",
})


def _is_dropped_mark(ch: str) -> bool:
    code = ord(ch)
    return (0x0300 <= code <= 0x036F or 0x064B <= code <= 0x065F or code == 0x0670
            or 0x06D6 <= code <= 0x06ED or 0x0610 <= code <= 0x061A)


def _mark_ranges() -> str:
    """A character class of every combining mark (category M*) in the BMP."""
    out: list[str] = []
    start = None
    for code in range(0x0300, 0x10000):
        is_mark = unicodedata.category(chr(code)).startswith("M")
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            out.append(f"\\u{start:04x}-\\u{code - 1:04x}")
            start = None
    return "".join(out)


MARKS = _mark_ranges()
WORD_RE = re.compile(f"[\\w{MARKS}]+")
HASHTAG_RE = re.compile(f"(?<![\\w{MARKS}&])#([\\w{MARKS}]+)")
MENTION_RE = re.compile(f"(?<![\\w{MARKS}@])@([\\w.]+)")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """``text`` normalised for comparison (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not _is_dropped_mark(ch))
    return unicodedata.normalize("NFC", kept).translate(_LETTERS)


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return WORD_RE.findall(fold(text))


def hashtags(text: str) -> set[str]:
    return {fold(tag) for tag in HASHTAG_RE.findall(text)}


def mentions(text: str) -> set[str]:
    return {fold(handle.rstrip(".")) for handle in MENTION_RE.findall(text)}


def handle(value: str | None) -> str:
    return fold((value or "").lstrip("@"))


