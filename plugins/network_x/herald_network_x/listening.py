"""Herald's listening queries as X recent-search queries (the contract's operators), and the
search itself with X's ``since_id`` / ``next_token`` cursor.

Compilation: keywords as they are (quoted when they hold anything but letters, digits, ``_`` or
an apostrophe, so X does not read an operator into them), phrases quoted, ``#``, ``@``,
``from:``, ``lang:`` as X spells them; AND is a space, OR is ``OR`` with brackets where AND
would bind tighter, and NOT is pushed down to the terms (``-term``; De Morgan for groups), which
X negates one by one. A query longer than X's 512 characters is sent without its negations and
Herald filters them out itself; one still too long is not sent at all and the query says so."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from herald.plugins import (
    CompiledQuery,
    ConnectedAccount,
    QueryAnd,
    QueryNode,
    QueryNot,
    QueryOr,
    QueryTerm,
    SearchPage,
)

if TYPE_CHECKING:
    from herald_network_x.connector import XConnector

#: X's limit on a recent-search query (characters)
MAX_QUERY = 512
_PLAIN = re.compile(r"^[\w']+$")
_KEYWORDS = {"OR", "AND", "NOT"}


def _term(term: QueryTerm) -> str:
    value = term.value.replace('"', "")
    if term.kind == "word":
        return value if _PLAIN.match(value) and value not in _KEYWORDS else f'"{value}"'
    if term.kind == "phrase":
        return f'"{value}"'
    if term.kind == "hashtag":
        return f"#{value}"
    if term.kind == "mention":
        return f"@{value}"
    if term.kind in ("from", "lang"):
        return f"{term.kind}:{value}"
    raise ValueError(f"X has no operator for {term.kind}:")


def _push_not(node: QueryNode, negate: bool = False) -> QueryNode:
    """``node`` with every NOT on a term (De Morgan)."""
    if isinstance(node, QueryTerm):
        return QueryNot(node) if negate else node
    if isinstance(node, QueryNot):
        return _push_not(node.child, not negate)
    children = tuple(_push_not(c, negate) for c in node.children)
    is_and = isinstance(node, QueryAnd) != negate
    return QueryAnd(children) if is_and else QueryOr(children)


def _drop_negations(node: QueryNode) -> QueryNode | None:
    if isinstance(node, QueryNot):
        return None
    if isinstance(node, QueryTerm):
        return node
    kept = [k for k in (_drop_negations(c) for c in node.children) if k is not None]
    if isinstance(node, QueryOr) and len(kept) < len(node.children):
        return None  # "a OR -b" without "-b" would narrow the search: drop the whole OR
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else QueryAnd(tuple(kept))


def render(node: QueryNode, inside_and: bool = False) -> str:
    if isinstance(node, QueryTerm):
        return _term(node)
    if isinstance(node, QueryNot):
        return f"-{_term(node.child)}" if isinstance(node.child, QueryTerm) else f"-({render(node.child)})"
    if isinstance(node, QueryAnd):
        return " ".join(render(c, inside_and=True) for c in node.children)
    text = " OR ".join(render(c) for c in node.children)
    return f"({text})" if inside_and else text


def compile_query(query: QueryNode) -> CompiledQuery:
    pushed = _push_not(query)
    text = render(pushed)
    if len(text) <= MAX_QUERY:
        return CompiledQuery(network_query=text)
    broader = _drop_negations(pushed)
    if broader is not None and len(render(broader)) <= MAX_QUERY:
        return CompiledQuery(network_query=render(broader), local_filter_needed=True,
                             unsupported_parts=("negations (query too long for X)",),
                             notes=(f"The query is {len(text)} characters as X spells it; X takes {MAX_QUERY}. "
                                    "X is searched without the negated terms and Herald leaves those posts out "
                                    "itself.",))
    return CompiledQuery(network_query=None, unsupported_parts=("length",),
                         notes=(f"The query is {len(text)} characters as X spells it; X takes at most "
                                f"{MAX_QUERY}. Shorten it or split it into several queries.",))


def search_recent(conn: XConnector, account: ConnectedAccount, compiled: CompiledQuery,
                  cursor: str | None) -> SearchPage:
    """Posts of the last 7 days matching the compiled query, newer than the post id ``cursor``."""
    if not compiled.network_query:
        raise ValueError("nothing to search for on X")
    page = conn.search(account, compiled.network_query, cursor)
    return SearchPage(items=page.items, cursor=page.cursor, budget=page.budget)
