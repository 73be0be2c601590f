"""The sentiment lexicons shipped as package data, merged per language and normalised.

Later sources override earlier ones for the same key: the AFINN-165 translation
(``afinn_<lang>.tsv``), then the seed lists of other MIT packages (``seed_<lang>.tsv``), then
this plugin's own curated list (``curated_<lang>.tsv``). Valences are on AFINN's -5..5 scale;
from the translation only entries of at least ±2 and longer than three letters are kept."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from herald_enrich_sentiment.language_rules import RULES

_SOURCES = {
    "ar": ("afinn_ar.tsv", "curated_ar.tsv"),
    "fa": ("afinn_fa.tsv", "curated_fa.tsv"),
    "ur": ("afinn_ur.tsv", "seed_ur.tsv", "curated_ur.tsv"),
    "hi": ("afinn_hi.tsv", "curated_hi.tsv"),
    "hi_latn": ("seed_hi_latn.tsv", "curated_hi_latn.tsv"),
}


def data_file(name: str) -> str:
    return resources.files("herald_enrich_sentiment").joinpath("data", name).read_text("utf-8")


def read_tsv(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, value = line.split("\t")[:2]
        rows.append((key, value))
    return rows


def _merge(files: tuple[str, ...], fn: Callable[[str], str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in files:
        machine_translated = name.startswith("afinn_")
        for key, value in read_tsv(data_file(name)):
            norm = " ".join(fn(key).split())
            # the machine translation's noise sits in its weakest entries (common nouns scored ±1:
            # "account", "colour", "payment") and in short function words ("to", "was")
            if not norm or (machine_translated and (abs(float(value)) < 2 or len(norm) <= 3)):
                continue
            out[norm] = float(value)
    return out


@cache
def lexicon(code: str) -> dict[str, float]:
    """Normalised word or phrase → valence, for ``code`` (``ar``, ``fa``, ``ur``, ``hi``, ``hi_latn``)."""
    return _merge(_SOURCES[code], RULES[code].normalise)


@cache
def english_words() -> dict[str, float]:
    """VADER's English lexicon (MIT), read from the installed ``vaderSentiment`` package: word →
    mean valence (-4..4). The other languages' scorers read it for English words in mixed text."""
    import vaderSentiment

    path = Path(vaderSentiment.__file__).with_name("vader_lexicon.txt")
    out: dict[str, float] = {}
    for line in path.read_text("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isalpha():
            out[parts[0].lower()] = float(parts[1])
    return out


def phrase_lengths(code: str) -> tuple[int, ...]:
    """The word counts of the phrases in ``code``'s lexicon, longest first (always ending in 1)."""
    return tuple(sorted({len(k.split()) for k in lexicon(code)} | {1}, reverse=True))
