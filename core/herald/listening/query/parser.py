"""The recursive-descent parser: tokens to an AST.

Grammar (AND binds tighter than OR; juxtaposition is AND)::

    query   := or_expr END
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or_expr ")" | TERM

Limits keep hostile input cheap: at most :data:`MAX_LENGTH` characters, :data:`MAX_DEPTH`
levels of brackets and negations, :data:`MAX_TERMS` terms; recursion is bounded by the depth
check, so no input reaches Python's recursion limit."""

from __future__ import annotations

from collections.abc import Iterable

from herald.listening.query.ast import CONTENT_KINDS, And, Node, Not, Or, Term, terms
from herald.listening.query.errors import QueryError, position
from herald.listening.query.tokens import Token, tokenize

MAX_LENGTH = 1024
MAX_DEPTH = 10
MAX_TERMS = 50
MAX_EXCLUSIONS = 50


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.count = 0

    def error(self, token: Token, message: str) -> QueryError:
        line, column = position(self.text, token.offset)
        return QueryError(message, line, column)

    @property
    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr(0)
        token = self.peek
        if token.kind == ")":
            raise self.error(token, "a closing bracket has no opening bracket")
        if token.kind != "END":
            raise self.error(token, f"unexpected {token.kind}")
        return node

    def or_expr(self, depth: int) -> Node:
        parts = [self.and_expr(depth)]
        while self.peek.kind == "OR":
            op = self.take()
            if self.peek.kind in ("END", ")", "OR", "AND"):
                raise self.error(op, "OR needs a term on each side")
            parts.append(self.and_expr(depth))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self, depth: int) -> Node:
        parts = [self.unary(depth)]
        while self.peek.kind not in ("END", ")", "OR"):
            if self.peek.kind == "AND":
                op = self.take()
                if self.peek.kind in ("END", ")", "OR", "AND"):
                    raise self.error(op, "AND needs a term on each side")
            parts.append(self.unary(depth))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self, depth: int) -> Node:
        token = self.peek
        if token.kind in ("NOT", "NEG"):
            self.take()
            if depth + 1 > MAX_DEPTH:
                raise self.error(token, f"the query nests deeper than {MAX_DEPTH} levels")
            if self.peek.kind in ("END", ")", "OR", "AND"):
                raise self.error(token, f"{'NOT' if token.kind == 'NOT' else '-'} needs a term after it")
            return Not(self.unary(depth + 1))
        return self.primary(depth)

    def primary(self, depth: int) -> Node:
        token = self.take()
        if token.kind == "(":
            if depth + 1 > MAX_DEPTH:
                raise self.error(token, f"the query nests deeper than {MAX_DEPTH} levels")
            if self.peek.kind == ")":
                raise self.error(self.peek, "empty brackets match nothing")
            inner = self.or_expr(depth + 1)
            closing = self.peek
            if closing.kind != ")":
                open_line, open_column = position(self.text, token.offset)
                where = f"column {open_column}" if open_line == 1 else f"line {open_line}, column {open_column}"
                raise self.error(closing, f"a closing bracket is missing (for the bracket at {where})")
            self.take()
            return inner
        if token.kind == "TERM":
            self.count += 1
            if self.count > MAX_TERMS:
                raise self.error(token, f"a query has at most {MAX_TERMS} terms")
            return Term(token.term_kind, token.value)
        if token.kind == ")":
            raise self.error(token, "a closing bracket has no opening bracket")
        if token.kind == "END":
            raise self.error(token, "the query ends where a term was expected")
        raise self.error(token, f"{token.kind} needs a term before it")


def parse(text: str, *, require_content: bool = True) -> Node:
    """The AST of ``text``; :class:`QueryError` with the position of the first problem."""
    if len(text) > MAX_LENGTH:
        raise QueryError(f"a query has at most {MAX_LENGTH} characters; this one has {len(text)}", 1,
                         position(text, MAX_LENGTH)[1])
    if not text.strip():
        raise QueryError("the query is empty", 1, 1)
    node = _Parser(text, tokenize(text)).parse()
    if require_content and not any(t.kind in CONTENT_KINDS and not neg for t, neg in terms(node)):
        raise QueryError("a query needs at least one word, phrase, #hashtag, @handle or from: that it does not "
                         "exclude", 1, 1)
    return node


def parse_exclusions(values: Iterable[str]) -> list[Term]:
    """Each exclusion is one term: a word, "a phrase", #hashtag, @handle or from:handle."""
    out: list[Term] = []
    for index, raw in enumerate(values):
        if index >= MAX_EXCLUSIONS:
            raise QueryError(f"at most {MAX_EXCLUSIONS} exclusions", 1, 1)
        value = raw.strip()
        if not value:
            continue
        if value[0] not in "\"\u201c" and " " in value:
            value = f'"{value}"'  # several words exclude the phrase, not each word
        node = parse(value, require_content=False)
        if not isinstance(node, Term) or node.kind not in CONTENT_KINDS:
            raise QueryError(f"exclusion {index + 1} ({raw!r}) must be one word, phrase, #hashtag, @handle or "
                             "from:handle", 1, 1)
        out.append(node)
    return out


def with_exclusions(node: Node, exclusions: Iterable[Term]) -> Node:
    """``node AND NOT e`` for every exclusion."""
    extra = tuple(Not(e) for e in exclusions)
    if not extra:
        return node
    base = node.children if isinstance(node, And) else (node,)
    return And((*base, *extra))
