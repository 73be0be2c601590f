"""Reading values out of X's answers without trusting their shape: a field that is missing or
of an unexpected type reads as "not there", never as a crash."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

#: X's ids (posts, users, DM events, media) are decimal numbers sent as strings.
NUMERIC_ID_RE = re.compile(r"^\d{1,30}$")
#: A DM conversation: ``<smaller user id>-<larger user id>`` one-to-one, a number for a group.
CONVERSATION_ID_RE = re.compile(r"^\d{1,30}(?:-\d{1,30})?$")


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` if X sent an object there, else an empty one."""
    return value if isinstance(value, dict) else {}


def dict_items(value: Any) -> list[dict[str, Any]]:
    """The objects of a list X sent (anything else in it is left out)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def data_of(body: Any) -> dict[str, Any]:
    """The ``data`` object of an answer (empty if there is none)."""
    return as_dict(as_dict(body).get("data"))


def as_text(value: Any) -> str:
    """A string field, or "" when X sent something else."""
    return value if isinstance(value, str) else ""


def numeric_id(value: Any) -> str | None:
    """One of X's numeric ids (as a string, or an int), else None. Such ids end up in URLs, so
    anything else is not trusted."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text if NUMERIC_ID_RE.fullmatch(text) else None


def conversation_id(value: Any) -> str | None:
    """A DM conversation id in one of X's two forms, else None."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text if CONVERSATION_ID_RE.fullmatch(text) else None


def aware(moment: datetime) -> datetime:
    """``moment`` with UTC as its zone when it has none."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_time(value: Any) -> datetime | None:
    """X's ISO 8601 instants (``2022-10-19T20:58:00.000Z``); None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def created_of(item: dict[str, Any]) -> datetime | None:
    """When X says a post or DM event was created."""
    return parse_time(item.get("created_at"))
