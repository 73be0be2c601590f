"""The rule scorer for Arabic, Persian, Urdu and Hindi (Devanagari and Latin script): lexicon
words and phrases, flipped by a negator near them, strengthened by an intensifier, weakened by a
diminisher, weighed less before a "but" and more after it; emoji, and exclamation marks that
strengthen what is there. The sum is squashed to -1..1 as VADER does (``s / sqrt(s² + 15)``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from herald_enrich_sentiment import emoji, normalise
from herald_enrich_sentiment.language_rules import ENGLISH_NEGATORS, RULES, LanguageRules
from herald_enrich_sentiment.lexicon import english_words, lexicon, phrase_lengths

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u0621-\u064a\u066e-\u06d3\u06d5-\u06ff]+"
                    r"|[\u0900-\u0963\u0966-\u097f]+|[.,!?;:،؛؟।\n]")
_BOUNDARY = frozenset(".,!?;:،؛؟।\n")
_AR_ELATIVES = frozenset(normalise.arabic_script(w) for w in (
    "أجمل", "أحلى", "أروع", "أطيب", "أعظم", "أحسن", "أسعد", "ألطف", "أبدع"))
#: VADER's constants: a negated word's weight, and how much one "!" adds (up to four)
NEGATION_SCALAR = -0.74
EXCLAMATION = 0.292
INTENSIFY = 1.3
DIMINISH = 0.6
EMOJI_WEIGHT = 4.0
ALPHA = 15.0


@dataclass(frozen=True)
class Score:
    """A polarity in -1..1, how many sentiment-bearing words and emoji it rests on, and how many
    words the text had."""

    polarity: float
    evidence: int
    words: int


def squash(total: float) -> float:
    return max(-1.0, min(1.0, total / math.sqrt(total * total + ALPHA))) if total else 0.0


def exclaimed(total: float, text: str) -> float:
    marks = min(text.count("!") + text.count("！"), 4)
    if total and marks:
        return total + math.copysign(EXCLAMATION * marks, total)
    return total


def _is_negator(rules: LanguageRules, tokens: list[str], i: int) -> bool:
    tok = tokens[i]
    if rules.code == "ar" and tok[:1] in ("و", "ف") and tok[1:] in rules.negators:  # ولا، وغير، فلم
        return True
    if tok in rules.negators or tok in ENGLISH_NEGATORS:
        # Arabic "ما أجمل…" ("how beautiful…") is an exclamation, not a negation; "ما أنصح" (same
        # letters' pattern, a verb) is one, so only the common elatives are let through
        return not (rules.code == "ar" and tok == "ما" and i + 1 < len(tokens) and tokens[i + 1] in _AR_ELATIVES)
    return any(tok.startswith(p) and len(tok) > len(p) + 1 for p in rules.negating_prefixes)


def _lookup(rules: LanguageRules, lex: dict[str, float], tok: str) -> float:
    if tok.isascii() and rules.code != "hi_latn":
        value = english_words().get(tok)
        if value is None and rules.code in ("hi", "ur"):
            value = lexicon("hi_latn").get(normalise.romanized(tok))
        return value or 0.0
    for stem in rules.stems(tok):
        value = lex.get(stem)
        if value is not None:
            return value
    if rules.code == "hi_latn":
        return english_words().get(tok, 0.0)
    return 0.0


def score(text: str, code: str) -> Score:
    """Score ``text`` with the rules and lexicon of ``code`` (``ar``, ``fa``, ``ur``, ``hi``, ``hi_latn``)."""
    rules = RULES[code]
    lex = lexicon(code)
    tokens = _TOKEN.findall(rules.normalise(text))
    n = len(tokens)
    clause = [0] * n
    kind = [""] * n  # "neg", "int", "dim" or ""
    found: list[tuple[int, float]] = []
    contrast = -1
    lengths = phrase_lengths(code)
    c = 0
    i = 0
    while i < n:
        tok = tokens[i]
        clause[i] = c
        if tok in _BOUNDARY:
            c += 1
            i += 1
            continue
        matched = 0
        for length in lengths:
            if length > 1 and i + length <= n:
                value = lex.get(" ".join(tokens[i:i + length]))
                if value is not None:
                    found.append((i, value))
                    for k in range(i, i + length):
                        clause[k] = c
                    matched = length
                    break
        if matched:
            i += matched
            continue
        if _is_negator(rules, tokens, i):
            kind[i] = "neg"
        elif tok in rules.intensifiers:
            kind[i] = "int"
        elif tok in rules.diminishers:
            kind[i] = "dim"
        elif tok in rules.contrast:
            contrast = i
        else:
            value = _lookup(rules, lex, tok)
            if value:
                found.append((i, value))
        i += 1

    total = 0.0
    for i, value in found:
        negations = 0
        for j in range(max(0, i - 3), min(n, i + 1 + rules.negation_after)):
            if j == i or clause[j] != clause[i]:
                continue
            if kind[j] == "neg":
                negations += 1
            elif kind[j] == "int" and i - 2 <= j <= i + 1:
                value *= INTENSIFY
            elif kind[j] == "dim" and i - 2 <= j < i:
                value *= DIMINISH
        if negations % 2:
            value *= NEGATION_SCALAR
        if contrast >= 0:
            value *= 0.5 if i < contrast else 1.5
        total += value
    faces = emoji.polarities(text)
    total += EMOJI_WEIGHT * sum(faces)
    words = sum(1 for t in tokens if t not in _BOUNDARY)
    return Score(squash(exclaimed(total, text)), len(found) + len(faces), words)
