"""The one error a query can raise: what is wrong and where (line and column, from 1)."""

from __future__ import annotations


class QueryError(ValueError):
    """A query that cannot be parsed or breaks a limit. ``str()`` reads
    "line 1, column 14: a closing bracket is missing"."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.line = line
        self.column = column


def position(text: str, offset: int) -> tuple[int, int]:
    """(line, column), both from 1, of the character at ``offset`` of ``text``."""
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return line, column
