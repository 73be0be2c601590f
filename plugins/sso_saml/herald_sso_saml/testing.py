"""A real SAML identity provider for tests: pysaml2's ``saml2.server.Server`` with keys made at
test time, replay caches, and helpers to sign, re-sign and tamper with its responses.

Used by this plugin's tests and usable by Herald's SSO route tests; nothing here runs in production."""

from __future__ import annotations

import base64
import re
import shutil
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from herald.plugins import SsoContext, SsoStart
from herald_sso_saml import SamlProvider

XMLSEC_MISSING = ("xmlsec1 is not installed: SAML signatures cannot be made or verified. "
                  "Install the Debian package `xmlsec1` (apt-get install xmlsec1); .ci/run does.")
SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
DIGEST_SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"


# ----------------------------------------------------------------------------- keys
@dataclass(frozen=True)
class KeyPair:
    key_pem: str
    cert_pem: str


def make_key_pair(common_name: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    return KeyPair(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()).decode(),
        cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


# ----------------------------------------------------------------------------- replay caches
class DictReplayCache:
    """In-memory: a dict of key → expiry (one process only; enough for the provider tests)."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock, self.seen = clock, {}

    def first_use(self, key: str, expires_at: datetime) -> bool:
        now = self.clock()
        self.seen = {k: v for k, v in self.seen.items() if v > now}
        if key in self.seen:
            return False
        self.seen[key] = expires_at
        return True


class RedisReplayCache:
    """Shared by every process: ``SET key NX PXAT expiry`` is atomic, so only the first wins."""

    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis, self.prefix = redis, prefix

    def first_use(self, key: str, expires_at: datetime) -> bool:
        at_ms = max(int(expires_at.timestamp() * 1000), int(datetime.now(UTC).timestamp() * 1000) + 1000)
        return bool(self.redis.set(f"{self.prefix}{key}", "1", nx=True, pxat=at_ms))


# ----------------------------------------------------------------------------- clock
class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


# ----------------------------------------------------------------------------- the IdP
@dataclass
class FakeIdp:
    """pysaml2's IdP, for one entity ID and key, answering AuthnRequests with fresh responses."""

    entity_id: str
    pair: KeyPair
    directory: Path
    sp_metadata: list[str]
    extra_certs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        from saml2 import BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.server import Server

        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "idp.key").write_text(self.pair.key_pem)
        (self.directory / "idp.crt").write_text(self.pair.cert_pem)
        base = self.entity_id.rsplit("/", 1)[0]
        conf = IdPConfig()
        conf.load({
            "entityid": self.entity_id,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": str(self.directory / "idp.key"),
            "cert_file": str(self.directory / "idp.crt"),
            "service": {"idp": {
                "endpoints": {
                    "single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)],
                    "single_logout_service": [(f"{base}/slo", BINDING_HTTP_REDIRECT)],
                },
                "policy": {"default": {
                    "lifetime": {"minutes": 5},
                    "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
                }},
            }},
            "metadata": {"inline": self.sp_metadata},
        })
        self.server = Server(config=conf)

    def metadata(self, *, valid_until: str | None = None) -> str:
        from saml2.metadata import entity_descriptor

        descriptor = entity_descriptor(self.server.config)
        if valid_until:
            descriptor.valid_until = valid_until
        xml = str(descriptor)
        for extra in self.extra_certs:  # a second signing key announced during rollover
            b64 = "".join(extra.strip().splitlines()[1:-1])
            key_descriptor = (
                '<ns0:KeyDescriptor use="signing"><ns1:KeyInfo xmlns:ns1="http://www.w3.org/2000/09/xmldsig#">'
                f"<ns1:X509Data><ns1:X509Certificate>{b64}</ns1:X509Certificate></ns1:X509Data>"
                "</ns1:KeyInfo></ns0:KeyDescriptor>")
            xml = re.sub(r"(<ns0:IDPSSODescriptor[^>]*>)", lambda m, kd=key_descriptor: m.group(1) + kd, xml, count=1)
        return xml

    def read_request(self, start: SsoStart) -> str:
        from saml2 import BINDING_HTTP_REDIRECT

        query = urllib.parse.parse_qs(urllib.parse.urlsplit(start.redirect_url).query)
        return self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT).message.id

    def respond(self, in_response_to: str | None, destination: str, audience: str, *,
                attributes: dict[str, list[str]] | None = None, name_id: str = "okta|00u1abcd",
                name_id_format: str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                sign_response: bool = False, sign_assertion: bool = True,
                sign_alg: str = SHA256, digest_alg: str = DIGEST_SHA256,
                session_not_on_or_after: str | None = None, encrypt_for: str | None = None) -> str:
        """The server's own signed response (pysaml2 signs it), as XML text; ``encrypt_for`` (a
        PEM certificate) encrypts the assertion for that key."""
        from saml2.saml import NameID

        identity = attributes if attributes is not None else {
            "email": ["ada@acme.test"], "displayName": ["Ada Lovelace"], "groups": ["marketing", "emea-editors"]}
        xml = self.server.create_authn_response(
            identity, in_response_to, destination, audience,
            name_id=NameID(text=name_id, format=name_id_format),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_response=sign_response, sign_assertion=sign_assertion, sign_alg=sign_alg, digest_alg=digest_alg,
            session_not_on_or_after=session_not_on_or_after,
            encrypt_assertion=encrypt_for is not None, encrypt_cert_assertion=encrypt_for,
        )
        return str(xml)

    def sign(self, xml: str, element: str, *, sign_alg: str = SHA256, digest_alg: str = DIGEST_SHA256,
             key: KeyPair | None = None) -> str:
        """Sign ``element`` ("Assertion" or "Response") of ``xml`` with xmlsec1 — after the test
        changed whatever it wanted — the way the IdP would."""
        from saml2.sigver import pre_signature_part

        prefix = "ns1:Assertion" if element == "Assertion" else "ns0:Response"
        start = xml.index(f"<{prefix} ")
        element_id = re.search(r'\sID="([^"]+)"', xml[start:]).group(1)  # type: ignore[union-attr]
        issuer_end = xml.index("</ns1:Issuer>", start) + len("</ns1:Issuer>")
        template = str(pre_signature_part(element_id, sign_alg=sign_alg, digest_alg=digest_alg))
        xml = xml[:issuer_end] + template + xml[issuer_end:]
        node = ("urn:oasis:names:tc:SAML:2.0:assertion:Assertion" if element == "Assertion"
                else "urn:oasis:names:tc:SAML:2.0:protocol:Response")
        key_file = None
        if key is not None:
            key_file = str(self.directory / f"other-{uuid.uuid4().hex}.key")
            Path(key_file).write_text(key.key_pem)
        return self.server.sec.sign_statement(xml, node, key_file=key_file, node_id=element_id)


def b64(xml: str) -> dict[str, str]:
    return {"SAMLResponse": base64.b64encode(xml.encode()).decode()}


# ----------------------------------------------------------------------------- a tenant's SP
@dataclass
class Tenant:
    """One tenant's SAML provider with its context, and the IdP it trusts."""

    provider: SamlProvider
    ctx: SsoContext
    idp: FakeIdp

    @property
    def acs(self) -> str:
        return self.ctx.callback_url

    @property
    def entity_id(self) -> str:
        return self.provider.sp_entity_id(self.ctx)

    def start(self) -> tuple[SsoStart, str]:
        start = self.provider.begin(self.ctx, "/console")
        return start, self.idp.read_request(start)

    def sign_in(self, **respond: Any):  # type: ignore[no-untyped-def]
        start, request_id = self.start()
        xml = self.idp.respond(request_id, self.acs, self.entity_id, **respond)
        return self.provider.complete(self.ctx, b64(xml), start.state)
