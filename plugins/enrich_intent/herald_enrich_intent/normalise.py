"""Text normalisation and tokenisation shared by the cue lexicons, the classifier and the topics.

Arabic script is folded so that one spelling matches the others people type: alef forms, alef
maqsura and the Persian/Urdu yeh (ى ی → ي), teh marbuta and Urdu heh forms (ة ۃ ہ ھ → ه), the
Persian/Urdu keheh (ک → ك), hamza seats (ؤ → و, ئ → ي), diacritics, tatweel and the zero-width
non-joiner (``نمی‌کند`` = ``نمیکند``); Persian and Arabic-Indic digits become ASCII. Devanagari
loses the nukta and candrabindu (``ज़`` = ``ज``, ``ँ`` = ``ं``). Latin is lower-cased and runs of
three or more of one letter shrink to two (``sooooo`` → ``soo``).
"""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ئ": "ي",
    "ة": "ه", "ۃ": "ه", "ہ": "ه", "ھ": "ه", "ۀ": "ه",
    "ک": "ك", "ڪ": "ك",
    "ؤ": "و",
    "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
    "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
    "ـ": None, "\u200c": None, "\u200d": None, "\u200f": None, "\u200e": None,
    "\u093c": None, "\u0901": "\u0902",
    "’": "'", "‘": "'", "`": "'",
    "؟": "?", "،": ",", "؛": ";", "।": ".", "۔": ".",
})
# Arabic diacritics (harakat, shadda, sukun, superscript alef, Quranic marks)
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_REPEATS = re.compile(r"(.)\1{2,}")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|ly|me|co|xyz|info|biz|link|site|shop)(?:/\S*)?\b",
                  re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
# a token: letters/digits of any script with their combining marks (Devanagari vowel signs are
# marks, which \w alone would split on), apostrophes inside English words, a few symbols
TOKEN = re.compile(r"[^\W_](?:[\w\u0900-\u097f\u0610-\u061a\u064b-\u065f]|'(?=\w))*|[?!$€£₹﷼%]")

#: what a link and an @handle become
URL_TOKEN = "xurlx"
HANDLE_TOKEN = "xhandlex"
#: Persian verb prefixes people also write apart (``نمی کند``): joined to the next word
_PREFIXES = frozenset({"مي", "نمي"})


def normalise(text: str) -> str:
    """``text`` folded as the module docstring says, links and @handles as placeholder words."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _URL.sub(f" {URL_TOKEN} ", text)
    text = _HANDLE.sub(f" {HANDLE_TOKEN} ", text)
    text = _DIACRITICS.sub("", text.translate(_FOLD)).lower()
    return _REPEATS.sub(r"\1\1", text)


def tokens(normalised: str) -> list[str]:
    """The word tokens of an already normalised text (punctuation such as ``?`` and ``!`` kept
    as tokens), with Persian ``می``/``نمی`` joined to the verb after them."""
    out: list[str] = []
    join = False
    for tok in TOKEN.findall(normalised):
        if join:
            out[-1] += tok
            join = False
            continue
        out.append(tok)
        join = tok in _PREFIXES
    return out


def keyword_tokens(keyword: str) -> list[str]:
    """The tokens of a lexicon entry or topic keyword, normalised the same way as a text."""
    return [t for t in tokens(normalise(keyword)) if t not in "?!"]
