"""The auth-provider interface.

A provider turns credentials (a password, a SAML response, an OIDC code) into a known user of
the tenant. Herald then issues a session or token; providers never do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from herald.plugin_host.bound import TenantBound


@dataclass(frozen=True)
class DirectoryUser:
    id: str
    email: str
    active: bool
    password_hash: str | None


class UserDirectory(Protocol):
    """What a provider may ask Herald about the tenant's users."""

    def by_email(self, email: str) -> DirectoryUser | None: ...

    def set_password_hash(self, user_id: str, password_hash: str) -> None: ...


@dataclass(frozen=True)
class Identity:
    """The outcome of a successful authentication."""

    user_id: str
    provider: str
    attributes: Mapping[str, object] = field(default_factory=dict)


class AuthProvider(TenantBound):
    #: True if sign-in leaves Herald (a redirect to an IdP); False for a form Herald shows.
    redirects: ClassVar[bool] = False

    def authenticate(self, credentials: Mapping[str, str], directory: UserDirectory) -> Identity | None:
        """The identity these credentials prove, or None. Must take the same time whether or
        not the user exists (no user enumeration)."""
        raise NotImplementedError
