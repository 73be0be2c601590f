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
             limit: int, cursor: str | None, descending: bool = False, rows: bool = False) -> Page:
    """A page of ``stmt``'s first entity in ``columns``' order (``rows``: of whole result rows,
    whose first entity carries the order — for a page that selects what its items show beside
    them)."""
    if cursor:
        values = _decode(cursor, columns)
        conds = []
        for i, col in enumerate(columns):
            eqs = [columns[j] == values[j] for j in range(i)]
            cmp = col < values[i] if descending else col > values[i]
            conds.append(and_(*eqs, cmp))
        stmt = stmt.where(or_(*conds))
    order = [c.desc() if descending else c.asc() for c in columns]
    result = session.execute(stmt.order_by(*order).limit(limit + 1))
    found = list(result.all() if rows else result.scalars().all())
    items = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last = items[-1][0] if rows else items[-1]
        next_cursor = _encode([getattr(last, c.key) for c in columns])
    return Page(items, next_cursor)


def paginate_sorted(items: list[Any], key: str, limit: int, cursor: str | None) -> Page:
    """The same pagination over an in-memory list already sorted by the unique ``key``
    (built-in roles, installed plugins, the permission catalogue)."""
    start = 0
    if cursor:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            after = json.loads(raw)
            if not isinstance(after, str):
                raise ValueError
        except (ValueError, TypeError) as exc:
            raise BadRequest("The cursor is not valid; start again without it.") from exc
        keys = [_key(item, key) for item in items]
        start = next((i for i, k in enumerate(keys) if k > after), len(items))
    page = items[start:start + limit]
    more = start + limit < len(items)
    next_cursor = _encode_key(_key(page[-1], key)) if more and page else None
    return Page(page, next_cursor)


def _key(item: Any, key: str) -> str:
    return item[key] if isinstance(item, dict) else getattr(item, key)


def _encode_key(value: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
