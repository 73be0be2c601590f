"""Getting a Salesforce session: OAuth 2.0 JWT bearer (preferred), refresh token, or
username-password, all at ``{login_url}/services/oauth2/token``.

A refusal by the token endpoint (``invalid_grant``, ``invalid_client_id``…) is
:class:`AuthRevoked`: trying again cannot help until an admin fixes the connection."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from herald.plugins import AuthRevoked, PermanentError

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Salesforce accepts assertions that expire at most 3 minutes ahead
ASSERTION_LIFETIME_S = 180
#: what each flow needs besides ``client_id``
NEEDS = {"jwt_bearer": ("username", "private_key_pem"), "refresh_token": ("refresh_token",),
         "password": ("client_secret", "username", "password")}


@dataclass(frozen=True)
class Session:
    """An access token and the org's instance URL it is valid on."""

    access_token: str
    instance_url: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def login_host(settings: Mapping[str, Any]) -> str:
    return str(settings["login_url"]).rstrip("/")


def jwt_assertion(settings: Mapping[str, Any], now: float | None = None) -> str:
    """An RS256-signed JWT: ``iss`` the consumer key, ``sub`` the user, ``aud`` the login host."""
    key = load_pem_private_key(str(settings["private_key_pem"]).encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PermanentError("The private key is not an RSA key.", code="invalid_key")
    issued = int(now if now is not None else time.time())
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = _b64(json.dumps({"iss": settings["client_id"], "sub": settings["username"], "aud": login_host(settings),
                              "exp": issued + ASSERTION_LIFETIME_S}, separators=(",", ":")).encode())
    signing_input = f"{header}.{claims}".encode()
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{claims}.{_b64(signature)}"


def grant(settings: Mapping[str, Any]) -> dict[str, str]:
    """The form body of the token request for the tenant's flow."""
    flow = settings.get("auth_flow") or "jwt_bearer"
    missing = [name for name in NEEDS[flow] if not settings.get(name)]
    if missing:
        raise AuthRevoked(f"The Salesforce settings lack {', '.join(missing)} for the {flow} flow.",
                          code="incomplete_settings")
    if flow == "jwt_bearer":
        return {"grant_type": JWT_GRANT, "assertion": jwt_assertion(settings)}
    if flow == "refresh_token":
        form = {"grant_type": "refresh_token", "refresh_token": settings["refresh_token"],
                "client_id": settings["client_id"]}
        if settings.get("client_secret"):
            form["client_secret"] = settings["client_secret"]
        return form
    return {"grant_type": "password", "client_id": settings["client_id"], "client_secret": settings["client_secret"],
            "username": settings["username"], "password": settings["password"]}


def session_from(body: Any) -> Session:
    """The session of a 200 token answer; a malformed answer is refused."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) \
            or not isinstance(body.get("instance_url"), str) or not body["access_token"]:
        raise PermanentError("Salesforce's token answer has no access_token and instance_url.", code="bad_token_answer")
    instance = body["instance_url"].rstrip("/")
    if not instance.startswith(("https://", "http://")):
        raise PermanentError("Salesforce's token answer names no http(s) instance URL.", code="bad_token_answer")
    return Session(body["access_token"], instance)


def refusal(body: Any, status: int) -> AuthRevoked:
    """The error for a token endpoint's 4xx: Salesforce's own ``error_description``."""
    error = body.get("error") if isinstance(body, dict) else None
    description = body.get("error_description") if isinstance(body, dict) else None
    return AuthRevoked(str(description or error or f"Salesforce's token endpoint answered {status}."),
                       code=str(error or f"http_{status}"), status=status)
