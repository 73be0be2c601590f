"""Herald's listening query language: a tokenizer and a recursive-descent parser to an AST (no
eval), a local matcher, and the limits that keep hostile queries cheap."""

from herald.listening.query.ast import And, Node, Not, Or, Term
from herald.listening.query.errors import QueryError
from herald.listening.query.matcher import matches
from herald.listening.query.parser import parse, parse_exclusions, with_exclusions

__all__ = ["And", "Node", "Not", "Or", "QueryError", "Term", "matches", "parse", "parse_exclusions",
           "with_exclusions"]
