"""How X counts the length of a post, and how a post found on X is compared with Herald's text."""

from __future__ import annotations

import html
import re
import unicodedata

URL_RE = re.compile(r"https?://[^\s]+", re.IGNORECASE)
#: X wraps every link with t.co: each counts as 23 characters whatever its length.
URL_WEIGHT = 23
_LEADING_MENTIONS = re.compile(r"^(?:@\w{1,15}\s+)+")
_SPACE = re.compile(r"\s+")


def weighted_length(text: str) -> int:
    """X's weighted count (twitter-text v3): code points in Latin, general punctuation and a few
    symbol ranges weigh 1; everything else (CJK, emoji, most other scripts' wide forms) weighs 2;
    URLs weigh 23. Text is NFC-normalised first, as X does. The limit is 280 weighted units."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    last = 0
    for m in URL_RE.finditer(text):
        total += _weigh(text[last:m.start()]) + URL_WEIGHT
        last = m.end()
    return total + _weigh(text[last:])


def _weigh(segment: str) -> int:
    n = 0
    for ch in segment:
        cp = ord(ch)
        light = cp <= 0x10FF or 0x2000 <= cp <= 0x200D or 0x2010 <= cp <= 0x201F or 0x2032 <= cp <= 0x2037
        n += 1 if light else 2
    return n


def _normalise(text: str) -> str:
    # X returns text HTML-escaped (&amp;), with links rewritten to t.co, and NFC-normalised.
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = URL_RE.sub("\x00URL\x00", text)
    return _SPACE.sub(" ", text).strip()


def same_text(sent: str, found: str) -> bool:
    """Whether ``found`` (a post's text as X returns it) is the text Herald sent. Links compare
    equal whatever they point to, because X shows every link as its t.co wrapper; the @handles X
    may put in front of a reply are ignored."""
    want = _normalise(sent)
    got = _normalise(found)
    if got == want:
        return True
    return _LEADING_MENTIONS.sub("", got) == want
