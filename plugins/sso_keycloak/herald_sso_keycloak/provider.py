"""Sign-in with a Keycloak realm: OpenID Connect authorization code flow with PKCE (S256)."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from herald import clock
from herald.plugins import (
    AuthProvider,
    ExternalIdentity,
    OutboundRefused,
    SsoContext,
    SsoRefused,
    SsoStart,
    outbound_requests_session,
)

from . import claims as claim_mapping
from .id_token import Expectations, JwksCache, shown, verify
from .pkce import code_challenge, random_token

#: One per process: the realms' public keys (see :class:`JwksCache`).
JWKS = JwksCache()


class LogoutFailed(Exception):
    """Keycloak did not end the session on a back-channel logout; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignIn:
    """A completed sign-in: who it is, and Keycloak's token response (access, refresh and ID
    tokens; ``refresh_token`` is what :meth:`KeycloakProvider.backchannel_logout` needs)."""

    identity: ExternalIdentity
    tokens: Mapping[str, Any]


class KeycloakProvider(AuthProvider):
    """Keycloak sign-in for one tenant. ``begin`` sends the browser to the realm's
    authorization endpoint; ``complete`` checks the callback, exchanges the code and verifies
    the ID token; ``logout_url`` is the realm's end-session endpoint."""

    key = "keycloak"
    display_name = "Keycloak"
    redirects = True
    #: Kept (encrypted) with Herald's session, for ``id_token_hint`` at sign-out.
    session_attributes = ("id_token",)

    #: Where verified keys are cached; tests give an instance its own.
    jwks: JwksCache = JWKS

    def __init__(self, tenant_id: str, settings: Mapping[str, Any]) -> None:
        super().__init__(tenant_id, settings)
        self._oidc: KeycloakOpenID | None = None
        self._discovery: dict[str, Any] | None = None

    # ------------------------------------------------------------------ the realm
    @property
    def oidc(self) -> KeycloakOpenID:
        if self._oidc is None:
            self._oidc = KeycloakOpenID(
                server_url=self.settings["server_url"],
                realm_name=self.settings["realm"],
                client_id=self.settings["client_id"],
                client_secret_key=self.settings.get("client_secret") or None,
                timeout=int(self.settings.get("timeout_seconds", 10)),
            )
            # discovery, keys, token, userinfo and logout all go through the outbound policy
            outbound_requests_session(self._oidc.connection._s, what="the Keycloak server URL")
        return self._oidc

    @property
    def realm_url(self) -> str:
        return f"{self.settings['server_url']}realms/{self.settings['realm']}"

    def discovery(self) -> dict[str, Any]:
        """The realm's OpenID configuration; :class:`SsoRefused` if it cannot be read."""
        if self._discovery is None:
            try:
                document = self.oidc.well_known()
            except (KeycloakError, TypeError) as exc:
                raise SsoRefused(f"identity provider unreachable: discovery failed ({_keycloak_error(exc)})") from exc
            for name in ("issuer", "authorization_endpoint"):
                if not isinstance(document.get(name), str) or urlsplit(document[name]).scheme not in ("http", "https"):
                    raise SsoRefused(f"identity provider misconfigured: discovery has no valid {name}")
            self._discovery = document
        return self._discovery

    def _fetch_jwks(self) -> Mapping[str, Any]:
        try:
            return self.oidc.certs()
        except (KeycloakError, TypeError) as exc:
            raise SsoRefused(f"identity provider unreachable: cannot fetch the realm's keys ({_keycloak_error(exc)})"
                             ) from exc

    # ------------------------------------------------------------------ sign-in
    def begin(self, ctx: SsoContext, relay: str | None) -> SsoStart:
        state, nonce, verifier = random_token(), random_token(), random_token()
        endpoint = self.discovery()["authorization_endpoint"]
        # Built here rather than with KeycloakOpenID.auth_url, which does not URL-encode its
        # parameters (a redirect URI with a query string or a space-separated scope would break).
        query = urlencode({
            "client_id": self.settings["client_id"],
            "response_type": "code",
            "redirect_uri": ctx.callback_url,
            "scope": " ".join(self.settings.get("scopes") or ["openid"]),
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        })
        return SsoStart(
            redirect_url=f"{endpoint}{'&' if '?' in endpoint else '?'}{query}",
            state={"state": state, "nonce": nonce, "code_verifier": verifier,
                   "redirect_uri": ctx.callback_url, "relay": relay or ""},
        )

    def complete(self, ctx: SsoContext, params: Mapping[str, str], state: Mapping[str, str] | None
                 ) -> ExternalIdentity:
        return self.sign_in(ctx, params, state).identity

    def sign_in(self, ctx: SsoContext, params: Mapping[str, str], state: Mapping[str, str] | None) -> SignIn:
        """:meth:`complete`, also returning Keycloak's tokens."""
        if state is None:
            raise SsoRefused("unsolicited response: an OpenID Connect sign-in must start at Herald")
        expected = {k: state.get(k) or "" for k in ("state", "nonce", "code_verifier")}
        if not all(expected.values()):
            raise SsoRefused("bad state: the stored sign-in state is incomplete")
        if not _same(params.get("state"), expected["state"]):
            raise SsoRefused("bad state: the callback's state does not match this browser's sign-in")
        if params.get("error"):
            description = params.get("error_description")
            raise SsoRefused(f"provider error: {shown(params['error'], 80)}"
                             + (f" ({shown(description, 200)})" if description else ""))
        code = params.get("code")
        if not code:
            raise SsoRefused("missing code: the callback carries neither a code nor an error")
        discovery = self.discovery()
        issuer = discovery["issuer"]
        # RFC 9207: a response naming another issuer is a mix-up attack; a realm that announces
        # the parameter always sends it.
        if "iss" in params and params["iss"] != issuer:
            raise SsoRefused(f"wrong issuer: the callback names {shown(params['iss'])}, expected {shown(issuer)}")
        if "iss" not in params and discovery.get("authorization_response_iss_parameter_supported") is True:
            raise SsoRefused("wrong issuer: the callback does not name its issuer, which the realm always does")
        try:
            tokens = self.oidc.token(grant_type="authorization_code", code=code,
                                     redirect_uri=state.get("redirect_uri") or ctx.callback_url,
                                     code_verifier=expected["code_verifier"])
        except (KeycloakError, TypeError) as exc:
            raise SsoRefused(f"token exchange refused: {_keycloak_error(exc)}") from exc
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise SsoRefused("missing ID token: the token response has none (is 'openid' among the scopes?)")
        claims = self.verify_id_token(id_token, expected["nonce"])
        if self.settings.get("use_userinfo"):
            claims = self._with_userinfo(claims, tokens.get("access_token"))
        identity = claim_mapping.identity(claims, {**self.settings}, id_token=id_token,
                                          session_expires_at=_session_end(tokens))
        return SignIn(identity=identity, tokens=tokens)

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The claims of an ID token issued by this realm to this client for the sign-in that
        sent ``nonce``; :class:`SsoRefused` naming the first check it fails."""
        expect = Expectations(issuer=self.discovery()["issuer"], client_id=self.settings["client_id"], nonce=nonce,
                              clock_skew_seconds=int(self.settings.get("clock_skew_seconds", 60)))
        return verify(id_token, expect, jwks_uri=f"{self.realm_url}/protocol/openid-connect/certs",
                      cache=self.jwks, fetch_jwks=self._fetch_jwks)

    def _with_userinfo(self, claims: dict[str, Any], access_token: object) -> dict[str, Any]:
        if not isinstance(access_token, str) or not access_token:
            raise SsoRefused("missing access token: userinfo cannot be read")
        try:
            info = self.oidc.userinfo(access_token)
        except (KeycloakError, TypeError) as exc:
            raise SsoRefused(f"userinfo refused: {_keycloak_error(exc)}") from exc
        if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
            raise SsoRefused("userinfo mismatch: userinfo describes another subject than the ID token")
        # The verified ID token wins; userinfo only adds what its mappers put there alone.
        return {**info, **claims}

    # ------------------------------------------------------------------ sign-out
    def logout_url(self, ctx: SsoContext, identity: ExternalIdentity | None, return_to: str) -> str | None:
        try:
            endpoint = self.discovery().get("end_session_endpoint")
        except SsoRefused:
            endpoint = None  # signing out of Herald must not depend on Keycloak being reachable
        if not isinstance(endpoint, str) or not endpoint:
            endpoint = f"{self.realm_url}/protocol/openid-connect/logout"
        params = {"client_id": self.settings["client_id"], "post_logout_redirect_uri": return_to}
        hint = identity.attributes.get("id_token") if identity else None
        if isinstance(hint, str) and hint:
            params["id_token_hint"] = hint
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"

    def backchannel_logout(self, refresh_token: str) -> None:
        """End the Keycloak session of ``refresh_token`` server to server (Keycloak answers 204);
        :class:`LogoutFailed` if Keycloak refuses or cannot be reached."""
        try:
            self.oidc.logout(refresh_token)
        except (KeycloakError, TypeError) as exc:
            raise LogoutFailed(f"logout refused: {_keycloak_error(exc)}") from exc


def _same(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _keycloak_error(exc: Exception) -> str:
    """``invalid_grant (Code not valid)`` from Keycloak's JSON error body, else the status; the
    outbound policy's refusal when it stopped the request."""
    refused = exc.__cause__ if isinstance(exc.__cause__, OutboundRefused) else None
    if refused is not None:
        return f"outbound connection refused: {refused.detail}"
    if isinstance(exc, KeycloakError):
        body: Any = exc.response_body
        try:
            parsed = json.loads(body) if body else None
        except (ValueError, TypeError):
            parsed = None
        if isinstance(parsed, dict) and parsed.get("error"):
            description = parsed.get("error_description")
            return shown(parsed["error"], 80) + (f" ({shown(description, 200)})" if description else "")
        if exc.response_code is not None:
            return f"HTTP {exc.response_code}"
        return shown(str(exc.error_message), 200)
    return type(exc).__name__


def _session_end(tokens: Mapping[str, Any]) -> datetime | None:
    # Keycloak's refresh token lives as long as the SSO session (0: an offline session).
    seconds = tokens.get("refresh_expires_in")
    if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
        return clock.utcnow() + timedelta(seconds=seconds)
    return None
