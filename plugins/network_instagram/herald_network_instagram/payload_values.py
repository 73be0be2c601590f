"""Tolerant readers of the values in Meta's answers and webhook deliveries.

Meta's payloads are mostly well formed, but a webhook body is whatever was posted with a valid
signature, and several shapes are marked *unconfirmed* in the contract: every reader here
returns None (or an empty value) for a missing or wrongly typed value instead of raising, so
that one odd item is skipped rather than failing a whole poll or delivery."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

#: ids Herald puts into a request path: Graph ids are digits, conversation and message ids are
#: URL-safe base64; anything else (slashes, braces, dots) could reach another node or field.
PATH_ID_RE = re.compile(r"^[A-Za-z0-9_\-=]{1,200}$")
NUMERIC_ID_RE = re.compile(r"^\d{1,30}$")
#: a Unix time above this is in milliseconds (it would be the year 5138 in seconds)
MS_THRESHOLD = 10**11


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def data_list(value: Any) -> list[dict[str, Any]]:
    """The dict items of a Graph connection (``{"data": [...]}``) or of a bare list."""
    items = value.get("data") if isinstance(value, dict) else value
    return [item for item in as_list(items) if isinstance(item, dict)]


def as_id(value: Any) -> str | None:
    """An id as Meta sends it (a string, or a number in some deliveries); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip() and len(value) <= 200:
        return value.strip()
    return None


def path_id(value: Any) -> str | None:
    """``value`` if it is safe to put into a request path, else None."""
    ident = as_id(value)
    return ident if ident is not None and PATH_ID_RE.fullmatch(ident) else None


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_time(value: Any) -> datetime | None:
    """Meta's ``2017-08-31T18:10:30+0000``, plain ISO 8601, or a Unix time in seconds or
    milliseconds (the contract shows ``updated_time`` both ways, webhook times both ways);
    always timezone-aware."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return from_epoch(value)
    if not isinstance(value, str) or not value:
        return None
    if value.isdigit():
        return from_epoch(int(value))
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        return aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def from_epoch(value: float) -> datetime | None:
    seconds = value / 1000 if value > MS_THRESHOLD else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
