"""Verifying an ID token: signature against the realm's JWKS (with key rotation), then the
claims OpenID Connect Core §3.1.3.7 requires (iss, aud/azp, exp, iat, nonce)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jwcrypto.common import JWException
from jwcrypto.jwk import JWK, JWKSet
from jwcrypto.jws import JWS, InvalidJWSSignature

from herald import clock
from herald.plugins import SsoRefused

#: Asymmetric algorithms only: never "none", and no HMAC (which a leaked client secret would forge).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


def shown(value: object, limit: int = 120) -> str:
    """A value from the outside world, safe to put into a refusal reason: bounded, without
    control characters (it goes to the audit log)."""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class JwksCache:
    """The realms' public signing keys by JWKS URL. Shared by every tenant and request of a
    process (they are public keys); refreshed when a token names a key it does not hold, which is
    how Keycloak's key rotation shows."""

    def __init__(self) -> None:
        self._sets: dict[str, JWKSet] = {}
        self._lock = threading.Lock()

    def key(self, jwks_uri: str, kid: str | None, alg: str, fetch: Callable[[], Mapping[str, Any]]) -> JWK:
        """The key for ``kid``; fetches the JWKS when nothing is cached or, once, when ``kid``
        is unknown. :class:`SsoRefused` if the key is still unknown."""
        with self._lock:
            cached = self._sets.get(jwks_uri)
        if cached is not None:
            found = _pick(cached, kid, alg)
            if found is not None:
                return found
        fresh = _load(fetch())
        with self._lock:
            self._sets[jwks_uri] = fresh
        found = _pick(fresh, kid, alg)
        if found is None:
            raise SsoRefused(f"unknown signing key: kid {shown(kid)} is not in the realm's keys")
        return found

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()


def _load(document: Mapping[str, Any]) -> JWKSet:
    keys = JWKSet()
    for raw in document.get("keys", []) if isinstance(document, Mapping) else []:
        if not isinstance(raw, Mapping) or raw.get("use", "sig") != "sig":
            continue
        try:
            keys.add(JWK(**raw))
        except (JWException, ValueError, TypeError):
            continue  # one key Herald cannot read (an unknown kty) must not hide the others
    return keys


def _pick(keys: JWKSet, kid: str | None, alg: str) -> JWK | None:
    family = {"R": "RSA", "P": "RSA", "E": "EC"}[alg[0]]
    candidates = [k for k in keys if k.get("kty") == family and k.get("alg") in (None, alg)]
    if kid is not None:
        return next((k for k in candidates if k.get("kid") == kid), None)
    return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True)
class Expectations:
    """What a valid ID token for this sign-in must say."""

    issuer: str
    client_id: str
    nonce: str
    clock_skew_seconds: int


def verify(token: str, expect: Expectations, jwks_uri: str, cache: JwksCache,
           fetch_jwks: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
    """The verified claims of ``token``; :class:`SsoRefused` naming the first check it fails."""
    jws = JWS()
    try:
        jws.deserialize(token)
        header = jws.jose_header
    except (JWException, ValueError, TypeError) as exc:
        raise SsoRefused("malformed ID token: not a signed JWT") from exc
    if not isinstance(header, Mapping):
        raise SsoRefused("malformed ID token: several signatures")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise SsoRefused(f"bad signature: algorithm {shown(alg)} is not accepted")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise SsoRefused("malformed ID token: kid is not a string")
    key = cache.key(jwks_uri, kid, alg, fetch_jwks)
    jws.allowed_algs = [alg]
    try:
        jws.verify(key, alg=alg)
    except (InvalidJWSSignature, JWException, ValueError) as exc:
        raise SsoRefused(f"bad signature: the ID token does not verify with key {shown(kid)}") from exc
    try:
        claims = json.loads(jws.payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SsoRefused("malformed ID token: the payload is not JSON") from exc
    if not isinstance(claims, dict):
        raise SsoRefused("malformed ID token: the payload is not a JSON object")
    _check_claims(claims, expect)
    return claims


def _check_claims(claims: dict[str, Any], expect: Expectations) -> None:
    if claims.get("iss") != expect.issuer:
        raise SsoRefused(f"wrong issuer: {shown(claims.get('iss'))}, expected {shown(expect.issuer)}")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if expect.client_id not in audiences:
        raise SsoRefused(f"wrong audience: {shown(aud)} does not include {shown(expect.client_id)}")
    azp = claims.get("azp")
    if (azp is not None or len(audiences) > 1) and azp != expect.client_id:
        raise SsoRefused(f"wrong audience: authorized party {shown(azp)} is not {shown(expect.client_id)}")
    now = clock.utcnow().timestamp()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not _is_number(exp) or not _is_number(iat):
        raise SsoRefused("malformed ID token: exp and iat must be numbers")
    if now > exp + expect.clock_skew_seconds:
        raise SsoRefused(f"expired: the ID token expired {int(now - exp)} s ago "
                         f"(allowed clock skew {expect.clock_skew_seconds} s)")
    if iat > now + expect.clock_skew_seconds:
        raise SsoRefused(f"issued in the future: iat is {int(iat - now)} s ahead "
                         f"(allowed clock skew {expect.clock_skew_seconds} s)")
    if claims.get("nonce") != expect.nonce:
        raise SsoRefused("nonce mismatch: the ID token was not issued for this sign-in")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise SsoRefused("malformed ID token: no subject")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
