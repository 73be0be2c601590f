"""The instance keys that sign audit events and checkpoints (``HERALD_AUDIT_KEYS``), by id.

The first key signs new events; every configured key verifies. The keys live outside the
database (the environment, or ``instance/audit.key`` in embedded mode)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from herald.errors import HeraldError

KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
#: the id of the key derived from HERALD_SECRET_KEY when HERALD_AUDIT_KEYS is not set
DERIVED_KEY_ID = "secret"


class AuditKeyError(HeraldError):
    title = "Audit key error"
    slug = "audit-key-error"


def parse_keys(raw: str) -> tuple[tuple[str, str], ...]:
    """``id:secret,id:secret`` (newest first) as pairs; raises :class:`ValueError` on a bad entry."""
    pairs: list[tuple[str, str]] = []
    for entry in raw.split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, secret = entry.partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise ValueError("each entry must be ID:SECRET, the id made of letters, digits, '.', '_' or '-' "
                             "(at most 32)")
        if len(secret) < 32:
            raise ValueError(f"the secret of key {key_id!r} must be at least 32 characters")
        if key_id in {k for k, _ in pairs}:
            raise ValueError(f"key id {key_id!r} appears twice")
        pairs.append((key_id, secret))
    return tuple(pairs)


def derived_key(secret_key: str) -> tuple[str, str]:
    """The fallback key, derived from HERALD_SECRET_KEY (so it too lives outside the database)."""
    import hashlib
    import hmac

    return DERIVED_KEY_ID, hmac.new(secret_key.encode(), b"herald.audit.chain", hashlib.sha256).hexdigest()


def new_key(key_id: str) -> str:
    """A new ``id:secret`` entry for HERALD_AUDIT_KEYS."""
    if not KEY_ID.match(key_id):
        raise AuditKeyError(f"{key_id!r} is not a valid key id (letters, digits, '.', '_' or '-', at most 32).")
    return f"{key_id}:{secrets.token_urlsafe(48)}"


def configured() -> tuple[tuple[str, str], ...]:
    """The current runtime's audit keys, newest first."""
    from herald.runtime import current

    return current().settings.audit_keys


def signing_key() -> tuple[str, bytes]:
    keys = configured()
    if not keys:
        raise AuditKeyError("no audit key is configured (HERALD_AUDIT_KEYS): audit events cannot be signed.")
    key_id, secret = keys[0]
    return key_id, secret.encode("utf-8")


def verifying_keys(pairs: tuple[tuple[str, str], ...] | None = None) -> Mapping[str, bytes]:
    return {key_id: secret.encode("utf-8") for key_id, secret in (configured() if pairs is None else pairs)}
