"""Signed, expiring links to one asset's file, for networks that fetch media themselves.

A token is ``<payload>.<signature>``: the payload names the tenant, the asset and the expiry;
the signature is an HMAC-SHA256 of it under the instance's secret key (with a purpose prefix,
so no other signed value of Herald can pass for a media link)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from herald.clock import utcnow
from herald.errors import Forbidden, Gone

_PURPOSE = b"herald.media-link.v1:"


class MediaLinkInvalid(Forbidden):
    title = "Invalid media link"
    slug = "media-link-invalid"


class MediaLinkExpired(Gone):
    title = "Media link expired"
    slug = "media-link-expired"


@dataclass(frozen=True)
class LinkClaims:
    tenant_id: str
    asset_id: str
    expires_at: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), _PURPOSE + payload.encode(), hashlib.sha256).digest())


def make_token(secret: str, tenant_id: str, asset_id: str, ttl: timedelta) -> str:
    expires = int((utcnow() + ttl).timestamp())
    payload = _b64(json.dumps({"t": tenant_id, "a": asset_id, "e": expires}, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def read_token(secret: str, token: str) -> LinkClaims:
    """The claims of a genuine, unexpired token; :class:`MediaLinkInvalid` for anything forged
    or malformed, :class:`MediaLinkExpired` once it has expired."""
    payload, _, signature = token.partition(".")
    if not payload or not signature or len(token) > 1000:
        raise MediaLinkInvalid("The media link is malformed.")
    # Bytes: compare_digest refuses str holding non-ASCII characters, which a path may carry.
    if not hmac.compare_digest(_sign(secret, payload).encode(), signature.encode()):
        raise MediaLinkInvalid("The media link's signature does not match.")
    try:
        data = json.loads(_unb64(payload))
        claims = LinkClaims(str(data["t"]), str(data["a"]), datetime.fromtimestamp(int(data["e"]), UTC))
    except (ValueError, KeyError, TypeError) as exc:
        raise MediaLinkInvalid("The media link is malformed.") from exc
    if claims.expires_at <= utcnow():
        raise MediaLinkExpired(f"The media link expired at {claims.expires_at.isoformat()}.")
    return claims
