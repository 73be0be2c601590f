"""From verified Keycloak claims to the :class:`ExternalIdentity` Herald provisions and maps."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from herald.plugins import ExternalIdentity, SsoRefused

#: Bounds on what one sign-in may carry, so a hostile token cannot flood the role mapping.
MAX_VALUES = 500
MAX_LENGTH = 255


def at_path(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (``realm_access.roles``), or None."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _strings(value: Any, claim: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]  # a mapper configured as single-valued
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SsoRefused(f"malformed claim: {claim} is not a list of strings")
    return [v for v in value if 0 < len(v) <= MAX_LENGTH]


def roles(claims: Mapping[str, Any], settings: Mapping[str, Any]) -> tuple[str, ...]:
    """Realm roles as they are (``herald-editor``), client roles as ``client:role``
    (``herald:publisher``), so a realm role and a client role of the same name stay apart."""
    found: list[str] = []
    realm_path = settings.get("realm_roles_claim") or ""
    if realm_path:
        found += _strings(at_path(claims, realm_path), realm_path)
    clients_path = settings.get("client_roles_claim") or ""
    if clients_path:
        access = at_path(claims, clients_path)
        if access is not None and not isinstance(access, Mapping):
            raise SsoRefused(f"malformed claim: {clients_path} is not an object")
        wanted = list(settings.get("client_roles_clients") or []) or [settings["client_id"]]
        for client in wanted:
            entry = (access or {}).get(client)
            if entry is None:
                continue
            if not isinstance(entry, Mapping):
                raise SsoRefused(f"malformed claim: {clients_path}.{client} is not an object")
            found += [f"{client}:{role}" for role in _strings(entry.get("roles"), f"{clients_path}.{client}.roles")]
    return _bounded(found, "roles")


def groups(claims: Mapping[str, Any], settings: Mapping[str, Any]) -> tuple[str, ...]:
    """Group names as the group-membership mapper sends them (``/brands/acme`` with full paths)."""
    path = settings.get("groups_claim") or ""
    return _bounded(_strings(at_path(claims, path), path), "groups") if path else ()


def _bounded(values: list[str], what: str) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(values))
    if len(unique) > MAX_VALUES:
        raise SsoRefused(f"malformed claim: more than {MAX_VALUES} {what}")
    return unique


def identity(claims: Mapping[str, Any], settings: Mapping[str, Any], *, id_token: str,
             session_expires_at: datetime | None) -> ExternalIdentity:
    """The person the claims describe. Refused without an email address, or with one Keycloak
    marks unverified when the tenant requires verified addresses (Herald links accounts by email)."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 320:
        raise SsoRefused("missing claim: the ID token carries no usable email (add the 'email' scope)")
    if settings.get("require_verified_email", True) and claims.get("email_verified") is False:
        raise SsoRefused("unverified email: Keycloak has not verified this person's email address")
    name = claims.get("name") or claims.get("preferred_username") or ""
    sid = claims.get("sid")
    return ExternalIdentity(
        subject=str(claims["sub"]),
        email=email.strip().lower(),
        display_name=str(name)[:MAX_LENGTH],
        groups=groups(claims, settings),
        roles=roles(claims, settings),
        attributes={
            "issuer": claims["iss"],
            "preferred_username": claims.get("preferred_username"),
            # Sent back as id_token_hint when the person signs out (Keycloak then skips its
            # logout confirmation page).
            "id_token": id_token,
        },
        session_index=sid if isinstance(sid, str) else None,
        session_expires_at=session_expires_at,
    )
