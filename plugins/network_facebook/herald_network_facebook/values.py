"""Tolerant readers of values in Meta's answers and webhook deliveries: a missing or wrongly typed
value reads as None (or empty), so one odd item is skipped rather than failing a whole poll."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from herald.plugins import PermanentError

#: Graph ids Herald puts into a path: digits, ``<page>_<post>``, ``t_…``/``m_…`` (URL-safe base64);
#: slashes, dots or braces could reach another node or field
PATH_ID_RE = re.compile(r"^[A-Za-z0-9_\-=]{1,200}$")


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def data_list(value: Any) -> list[dict[str, Any]]:
    """The dict items of a Graph connection (``{"data": [...]}``) or of a bare list."""
    items = value.get("data") if isinstance(value, dict) else value
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def as_id(value: Any) -> str | None:
    """An id as Meta sends it (a string, or a number in some deliveries), if safe in a path."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and PATH_ID_RE.fullmatch(value) else None


def path_id(value: Any, what: str) -> str:
    """``value`` as a path segment, or a clear refusal naming ``what``."""
    ident = as_id(value)
    if ident is None:
        raise PermanentError(f"{what} must be a Facebook id (letters, digits, '_', '-').", code="bad_id")
    return ident


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_time(value: Any) -> datetime | None:
    """Meta's ``2026-01-31T18:10:30+0000``, plain ISO 8601, or a Unix time in seconds or
    milliseconds; always timezone-aware."""
    if isinstance(value, str) and value.isdigit():
        value = int(value) if len(value) < 20 else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000 if value > 10**11 else value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
