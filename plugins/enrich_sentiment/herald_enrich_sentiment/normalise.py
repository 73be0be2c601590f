"""Text normalisation per script, so that spelling variants look a lexicon word up the same way.

Arabic script (Arabic, Persian, Urdu): diacritics (harakat, tanwin, shadda, sukun, superscript
alef, Quranic marks) and tatweel removed; alef forms أ إ آ ٱ → ا; ى ی ے ۓ → ي; ئ ؤ kept; ة ۃ ہ ھ ۀ
→ ه; ک → ك; Persian/Urdu/Arabic-Indic digits → ASCII; ZWNJ read as a space (Persian writes
``می‌خواهم`` and ``میخواهم`` both); a letter written three or more times in a row (``حلوووو``) once.

Devanagari: nukta removed (ज़ → ज, precomposed क़…य़ too), chandrabindu ँ → anusvara ं, ZWJ/ZWNJ
removed, a vowel sign or letter repeated three or more times once.

Latin: lower-cased, accents kept; for Hindi and Urdu in Latin script every run of one letter is
squashed to one (``accha``/``achha``/``acha`` → ``acha``, ``bohottt`` → ``bohot``), since their
spelling is not standard.
"""

from __future__ import annotations

import re

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640]")
_ARABIC_MAP = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ے": "ي", "ۓ": "ي", "ې": "ي",
    "ة": "ه", "ۃ": "ه", "ہ": "ه", "ھ": "ه", "ۀ": "ه", "ە": "ه",
    "ک": "ك", "ڪ": "ك",
    "\u200c": " ", "\u200f": "", "\u200e": "",
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
})
_DEVANAGARI_MAP = str.maketrans({
    "\u093c": "", "\u0901": "\u0902", "\u200d": "", "\u200c": "",
    **{chr(0x0958 + i): base for i, base in enumerate("कखगजडढफय")},
    **{chr(0x0966 + i): str(i) for i in range(10)},
})
_REPEAT3 = re.compile(r"(.)\1{2,}")
_REPEAT2 = re.compile(r"([a-z])\1+")


def arabic_script(text: str) -> str:
    """Arabic, Persian or Urdu text in one canonical spelling (see the module docstring)."""
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_MAP)
    return _REPEAT3.sub(r"\1", text.lower())


def devanagari(text: str) -> str:
    """Hindi in Devanagari in one canonical spelling (see the module docstring)."""
    text = text.translate(_DEVANAGARI_MAP)
    return _REPEAT3.sub(r"\1", text.lower())


def latin(text: str) -> str:
    """English: lower-cased, letters written three or more times in a row once."""
    return _REPEAT3.sub(r"\1", text.lower())


def romanized(text: str) -> str:
    """Hindi or Urdu in Latin script: lower-cased, every run of one letter squashed to one."""
    return _REPEAT2.sub(r"\1", text.lower())


def any_script(text: str) -> str:
    """Every script's normalisation at once (for text whose script is mixed or unknown)."""
    return devanagari(arabic_script(text))
