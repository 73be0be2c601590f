"""The SAML 2.0 service provider Herald offers each tenant that enables ``sso_saml``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import ClassVar

from herald.plugins import AuthProvider, ExternalIdentity, SsoContext, SsoRefused, SsoStart
from herald_sso_saml.idp_metadata import (
    IdpMetadata,
    MetadataError,
    check_not_expired,
    normalise_pem_cert,
    parse_idp_metadata,
)

# pysaml2 loads its XML schemas when imported (over a second), so it is imported on first use
# rather than when Herald loads its plugins at start-up.
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


class SamlProvider(AuthProvider):
    """Signs people in through the tenant's SAML 2.0 identity provider (Web Browser SSO profile).

    Herald instantiates it per request with the tenant's settings; ``begin`` runs at
    ``/login``, ``complete`` at ``/callback`` (HTTP-POST), ``metadata`` at ``/metadata`` and
    ``logout_url`` when a person signs out."""

    key = "saml"
    display_name = "SAML single sign-on"
    redirects: ClassVar[bool] = True
    #: The source of "now" for every time check; replaced in tests to move time.
    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))

    # -------------------------------------------------------------------- pieces
    def sp_entity_id(self, ctx: SsoContext) -> str:
        return self.settings.get("sp_entity_id") or ctx.metadata_url

    def idp(self) -> IdpMetadata:
        try:
            meta = parse_idp_metadata(self.settings.get("idp_metadata_xml") or "")
            check_not_expired(meta, self.clock())
        except MetadataError as exc:
            raise SsoRefused(f"The tenant's identity provider metadata cannot be used: {exc}") from exc
        return meta

    def pinned_certs(self, idp: IdpMetadata) -> tuple[str, ...]:
        configured = tuple(normalise_pem_cert(p) for p in self.settings.get("idp_certificates") or ())
        return configured or idp.signing_certs

    # -------------------------------------------------------------------- the interface
    def begin(self, ctx: SsoContext, relay: str | None) -> SsoStart:
        """An AuthnRequest for the IdP's HTTP-Redirect endpoint; its ID is kept in ``state``."""
        from herald_sso_saml.sp import sp_files

        idp = self.idp()
        with sp_files(self.settings) as files:
            client = _client(self, ctx, files)
            signing = files.key_file is not None
            request_id, request = client.create_authn_request(
                idp.sso_redirect_url, binding=POST, sign=False,
                assertion_consumer_service_url=ctx.callback_url, sign_alg=RSA_SHA256, digest_alg=DIGEST_SHA256,
            )
            # With the redirect binding the signature goes in the query string (SigAlg, Signature).
            info = client.apply_binding(REDIRECT, str(request), idp.sso_redirect_url,
                                        relay_state="", sign=signing, sigalg=RSA_SHA256 if signing else None)
        location = dict(info["headers"])["Location"]
        return SsoStart(redirect_url=location, state={"request_id": request_id, "relay": relay or ""})

    def complete(self, ctx: SsoContext, params: Mapping[str, str], state: Mapping[str, str] | None
                 ) -> ExternalIdentity:
        """Check the posted SAMLResponse (see :mod:`herald_sso_saml.checks`); the signed identity."""
        from herald_sso_saml.checks import CheckContext, check_response, decode_response
        from herald_sso_saml.sp import XmlsecMissing, sp_files

        xml = decode_response(params)
        idp = self.idp()
        try:
            with sp_files(self.settings) as files:
                cc = CheckContext(ctx=ctx, settings=self.settings, idp=idp, certs=self.pinned_certs(idp),
                                  sp_entity_id=self.sp_entity_id(ctx), files=files, now=self.clock())
                return check_response(xml, cc, state)
        except XmlsecMissing as exc:
            raise SsoRefused(f"Signatures cannot be verified on this server: {exc}") from exc

    def metadata(self, ctx: SsoContext) -> tuple[str, bytes] | None:
        """This tenant's SP metadata: entityID, ACS (HTTP-POST) at the callback URL, and the SP
        certificate for signing and encryption when one is configured."""
        from saml2.metadata import entity_descriptor

        from herald_sso_saml.sp import sp_files

        with sp_files(self.settings) as files:
            client = _client(self, ctx, files)
            descriptor = entity_descriptor(client.config)
        # pysaml2 advertises every algorithm xmlsec1 knows (MD5 and SHA-1 among them); Herald
        # accepts fewer, so it advertises none rather than something untrue.
        descriptor.extensions = None
        body = descriptor.to_string()
        return "application/samlmetadata+xml", body if isinstance(body, bytes) else body.encode()

    def logout_url(self, ctx: SsoContext, identity: ExternalIdentity | None, return_to: str) -> str | None:
        """A LogoutRequest to the IdP's HTTP-Redirect SingleLogoutService (signed when Herald has
        an SP key), or None when the IdP has no such endpoint or the session is unknown."""
        if identity is None:
            return None
        from saml2.saml import NameID

        from herald_sso_saml.sp import sp_files

        idp = self.idp()
        if not idp.slo_redirect_url:
            return None
        with sp_files(self.settings) as files:
            client = _client(self, ctx, files)
            signing = files.key_file is not None
            _, request = client.create_logout_request(
                idp.slo_redirect_url, idp.entity_id, name_id=NameID(text=identity.subject),
                session_indexes=[identity.session_index] if identity.session_index else None, sign=False,
            )
            info = client.apply_binding(REDIRECT, str(request), idp.slo_redirect_url,
                                        relay_state=return_to, sign=signing,
                                        sigalg=RSA_SHA256 if signing else None)
        return dict(info["headers"])["Location"]


def _client(provider: SamlProvider, ctx: SsoContext, files):  # type: ignore[no-untyped-def]
    from herald_sso_saml.sp import XmlsecMissing, sp_client

    try:
        return sp_client(provider.settings, provider.sp_entity_id(ctx), ctx.callback_url, files)
    except XmlsecMissing as exc:
        raise SsoRefused(str(exc)) from exc
