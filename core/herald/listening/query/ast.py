"""The query AST: terms joined by AND, OR and NOT. Immutable and JSON-friendly
(:func:`to_json` / :func:`from_json`), so a parsed query can be stored and handed to connectors.

A :class:`Term`'s ``kind`` is one of :data:`TERM_KINDS`:

- ``word``: a keyword (matched on word boundaries; a word with punctuation, such as
  ``coca-cola``, matches its parts in sequence);
- ``phrase``: an exact phrase (``"good morning"``);
- ``hashtag``: ``#tag`` (``value`` without the sign; exact: ``#thanku`` is not ``#thankunext``);
- ``mention``: ``@handle`` mentioned in the text;
- ``from``: ``from:handle``, posts by that author;
- ``lang``: ``lang:xx``, the post's language (BCP 47 primary subtag);
- ``network``: ``network:x``, only on that network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

TERM_KINDS = ("word", "phrase", "hashtag", "mention", "from", "lang", "network")
#: terms that say what a post contains or who wrote it (a query needs one that is not negated)
CONTENT_KINDS = ("word", "phrase", "hashtag", "mention", "from")


@dataclass(frozen=True)
class Term:
    kind: str
    value: str

    def __str__(self) -> str:
        if self.kind == "word":
            return self.value
        if self.kind == "phrase":
            return f'"{self.value}"'
        prefix = {"hashtag": "#", "mention": "@"}.get(self.kind, f"{self.kind}:")
        return f"{prefix}{self.value}"


@dataclass(frozen=True)
class Not:
    child: Node

    def __str__(self) -> str:
        return f"-{self.child}" if isinstance(self.child, Term) else f"NOT ({self.child})"


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(f"({c})" if isinstance(c, Or) else str(c) for c in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(f"({c})" if isinstance(c, And) else str(c) for c in self.children)


Node: TypeAlias = "Term | Not | And | Or"


def terms(node: Node) -> Iterator[tuple[Term, bool]]:
    """Every term with whether it is negated (an odd number of NOTs above it)."""
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, negated = stack.pop()
        if isinstance(current, Term):
            yield current, negated
        elif isinstance(current, Not):
            stack.append((current.child, not negated))
        else:
            stack.extend((c, negated) for c in reversed(current.children))


def to_json(node: Node) -> Any:
    if isinstance(node, Term):
        return {"t": node.kind, "v": node.value}
    if isinstance(node, Not):
        return {"not": to_json(node.child)}
    return {"and" if isinstance(node, And) else "or": [to_json(c) for c in node.children]}


def from_json(data: Any) -> Node:
    if "t" in data:
        return Term(str(data["t"]), str(data["v"]))
    if "not" in data:
        return Not(from_json(data["not"]))
    if "and" in data:
        return And(tuple(from_json(c) for c in data["and"]))
    return Or(tuple(from_json(c) for c in data["or"]))


def simplify_for_network(node: Node, network: str) -> Node | bool:
    """``node`` as it reads on ``network``: ``network:`` terms become true or false and fold
    away. True: everything on the network matches (only possible for a query of network terms
    alone); False: nothing does, so the query does not run there."""
    if isinstance(node, Term):
        return node.value == network if node.kind == "network" else node
    if isinstance(node, Not):
        inner = simplify_for_network(node.child, network)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    kept: list[Node] = []
    is_and = isinstance(node, And)
    for child in node.children:
        value = simplify_for_network(child, network)
        if isinstance(value, bool):
            if value != is_and:  # False in an AND, True in an OR decides the whole
                return value
            continue
        kept.append(value)
    if not kept:
        return is_and
    if len(kept) == 1:
        return kept[0]
    return And(tuple(kept)) if is_and else Or(tuple(kept))


def networks_named(node: Node) -> set[str]:
    return {t.value for t, _ in terms(node) if t.kind == "network"}
