"""Style-guide rules, checked on text in any script.

Text is compared after normalisation so that rules hold for Arabic, Persian and Urdu as well as
Latin text: NFKC, case folding, Arabic diacritics (harakat) and tatweel removed, and the Arabic
and Persian forms of yeh and kaf unified. Emoji are counted as people see them: a sequence
joined by ZWJ, with a skin tone or a variation selector, or a flag pair, is one emoji."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_UNIFY = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"})
URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
HASHTAG_RE = re.compile(r"(?<!\w)#(\w+)")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _DIACRITICS.sub("", text).translate(_UNIFY)


def _is_pictograph(cp: int) -> bool:
    return (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF
            or cp in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D))


def count_emoji(text: str) -> int:
    count, i, n = 0, 0, len(text)
    while i < n:
        cp = ord(text[i])
        if 0x1F1E6 <= cp <= 0x1F1FF:  # regional indicators: a pair is one flag
            count += 1
            i += 2 if i + 1 < n and 0x1F1E6 <= ord(text[i + 1]) <= 0x1F1FF else 1
            continue
        if _is_pictograph(cp):
            count += 1
            i += 1
            while i < n:
                nxt = ord(text[i])
                if nxt in (0xFE0F, 0x20E3) or 0x1F3FB <= nxt <= 0x1F3FF:
                    i += 1
                elif nxt == 0x200D and i + 1 < n:  # ZWJ joins the next pictograph into this one
                    i += 2
                else:
                    break
            continue
        i += 1
    return count


@dataclass(frozen=True)
class StyleGuide:
    banned_phrases: tuple[str, ...] = ()
    required_hashtags: tuple[str, ...] = ()
    required_phrases: tuple[str, ...] = ()  # disclaimers
    max_emoji: int | None = None
    allowed_link_domains: tuple[str, ...] | None = None  # None: any domain
    reasons: list[str] = field(default_factory=list, compare=False)

    def check(self, text: str, label: str = "") -> list[str]:
        """Every rule this text breaks, as messages (prefixed with ``label``)."""
        where = f"{label}: " if label else ""
        norm = normalise(text)
        out = []
        for phrase in self.banned_phrases:
            p = normalise(phrase)
            if p and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", norm):
                out.append(f"{where}uses the banned phrase “{phrase}”.")
        tags = {normalise(t) for t in HASHTAG_RE.findall(text)}
        for tag in self.required_hashtags:
            if normalise(tag.lstrip("#")) not in tags:
                out.append(f"{where}is missing the required hashtag #{tag.lstrip('#')}.")
        for phrase in self.required_phrases:
            if normalise(phrase) not in norm:
                out.append(f"{where}is missing the required text “{phrase}”.")
        if self.max_emoji is not None:
            n = count_emoji(text)
            if n > self.max_emoji:
                out.append(f"{where}has {n} emoji; at most {self.max_emoji} are allowed.")
        if self.allowed_link_domains is not None:
            allowed = [d.lower().lstrip(".") for d in self.allowed_link_domains]
            for url in URL_RE.findall(text):
                host = (urlsplit(url).hostname or "").lower()
                if not any(host == d or host.endswith("." + d) for d in allowed):
                    out.append(f"{where}links to {host or url}, which is not an allowed domain.")
        return out
