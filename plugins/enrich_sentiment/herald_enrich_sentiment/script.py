"""Cheap guesses of script and language, for a payload whose ``language`` is missing or does not
fit its text: character ranges and a few letters and words, no model."""

from __future__ import annotations

import re

#: letters Urdu writes and Arabic and Persian do not
_URDU_LETTERS = set("ٹڈڑںےۓھہۃ")
#: letters Persian (and Urdu) write and Arabic does not
_PERSIAN_LETTERS = set("پچژگکی")
#: letters Arabic writes and Persian and Urdu seldom do
_ARABIC_LETTERS = set("ةىإأ")
_PERSIAN_WORDS = {"است", "نیست", "خیلی", "این", "را", "برای", "می", "هست", "بود", "که", "ولی", "چرا"}
_ARABIC_WORDS = {"في", "من", "على", "هذا", "هذه", "جدا", "ليس", "الى", "إلى", "لا", "مش", "انا", "كان"}

#: common words of Hindi and Urdu written in Latin script (English texts seldom hold two of them)
HINGLISH_MARKERS = frozenset({
    "hai", "hain", "nahi", "nahin", "nhi", "bahut", "bohot", "bahot", "bhot", "bohat", "kya", "kyu", "kyun",
    "mera", "meri", "mere", "tera", "teri", "yaar", "yar", "bhai", "acha", "accha", "achha", "achi", "bura",
    "bekar", "bekaar", "kharab", "aur", "lekin", "magar", "tha", "thi", "raha", "rahi", "gaya", "gayi", "kar",
    "karo", "kuch", "koi", "sab", "bhi", "bilkul", "ekdum", "bakwas", "bakwaas", "zabardast", "mast",
    "badhiya", "badiya", "kaisa", "kaise", "aap", "apna", "hum", "mujhe", "tum", "ho", "hoga", "wala",
    "wali", "ke", "ki", "ka", "ko", "se", "mein", "pe", "par", "ye", "yeh", "wo", "woh", "jaldi", "paisa",
    "paise", "shukriya", "dhanyavad", "ghatiya", "faltu", "pasand", "maza", "kamaal", "kamal", "sahi",
})
_LATIN_WORD = re.compile(r"[a-z]+")


def script_of(text: str) -> str:
    """``"arabic"``, ``"devanagari"``, ``"latin"`` or ``"none"``: the script most letters are in."""
    arabic = devanagari = latin = 0
    for ch in text:
        o = ord(ch)
        if 0x0600 <= o <= 0x06FF or 0xFB50 <= o <= 0xFEFF:
            arabic += 1
        elif 0x0900 <= o <= 0x097F:
            devanagari += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    best = max(arabic, devanagari, latin)
    if best == 0:
        return "none"
    if best == arabic:
        return "arabic"
    return "devanagari" if best == devanagari else "latin"


def arabic_script_language(text: str) -> str:
    """``"ur"``, ``"fa"`` or ``"ar"`` for text in Arabic script, from letters only these write."""
    letters = set(text)
    if letters & _URDU_LETTERS:
        return "ur"
    words = set(text.split())
    persian = len(letters & _PERSIAN_LETTERS) + 2 * len(words & _PERSIAN_WORDS)
    arabic = len(letters & _ARABIC_LETTERS) + 2 * len(words & _ARABIC_WORDS)
    return "fa" if persian > arabic else "ar"


def looks_romanized_hindi(text: str) -> bool:
    """Whether Latin-script text reads as Hindi or Urdu (two marker words, or one in a short text)."""
    words = _LATIN_WORD.findall(text.lower())
    hits = sum(1 for w in words if w in HINGLISH_MARKERS)
    return hits >= 2 or (hits == 1 and len(words) <= 3)
