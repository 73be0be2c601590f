"""Keyset pagination for every list: ``?limit=`` (1–200) and an opaque ``?cursor=``."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from herald.db.base import UTCDateTime
from herald.errors import BadRequest


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, columns: list[InstrumentedAttribute[Any]]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError
        out = []
        for col, v in zip(columns, values, strict=True):
            out.append(datetime.fromisoformat(v) if isinstance(col.type, UTCDateTime) else v)
        return out
    except (ValueError, TypeError) as exc:
        raise BadRequest("The cursor is not valid; start again without it.") from exc


def paginate(session: Session, stmt: Select[Any], columns: list[InstrumentedAttribute[Any]],
             limit: int, cursor: str | None, descending: bool = False) -> Page:
    if cursor:
        values = _decode(cursor, columns)
        conds = []
        for i, col in enumerate(columns):
            eqs = [columns[j] == values[j] for j in range(i)]
            cmp = col < values[i] if descending else col > values[i]
            conds.append(and_(*eqs, cmp))
        stmt = stmt.where(or_(*conds))
    order = [c.desc() if descending else c.asc() for c in columns]
    rows = session.execute(stmt.order_by(*order).limit(limit + 1)).scalars().all()
    items = list(rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = _encode([getattr(last, c.key) for c in columns])
    return Page(items, next_cursor)
