"""Refusing an internal destination already when a tenant admin saves a setting (the check at
connection time stays the one that counts: a name may resolve elsewhere later).

Only what needs no DNS is judged here: addresses in any spelling and ``localhost`` names; other
host names are checked when Herald connects."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from marshmallow import ValidationError

from herald.outbound.errors import OutboundRefused
from herald.outbound.policy import OutboundPolicy, current_policy


def _literal(host: str) -> bool:
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return False
    return True


def refuse_internal(host: str, port: int, *, what: str, policy: OutboundPolicy | None = None) -> None:
    """:class:`OutboundRefused` if ``host`` is an address or a ``localhost`` name the policy refuses."""
    if host and _literal(host):
        try:
            (policy or current_policy()).check_host(host, port, what=what)
        except socket.gaierror:
            return


class OutboundUrl:
    """A marshmallow validator: the URL must not name an internal address the policy refuses."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __call__(self, value: Any) -> None:
        try:
            parts = urlsplit(str(value))
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return  # the URL field itself says what is wrong
        try:
            refuse_internal(parts.hostname or "", port, what=f"{self.what} {value!r}")
        except OutboundRefused as exc:
            raise ValidationError(exc.detail) from exc
