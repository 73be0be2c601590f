"""Devanagari Hindi written the way people type it in Latin letters on social media ("nahi",
"aaya", "mera"), not in a scholarly transliteration: used to turn a Devanagari word list into
the romanized spellings the romanized-Hindi model learns from.

Each word gives a few spellings (long vowels doubled or not, ``v`` or ``w``, a final nasal
written or dropped), because people spell the same word in all of these ways."""

from __future__ import annotations

import itertools

_VIRAMA = "\u094d"
_NUKTA = "\u093c"
_ANUSVARA = "\u0902"
_CHANDRABINDU = "\u0901"
_VISARGA = "\u0903"

#: consonant → its Latin spellings (most usual first)
_CONSONANTS: dict[str, tuple[str, ...]] = {
    "क": ("k",), "ख": ("kh",), "ग": ("g",), "घ": ("gh",), "ङ": ("n",),
    "च": ("ch", "c"), "छ": ("chh", "ch"), "ज": ("j",), "झ": ("jh",), "ञ": ("n",),
    "ट": ("t",), "ठ": ("th",), "ड": ("d",), "ढ": ("dh",), "ण": ("n",),
    "त": ("t",), "थ": ("th",), "द": ("d",), "ध": ("dh",), "न": ("n",),
    "प": ("p",), "फ": ("ph", "f"), "ब": ("b",), "भ": ("bh",), "म": ("m",),
    "य": ("y",), "र": ("r",), "ल": ("l",), "व": ("v", "w"),
    "श": ("sh",), "ष": ("sh",), "स": ("s",), "ह": ("h",),
    "क़": ("q", "k"), "ख़": ("kh",), "ग़": ("gh", "g"), "ज़": ("z", "j"), "फ़": ("f",),
    "ड़": ("r", "d"), "ढ़": ("rh",), "य़": ("y",),
}
#: independent vowel → spellings
_VOWELS: dict[str, tuple[str, ...]] = {
    "अ": ("a",), "आ": ("aa", "a"), "इ": ("i",), "ई": ("ee", "i"), "उ": ("u",), "ऊ": ("oo", "u"),
    "ए": ("e",), "ऐ": ("ai", "e"), "ओ": ("o",), "औ": ("au", "ou"), "ऋ": ("ri",), "ऑ": ("o",), "ऍ": ("e",),
}
#: vowel sign (matra) → spellings
_MATRAS: dict[str, tuple[str, ...]] = {
    "ा": ("aa", "a"), "ि": ("i",), "ी": ("i", "ee"), "ु": ("u",), "ू": ("u", "oo"),
    "े": ("e",), "ै": ("ai", "e"), "ो": ("o",), "ौ": ("au", "ou"), "ृ": ("ri",), "ॉ": ("o",), "ॅ": ("e",),
}
#: at most this many spellings per word
MAX_SPELLINGS = 4


def _units(word: str) -> list[list[tuple[str, ...]]] | None:
    """The word as a list of syllable-ish units: [consonant spellings, vowel spellings]; an
    inherent vowel is ``("a",)`` marked by the tuple ``("a", "")`` so that it can be deleted."""
    units: list[list[tuple[str, ...]]] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if i + 1 < len(word) and word[i + 1] == _NUKTA:
            ch += _NUKTA
            i += 1
        i += 1
        if ch in _CONSONANTS:
            units.append([_CONSONANTS[ch], ("a", "")])
        elif ch in _VOWELS:
            units.append([("",), _VOWELS[ch]])
        elif ch in _MATRAS and units:
            units[-1][1] = _MATRAS[ch]
        elif ch == _VIRAMA and units:
            units[-1][1] = ("",)
        elif ch in (_ANUSVARA, _CHANDRABINDU) and units:
            units[-1][1] = tuple(v + "n" for v in units[-1][1] if v) or ("n",)
            units[-1].append(("n", ""))  # marker: the nasal may be dropped at the end
        elif ch == _VISARGA and units:
            units[-1][1] = tuple(v + "h" for v in units[-1][1])
        else:
            return None
    return units


def _delete_schwas(units: list[list[tuple[str, ...]]]) -> None:
    """Hindi drops the inherent vowel at the end of a word (कर → kar) and between a vowel and a
    consonant followed by a vowel (करना → karna), scanning from the end."""
    inherent = ("a", "")
    if len(units) > 1 and units[-1][1] == inherent:
        units[-1][1] = ("",)
    for k in range(len(units) - 2, 0, -1):
        if units[k][1] != inherent or units[k][0] == ("",):
            continue
        prev_vowel = units[k - 1][1] not in (("",),)
        next_has_vowel = units[k + 1][1] not in (("",),)
        if prev_vowel and next_has_vowel and units[k + 1][0] != ("",):
            units[k][1] = ("",)
    for unit in units:
        if unit[1] == inherent:
            unit[1] = ("a",)


def romanize(word: str) -> list[str]:
    """Up to :data:`MAX_SPELLINGS` Latin spellings of a Devanagari word, the usual one first; an
    empty list for a word with other characters."""
    units = _units(word)
    if not units:
        return []
    _delete_schwas(units)
    parts: list[tuple[str, ...]] = []
    for n, unit in enumerate(units):
        vowels = unit[1]
        if len(unit) == 3 and n == len(units) - 1:
            vowels = tuple(dict.fromkeys(vowels + tuple(v[:-1] for v in vowels if v.endswith("n"))))
        parts.append(tuple(c + v for c in unit[0] for v in vowels))
    spellings = []
    for combo in itertools.islice(itertools.product(*parts), 64):
        spellings.append("".join(combo))
    return list(dict.fromkeys(spellings))[:MAX_SPELLINGS]
