"""xs:dateTime values as SAML writes them, read as aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_instant(value: str) -> datetime:
    """``2026-01-01T10:00:00Z`` (fractions of any length; no zone means UTC). ValueError if not a date."""
    text = _FRACTION.sub(r"\1", value.strip())
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
