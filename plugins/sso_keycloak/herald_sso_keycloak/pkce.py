"""PKCE (RFC 7636, S256) and the random values of an authorization request."""

from __future__ import annotations

import base64
import hashlib
import secrets


def random_token() -> str:
    """256 random bits, URL-safe: for ``state``, ``nonce`` and the code verifier."""
    return secrets.token_urlsafe(32)


def code_challenge(verifier: str) -> str:
    """The S256 challenge of a code verifier: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
