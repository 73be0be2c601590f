"""Opaque, unguessable external identifiers.

Every row's primary key is ``<prefix>_<26 base32 chars>``: 128 random bits, so ids carry no
order, no count and cannot be guessed. The prefix tells a reader what kind of object it is.
"""

from __future__ import annotations

import base64
import re
import secrets

_ID_RE = re.compile(r"^[a-z]{2,5}_[a-z2-7]{26}$")


def new_id(prefix: str) -> str:
    raw = base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower()
    return f"{prefix}_{raw}"


def looks_like_id(value: str, prefix: str | None = None) -> bool:
    if not isinstance(value, str) or not _ID_RE.match(value):
        return False
    return prefix is None or value.startswith(prefix + "_")
