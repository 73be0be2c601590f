"""Encryption of secrets at rest (plugin settings, later: social network tokens).

Fernet (AES-128-CBC + HMAC-SHA256). Several keys may be configured: the first encrypts, all
decrypt, so keys rotate without downtime (``herald keys rotate`` re-encrypts)."""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from herald.errors import HeraldError


class SecretsUnreadable(HeraldError):
    title = "Secrets unreadable"
    slug = "secrets-unreadable"


class SecretBox:
    def __init__(self, keys: tuple[str, ...]) -> None:
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, values: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(values, sort_keys=True).encode()).decode("ascii")

    def open(self, token: str | None) -> dict[str, Any]:
        if not token:
            return {}
        try:
            return json.loads(self._fernet.decrypt(token.encode("ascii")))
        except InvalidToken as exc:
            raise SecretsUnreadable(
                "Stored secrets cannot be decrypted with the configured HERALD_ENCRYPTION_KEYS."
            ) from exc

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")
