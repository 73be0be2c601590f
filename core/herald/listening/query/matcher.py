"""Matching a query against one post locally: for what a network's search cannot express
(Instagram's hashtag-only search, X's query length), and for the exclusions.

Keywords and phrases match whole words in sequence (Unicode-aware boundaries, on folded text:
see :mod:`~herald.listening.query.normalise`); ``#tag`` matches the hashtag exactly;
``@handle`` a mention in the text; ``from:`` the author's handle; ``lang:`` the primary subtag
of the post's language (a post of unknown language matches no ``lang:``); ``network:`` the
post's network (a post of unknown network matches no ``network:``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from herald.listening.query import normalise
from herald.listening.query.ast import And, Node, Not, Or, Term


@dataclass
class _Post:
    text: str
    author: str
    lang: str
    network: str
    _words: list[str] | None = None
    _tags: set[str] | None = None
    _mentions: set[str] | None = None
    _phrases: dict[str, bool] = field(default_factory=dict)

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = normalise.words(self.text)
        return self._words

    @property
    def tags(self) -> set[str]:
        if self._tags is None:
            self._tags = normalise.hashtags(self.text)
        return self._tags

    @property
    def mentioned(self) -> set[str]:
        if self._mentions is None:
            self._mentions = normalise.mentions(self.text)
        return self._mentions

    def has_sequence(self, value: str) -> bool:
        if value not in self._phrases:
            wanted = normalise.words(value)
            have = self.words
            size = len(wanted)
            self._phrases[value] = bool(wanted) and any(have[i:i + size] == wanted
                                                        for i in range(len(have) - size + 1))
        return self._phrases[value]


def matches(ast: Node, text: str, author: str | None = None, lang: str | None = None,
            network: str | None = None) -> bool:
    """Whether a post (its text, author handle, language and network) matches ``ast``."""
    post = _Post(text or "", normalise.handle(author), (lang or "").split("-")[0].lower(), network or "")
    return _eval(ast, post)


def _eval(node: Node, post: _Post) -> bool:
    if isinstance(node, Term):
        return _term(node, post)
    if isinstance(node, Not):
        return not _eval(node.child, post)
    if isinstance(node, And):
        return all(_eval(c, post) for c in node.children)
    if isinstance(node, Or):
        return any(_eval(c, post) for c in node.children)
    raise TypeError(f"not a query node: {node!r}")


def _term(term: Term, post: _Post) -> bool:
    kind = term.kind
    if kind in ("word", "phrase"):
        return post.has_sequence(term.value)
    if kind == "hashtag":
        return normalise.fold(term.value) in post.tags
    if kind == "mention":
        return normalise.handle(term.value) in post.mentioned
    if kind == "from":
        return bool(post.author) and normalise.handle(term.value) == post.author
    if kind == "lang":
        return bool(post.lang) and post.lang == term.value
    if kind == "network":
        return bool(post.network) and post.network == term.value
    return False
