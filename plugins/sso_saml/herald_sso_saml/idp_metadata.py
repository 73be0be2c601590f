"""The identity provider's SAML metadata: what Herald pins from it, and how an admin fetches it.

Metadata is read when an admin saves the settings (uploaded XML, or fetched once from a URL)
and again, from the stored XML, at each sign-in; it is never fetched during a sign-in."""

from __future__ import annotations

import base64
import os
import urllib.parse
from dataclasses import dataclass, replace
from datetime import datetime
from xml.etree.ElementTree import Element

import httpx
from cryptography import x509
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from herald.plugins import OutboundRefused, outbound_http_client, outbound_policy
from herald_sso_saml.xmltime import parse_instant

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"

MAX_METADATA_BYTES = 1_000_000
FETCH_TIMEOUT_SECONDS = 10.0
#: Deprecated: lets metadata URLs reach loopback and private networks (never a cloud metadata
#: endpoint). Name the IdP's host in HERALD_OUTBOUND_ALLOW instead.
ALLOW_PRIVATE_ENV = "HERALD_SAML_METADATA_ALLOW_PRIVATE_HOSTS"
ALLOW_ENV = "HERALD_OUTBOUND_ALLOW"


class MetadataError(ValueError):
    """The metadata cannot be used; the message says why (shown to the admin)."""


@dataclass(frozen=True)
class IdpMetadata:
    """What Herald uses from an IdP's metadata."""

    entity_id: str
    sso_redirect_url: str
    slo_redirect_url: str | None
    signing_certs: tuple[str, ...]  # PEM
    valid_until: datetime | None


def cert_to_pem(b64_der: str) -> str:
    """A metadata ``X509Certificate`` (base64 DER, any whitespace) as PEM; MetadataError if not a certificate."""
    der_text = "".join(b64_der.split())
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(der_text, validate=True))
    except (ValueError, TypeError) as exc:
        raise MetadataError("An X509Certificate in the metadata is not a valid certificate.") from exc
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.PEM).decode()


def normalise_pem_cert(pem: str) -> str:
    """A PEM certificate re-encoded cleanly; MetadataError if it is not one."""
    try:
        cert = x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError as exc:
        raise MetadataError("Not a PEM X.509 certificate.") from exc
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.PEM).decode()


def parse_idp_metadata(xml: str | bytes) -> IdpMetadata:
    """Read an ``EntityDescriptor`` (or an ``EntitiesDescriptor`` holding exactly one IdP).
    MetadataError names what is missing. Expiry is not checked here: see :func:`check_not_expired`."""
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise MetadataError("The metadata uses DTDs or entities, which are not allowed.") from exc
    except SafeET.ParseError as exc:
        raise MetadataError(f"The metadata is not well-formed XML ({exc}).") from exc
    valid_until = _valid_until(root)
    if root.tag == f"{{{MD}}}EntitiesDescriptor":
        idps = [e for e in root.iter(f"{{{MD}}}EntityDescriptor") if e.find(f"{{{MD}}}IDPSSODescriptor") is not None]
        if len(idps) != 1:
            raise MetadataError(f"The metadata describes {len(idps)} identity providers; exactly one is needed.")
        entity = idps[0]
        own = _valid_until(entity)
        valid_until = min(d for d in (valid_until, own) if d) if (valid_until or own) else None
    elif root.tag == f"{{{MD}}}EntityDescriptor":
        entity = root
    else:
        raise MetadataError("The metadata is not a SAML 2.0 EntityDescriptor.")
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise MetadataError("The metadata has no entityID.")
    idp = entity.find(f"{{{MD}}}IDPSSODescriptor")
    if idp is None:
        raise MetadataError("The metadata has no IDPSSODescriptor: it does not describe an identity provider.")
    if SAML_PROTOCOL not in (idp.get("protocolSupportEnumeration") or "").split():
        raise MetadataError("The identity provider does not declare SAML 2.0 protocol support.")
    sso = _redirect_location(idp, "SingleSignOnService")
    if sso is None:
        raise MetadataError("The identity provider has no SingleSignOnService with the HTTP-Redirect binding.")
    certs: list[str] = []
    for kd in idp.findall(f"{{{MD}}}KeyDescriptor"):
        if kd.get("use", "signing") != "signing":
            continue
        for node in kd.iter(f"{{{DS}}}X509Certificate"):
            pem = cert_to_pem(node.text or "")
            if pem not in certs:
                certs.append(pem)
    return IdpMetadata(entity_id, sso, _redirect_location(idp, "SingleLogoutService"), tuple(certs), valid_until)


def check_not_expired(meta: IdpMetadata, now: datetime) -> None:
    if meta.valid_until is not None and now >= meta.valid_until:
        raise MetadataError(
            f"The metadata expired at {meta.valid_until.isoformat()} (validUntil); fetch or upload it again."
        )


def _valid_until(el: Element) -> datetime | None:
    raw = el.get("validUntil")
    if not raw:
        return None
    try:
        return parse_instant(raw)
    except ValueError as exc:
        raise MetadataError(f"The metadata's validUntil {raw!r} is not a date.") from exc


def _redirect_location(idp: Element, service: str) -> str | None:
    for el in idp.findall(f"{{{MD}}}{service}"):
        if el.get("Binding") == BINDING_REDIRECT and el.get("Location"):
            return el.get("Location", "").strip()
    return None


# ------------------------------------------------------------------------------ fetching
def fetch_metadata(url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS, max_bytes: int = MAX_METADATA_BYTES,
                   allow_private: bool | None = None) -> str:
    """GET the metadata at ``url`` through Herald's outbound policy (http or https only, no
    redirects, at most ``max_bytes`` within ``timeout`` seconds; hosts that are not public refused
    unless the operator allows them in ``HERALD_OUTBOUND_ALLOW``, or, deprecated, with
    ``HERALD_SAML_METADATA_ALLOW_PRIVATE_HOSTS=1``). Returns the XML text; MetadataError says what
    went wrong, never what the URL answered."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MetadataError("The metadata URL must be an http:// or https:// URL with a host.")
    if allow_private is None:
        allow_private = os.environ.get(ALLOW_PRIVATE_ENV) == "1"
    policy = outbound_policy()
    policy = replace(policy.allowing_private() if allow_private else policy, max_bytes=max_bytes)
    try:
        with outbound_http_client(what="the metadata URL", policy=policy, timeout=timeout,
                                  headers={"Accept": "application/samlmetadata+xml, application/xml"}) as http:
            resp = http.get(url)
    except OutboundRefused as exc:
        if exc.extra.get("reason"):
            raise MetadataError(
                f"The metadata host {parts.hostname!r} is on a private or local network ({exc.extra['reason']}); "
                f"the operator must allow it in {ALLOW_ENV}.") from exc
        if exc.extra.get("answered"):
            raise MetadataError(f"The metadata is larger than {max_bytes} bytes or took too long.") from exc
        raise MetadataError(exc.detail) from exc
    except httpx.HTTPError as exc:
        raise MetadataError(f"The metadata URL could not be fetched ({type(exc).__name__}).") from exc
    if resp.is_redirect:
        # a redirect could lead anywhere; the admin gives the final URL
        raise MetadataError(f"The metadata URL redirects ({resp.status_code}); give the final URL.")
    if not resp.is_success:
        raise MetadataError(f"The metadata URL answered HTTP {resp.status_code}.")
    try:
        return resp.content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MetadataError("The metadata is not UTF-8 text.") from exc
