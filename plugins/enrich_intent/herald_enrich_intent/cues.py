"""Reading the cue lexicons over a text: a score per intent, with simple negation, question
detection and the spam patterns that are not words (link-only, handle and hashtag lists,
repeated characters, money-per-day promises)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from herald_enrich_intent.lexicon import COMPLAINT_EMOJI, LANGS, LEXICONS, PRAISE_EMOJI
from herald_enrich_intent.normalise import HANDLE_TOKEN, URL_TOKEN, keyword_tokens

#: the intents, as the enricher contract names them (``herald.plugins`` does not offer the tuple)
INTENTS: tuple[str, ...] = ("sales_enquiry", "support_issue", "complaint", "praise", "question", "spam")
_INDEX = {name: i for i, name in enumerate(INTENTS)}
#: Arabic-script clitics tried off the front of a word that matched nothing as written
_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب")
_ARABIC = re.compile("[\u0600-\u06ff]")
_MONEY = re.compile(r"(?:[$€£₹]|usd|dollars?)\s?\d{2,}|\d{2,}\s?(?:[$€£₹]|usd|dollars?)", re.IGNORECASE)
_PER_TIME = re.compile(r"\b(?:a|per|every|each)\s+(?:day|week|hour)\b|\bdaily\b|\bweekly\b|روزانه|يوميا|روزانہ|रोजाना",
                       re.IGNORECASE)
_RUN = re.compile(r"(\S)\1{5,}")
_HASHTAG = re.compile(r"#\w+")
#: a negator this far before a cue (or one word after it, as Persian, Urdu and Hindi put it) turns it
_NEGATION_BEFORE, _NEGATION_AFTER = 2, 1


@dataclass(frozen=True)
class _Hit:
    lang: str
    group: str
    weight: float


@dataclass(frozen=True)
class CueReading:
    """What the lexicons saw: ``scores`` (one per intent, in :data:`INTENTS` order) and whether
    the text is about an order or account (a question about one goes to support)."""

    scores: np.ndarray
    about_order: bool


class CueLexicon:
    """The lexicons of :mod:`herald_enrich_intent.lexicon`, compiled into lookup tables."""

    def __init__(self) -> None:
        self.phrases: dict[tuple[str, ...], list[_Hit]] = {}
        self.prefixes: dict[str, list[_Hit]] = {}
        self.negators: set[str] = set()
        self.longest = 1
        for lang, groups in LEXICONS.items():
            for group, entries in groups.items():
                for entry in entries:
                    self._add(lang, group, entry)
        self.starts = {key[0] for key in self.phrases if len(key) > 1}
        self.min_prefix = min((len(p) for p in self.prefixes), default=3)

    def _add(self, lang: str, group: str, entry: str) -> None:
        if group == "negators":
            self.negators.update(keyword_tokens(entry))
            return
        prefix = entry.endswith("*")
        toks = tuple(keyword_tokens(entry.rstrip("*")))
        if not toks:
            return
        weight = 1.0 + 0.5 * (len(toks) - 1)
        if prefix and len(toks) == 1:
            hits = self.prefixes.setdefault(toks[0], [])
            if not any(h.lang == lang and h.group == group for h in hits):
                hits.append(_Hit(lang, group, weight))
            return
        hits = self.phrases.setdefault(toks, [])
        if not any(h.lang == lang and h.group == group for h in hits):  # two spellings, one entry
            hits.append(_Hit(lang, group, weight))
        self.longest = max(self.longest, len(toks))

    def _word(self, tok: str) -> list[_Hit] | None:
        hits = self.phrases.get((tok,))
        if hits is not None:
            return hits
        if _ARABIC.match(tok):
            for clitic in _CLITICS:
                if tok.startswith(clitic) and len(tok) - len(clitic) >= 2:
                    hits = self.phrases.get((tok[len(clitic):],))
                    if hits is not None:
                        return hits
        elif len(tok) > 3 and tok.endswith("s"):
            hits = self.phrases.get((tok[:-1],))
            if hits is not None:
                return hits
        for end in range(len(tok), self.min_prefix - 1, -1):
            hits = self.prefixes.get(tok[:end])
            if hits is not None:
                return hits
        return None

    def read(self, toks: Sequence[str], raw: str, language: str | None) -> CueReading:
        """Score ``toks`` (the normalised tokens of ``raw``) for each intent."""
        factor = _language_factors(language)
        scores = np.zeros(len(INTENTS), dtype=np.float64)
        n = len(toks)
        matches: list[tuple[int, int, list[_Hit]]] = []
        used = [False] * n
        i = 0
        while i < n:
            tok = toks[i]
            found = None
            if tok in self.starts:
                for length in range(min(self.longest, n - i), 1, -1):
                    hits = self.phrases.get(tuple(toks[i:i + length]))
                    if hits is not None:
                        found = (length, hits)
                        break
            if found is None:
                hits = self._word(tok)
                if hits is not None:
                    found = (1, hits)
            if found is None:
                i += 1
                continue
            length, hits = found
            matches.append((i, length, hits))
            if length > 1:
                for j in range(i, i + length):
                    used[j] = True
            i += length
        negators = self.negators
        about_order = False
        for start, length, hits in matches:
            around = (*range(max(0, start - _NEGATION_BEFORE), start),
                      *range(start + length, min(n, start + length + _NEGATION_AFTER)))
            negated = any(not used[j] and toks[j] in negators for j in around)
            for hit in hits:
                weight = hit.weight * factor.get(hit.lang, 1.0)
                group = hit.group
                if group == "neutral":
                    continue
                if group == "order":
                    about_order = True
                    continue
                if group == "question":
                    weight *= 1.0 if start == 0 else 0.5
                elif negated and group == "praise":
                    group, weight = "complaint", weight * 0.8
                elif negated and group in ("complaint", "support_issue"):
                    continue
                scores[_INDEX[group]] += weight
        if "?" in toks:
            scores[_INDEX["question"]] += 1.0 + (0.5 if toks[-1] == "?" else 0.0)
        # "question" is what is left of a question once it asks for nothing else: one that is also
        # about buying, a fault or a grievance is that first
        if scores[_INDEX["sales_enquiry"]] or scores[_INDEX["support_issue"]] or scores[_INDEX["complaint"]]:
            scores[_INDEX["question"]] *= 0.3
        _spam_patterns(scores, toks, raw)
        _emoji(scores, raw)
        return CueReading(scores, about_order)


def _language_factors(language: str | None) -> dict[str, float]:
    """Full weight for the item's language, English and (beside Hindi and English) Hindi in Latin
    letters; a little less for the others, which a wrongly detected language still reaches."""
    if language not in LEXICONS and language != "hi":
        return {}
    own = {language, "en"}
    if language in ("hi", "en"):
        own.add("hi_latn")
    return {lang: (1.0 if lang in own else 0.6) for lang in LANGS}


def _spam_patterns(scores: np.ndarray, toks: Sequence[str], raw: str) -> None:
    spam = _INDEX["spam"]
    words = [t for t in toks if t not in (URL_TOKEN, HANDLE_TOKEN) and t.isalnum() and not t.isdigit()]
    links = sum(1 for t in toks if t == URL_TOKEN)
    if links:
        scores[spam] += 0.5 + (2.0 if len(words) <= 2 else 0.0) + 0.5 * (links - 1)
    if sum(1 for t in toks if t == HANDLE_TOKEN) >= 3:
        scores[spam] += 1.0
    if len(_HASHTAG.findall(raw)) >= 5:
        scores[spam] += 1.0
    if _RUN.search(raw):
        scores[spam] += 0.5
    if _MONEY.search(raw) and _PER_TIME.search(raw):
        scores[spam] += 1.5


def _emoji(scores: np.ndarray, raw: str) -> None:
    praise = sum(1 for ch in raw if ch in PRAISE_EMOJI)
    complaint = sum(1 for ch in raw if ch in COMPLAINT_EMOJI)
    if praise:
        scores[_INDEX["praise"]] += min(praise, 2) * 0.8
    if complaint:
        scores[_INDEX["complaint"]] += min(complaint, 2) * 0.8
