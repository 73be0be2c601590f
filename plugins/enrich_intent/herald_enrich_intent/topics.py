"""Tenant-defined topics, compiled once per distinct settings: keyword and phrase tables, and the
centre of each topic's examples as an idf-weighted hashed n-gram vector."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from herald_enrich_intent.features import DIM, sparse_vector, weighted
from herald_enrich_intent.normalise import keyword_tokens, normalise, tokens

_QUOTES = ('"', "“", "”", "«", "»")
_ARABIC = re.compile("[\u0600-\u06ff]")
_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال")
#: how many compiled settings are kept (a process serves many tenants; each is small)
CACHE_SIZE = 64


def stem(tok: str) -> str:
    """A word without the clitics and endings a keyword should see through: the Arabic article
    and the prepositions fused to it (``الفاتوره`` → ``فاتوره``), an English plural ``s``."""
    if _ARABIC.match(tok):
        for clitic in _CLITICS:
            if tok.startswith(clitic) and len(tok) - len(clitic) >= 3:
                return tok[len(clitic):]
        return tok
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
        return tok[:-1]
    return tok


@dataclass(frozen=True)
class _Keyword:
    words: tuple[str, ...]
    exact: bool
    topic: int


class CompiledTopics:
    """Matches items against a tenant's topics (built from the stored settings)."""

    def __init__(self, topics: Sequence[dict[str, Any]], similarity: float, idf: np.ndarray) -> None:
        self.names = [str(t["name"]) for t in topics]
        self.similarity = similarity
        self.idf = idf
        self.by_first: dict[str, list[_Keyword]] = {}
        centres: list[np.ndarray] = []
        self.centre_topics: list[int] = []
        for i, topic in enumerate(topics):
            for words in (topic.get("keywords") or {}).values():
                for word in words:
                    self._add_keyword(word, i)
            examples = [e for e in topic.get("examples") or () if e.strip()]
            if examples:
                centre = np.zeros(DIM, dtype=np.float32)
                for example in examples:
                    idx, vals = sparse_vector(tokens(normalise(example)))
                    centre[idx] += weighted(idx, vals, idf)
                norm = float(np.linalg.norm(centre))
                if norm:
                    centres.append(centre / norm)
                    self.centre_topics.append(i)
        self.centres = np.stack(centres) if centres else np.zeros((0, DIM), dtype=np.float32)

    def _add_keyword(self, word: str, topic: int) -> None:
        text = word.strip()
        exact = len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES
        toks = keyword_tokens(text.strip("".join(_QUOTES)))
        if not toks:
            return
        words = tuple(toks) if exact else tuple(stem(t) for t in toks)
        self.by_first.setdefault(words[0], []).append(_Keyword(words, exact, topic))

    def match(self, toks: Sequence[str], idx: np.ndarray, vals: np.ndarray) -> list[str]:
        """The names of the topics ``toks`` (with its hashed vector ``idx``, ``vals``) is about,
        in the order the settings list them."""
        found: set[int] = set()
        if self.by_first:
            stems = [stem(t) for t in toks]
            n = len(toks)
            for i in range(n):
                for candidates in (self.by_first.get(toks[i]), self.by_first.get(stems[i])):
                    for kw in candidates or ():
                        if kw.topic in found:
                            continue
                        seq = toks if kw.exact else stems
                        if tuple(seq[i:i + len(kw.words)]) == kw.words:
                            found.add(kw.topic)
        if len(self.centre_topics) and len(idx):
            item = weighted(idx, vals, self.idf)
            cosines = self.centres[:, idx] @ item
            for j in np.flatnonzero(cosines >= self.similarity):
                found.add(self.centre_topics[int(j)])
        return [self.names[i] for i in sorted(found)]


_cache: OrderedDict[str, CompiledTopics] = OrderedDict()
_lock = threading.Lock()


def compiled(topics: str | Sequence[dict[str, Any]] | None, similarity: float, idf: np.ndarray) -> CompiledTopics:
    """The topics compiled, learned once per distinct (topics, similarity) and kept in a small
    cache, so that the examples are not learned again for every item."""
    text = topics if isinstance(topics, str) else json.dumps(list(topics or ()), ensure_ascii=False, sort_keys=True)
    key = hashlib.sha256(f"{similarity!r}\n{text}".encode()).hexdigest()
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    parsed = json.loads(text) if text.strip() else []
    built = CompiledTopics(parsed, similarity, idf)
    with _lock:
        _cache[key] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def cache_info() -> int:
    """How many compiled settings are cached (for tests and diagnostics)."""
    return len(_cache)
