"""What of a social text says which language it is in: URLs, @handles, hashtag markers, emoji,
numbers and punctuation are removed before detection (a hashtag's word stays)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|io|co|in|pk|ir|ae|sa|ly|gl|me)(?:/\S*)?\b",
                  re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPACES = re.compile(r"\s+")
#: Arabic-Indic (U+0660..) and extended Arabic-Indic digits (U+06F0.., Persian and Urdu)
ARABIC_INDIC_DIGITS = frozenset("٠١٢٣٤٥٦٧٨٩")
EXTENDED_ARABIC_INDIC_DIGITS = frozenset("۰۱۲۳۴۵۶۷۸۹")


@dataclass(frozen=True)
class CleanText:
    """The letters-and-spaces text a detector reads, and what was seen on the way."""

    text: str
    letters: int
    arabic_indic_digits: int = 0
    extended_digits: int = 0


def _keep(ch: str) -> bool:
    cat = unicodedata.category(ch)
    # letters and the combining marks of Indic and Arabic scripts (matras, harakat)
    return cat[0] == "L" or cat in ("Mn", "Mc")


def clean(text: str | None) -> CleanText:
    """The text without URLs, e-mail addresses, handles, hashtag markers, emoji, digits and
    punctuation; hashtags written in camel case are split into their words."""
    if not text:
        return CleanText("", 0)
    s = unicodedata.normalize("NFC", text)
    s = _URL.sub(" ", s)
    s = _EMAIL.sub(" ", s)
    s = _HANDLE.sub(" ", s)
    s = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", s)
    ar_digits = sum(ch in ARABIC_INDIC_DIGITS for ch in s)
    ext_digits = sum(ch in EXTENDED_ARABIC_INDIC_DIGITS for ch in s)
    # ZWNJ is part of Persian and Urdu spelling (می‌خواهم): keep it as the joiner it is
    out = [ch if (_keep(ch) or ch in "'\u200c") else " " for ch in s]
    cleaned = _SPACES.sub(" ", "".join(out)).strip(" '")
    letters = sum(1 for ch in cleaned if unicodedata.category(ch)[0] == "L")
    return CleanText(cleaned, letters, ar_digits, ext_digits)
