"""Set membership that scales: ``column IN (...)`` with one bound parameter per value on SQLite,
``column = ANY(array)`` on PostgreSQL — one parameter whatever the number of values, so the
statement's text stays the same from batch to batch and the server can keep it prepared."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, String, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def among(session: Session, column: Any, values: Iterable[str]) -> ColumnElement[bool]:
    """``column`` is one of ``values`` (strings: ids and keys)."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(String)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]
