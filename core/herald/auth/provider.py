"""The auth-provider interface.

A provider turns credentials (a password, a SAML response, an OIDC code) into a known user of
the tenant. Herald then issues a session or token; providers never do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
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
    #: Keys of ``ExternalIdentity.attributes`` (string values) Herald keeps, encrypted, with the
    #: browser session and hands back to :meth:`logout_url` (e.g. an OIDC ``id_token`` for
    #: ``id_token_hint``). They are never written to the audit log.
    session_attributes: ClassVar[tuple[str, ...]] = ()

    def authenticate(self, credentials: Mapping[str, str], directory: UserDirectory) -> Identity | None:
        """The identity these credentials prove, or None. Must take the same time whether or
        not the user exists (no user enumeration)."""
        raise NotImplementedError

    # --- providers with ``redirects = True`` (SAML, OIDC) implement these instead
    def begin(self, ctx: SsoContext, relay: str | None) -> SsoStart:
        """Start a sign-in at the identity provider; ``relay`` is where to return afterwards."""
        raise NotImplementedError

    def complete(self, ctx: SsoContext, params: Mapping[str, str], state: Mapping[str, str] | None
                 ) -> ExternalIdentity:
        """Check the identity provider's answer (``params``: the callback's query or form
        fields; ``state``: what :meth:`begin` asked Herald to keep, None for an IdP-initiated
        sign-in). Raise :class:`SsoRefused` with a precise reason for anything not accepted."""
        raise NotImplementedError

    def metadata(self, ctx: SsoContext) -> tuple[str, bytes] | None:
        """(content type, body) Herald serves at ``ctx.metadata_url`` (SAML SP metadata), or None."""
        return None

    def logout_url(self, ctx: SsoContext, identity: ExternalIdentity | None, return_to: str) -> str | None:
        """Where to send the browser to end the provider's session too, or None."""
        return None


# ----------------------------------------------------------------------------- single sign-on
class SsoRefused(Exception):
    """An identity provider's answer cannot be accepted. ``reason`` is precise and goes to the
    audit log; people are shown only a general message (no detail an attacker could use)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ReplayCache(Protocol):
    """Shared by every web process (Redis, or the database in embedded mode)."""

    def first_use(self, key: str, expires_at: datetime) -> bool:
        """Record ``key`` until ``expires_at``; False if it was already recorded (a replay)."""
        ...


@dataclass(frozen=True)
class SsoContext:
    """Where a redirect provider runs: the tenant, the URLs Herald serves for it, and services.

    ``base_url`` is ``https://herald.example/auth/sso/<tenant slug>/<provider key>``; Herald
    routes ``{base_url}/login``, ``{base_url}/callback`` (GET and POST), ``{base_url}/metadata``
    and ``{base_url}/logout`` to the provider."""

    tenant_id: str
    tenant_slug: str
    base_url: str
    replay: ReplayCache

    @property
    def callback_url(self) -> str:
        return f"{self.base_url}/callback"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/metadata"


@dataclass(frozen=True)
class SsoStart:
    """How to start a sign-in: send the browser to ``redirect_url`` (GET), or, when ``form`` is
    set, auto-post ``form`` to it. ``state`` is kept by Herald server-side, bound to the
    browser, and handed back to :meth:`AuthProvider.complete` (PKCE verifier, nonce, request id)."""

    redirect_url: str
    state: Mapping[str, str]
    form: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ExternalIdentity:
    """Who the identity provider says signed in. Herald finds or provisions the user by
    ``email`` (and remembers ``subject``), then maps ``groups``/``roles`` to role grants with
    the tenant's mapping, re-applied at every sign-in."""

    subject: str
    email: str
    display_name: str = ""
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    attributes: Mapping[str, object] = field(default_factory=dict)
    session_index: str | None = None
    #: when the provider's own session ends (SAML SessionNotOnOrAfter, OIDC refresh expiry).
    session_expires_at: datetime | None = None
