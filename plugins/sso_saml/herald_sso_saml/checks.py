"""Every check a SAML Response must pass at the ACS, in the order of Herald's SAML contract.

XML parsing, schema validation and signature verification (xmlsec1) come from pysaml2; this
module decides *what* is verified and closes what pysaml2's SP client leaves open: an empty
Destination, the Recipient, an InResponseTo Herald never issued, unsigned responses when no
signature is "wanted", SHA-1, replays, and signature wrapping (signatures may only sit on the
Response or the single Assertion, must reference that element's unique ID, and values are read
only from the element the verified signature covers)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element, tostring

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from saml2 import saml, samlp
from saml2.validate import valid_instance

from herald.plugins import ExternalIdentity, SsoContext, SsoRefused
from herald_sso_saml.idp_metadata import IdpMetadata, MetadataError, cert_to_pem
from herald_sso_saml.sp import SpFiles, crypto
from herald_sso_saml.xmltime import parse_instant

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
SHA1_ALGORITHMS = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#sha1",
}
ALLOWED_TRANSFORMS = {
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
}
MAX_RESPONSE_BYTES = 512_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


@dataclass(frozen=True)
class CheckContext:
    """Everything the checks compare against, for one tenant and one callback."""

    ctx: SsoContext
    settings: Mapping[str, Any]
    idp: IdpMetadata
    certs: tuple[str, ...]
    sp_entity_id: str
    files: SpFiles
    now: datetime

    @property
    def skew(self) -> timedelta:
        return timedelta(seconds=int(self.settings.get("clock_skew_seconds", 120)))


def decode_response(params: Mapping[str, str]) -> bytes:
    raw = params.get("SAMLResponse")
    if not raw:
        raise SsoRefused("The callback carries no SAMLResponse.")
    if len(raw) > MAX_RESPONSE_BYTES * 4 // 3 + 4:
        raise SsoRefused(f"The SAMLResponse is larger than {MAX_RESPONSE_BYTES} bytes.")
    try:
        return base64.b64decode("".join(raw.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SsoRefused("The SAMLResponse is not valid base64.") from exc


def check_response(xml: bytes, cc: CheckContext, state: Mapping[str, str] | None) -> ExternalIdentity:
    """Run every check in order; the identity the signed assertion states, or :class:`SsoRefused`."""
    root = _structure(xml)                                             # 1
    doc = _decrypted(xml, root, cc)                                    # 9 (decryption, needed by 2)
    assertion = _signatures(doc, cc)                                   # 2
    _issuers(root, assertion, cc)                                      # 3
    _audience(assertion, cc)                                           # 4
    _destination(root, cc)                                             # 5
    request_id = _in_response_to(root, assertion, cc, state)           # 6
    confirmation_expiry = _subject_confirmation(assertion, cc)         # 7
    conditions_expiry, session_expiry, session_index = _conditions(assertion, cc)  # 8
    identity = _identity(assertion, cc, session_index, session_expiry)  # 9
    _replay(assertion, cc, request_id, max(confirmation_expiry, conditions_expiry))  # 10
    return identity  # 11: tenant binding is the per-tenant audience, destination, recipient and certs


@dataclass(frozen=True)
class _Document:
    """The Response as received (``xml``/``root``) and the document holding the assertion in
    clear (the same, or xmlsec1's decryption of it)."""

    xml: bytes
    root: Element
    clear_xml: bytes
    clear_root: Element
    assertion: Element


# ---------------------------------------------------------------- 1. structure and status
def _structure(xml: bytes) -> Element:
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise SsoRefused("The SAML response uses DTDs or entities, which are not allowed.") from exc
    except SafeET.ParseError as exc:
        raise SsoRefused(f"The SAML response is not well-formed XML ({exc}).") from exc
    if root.tag != _q(SAMLP, "Response"):
        raise SsoRefused(f"The message is not a SAML Response (root element {root.tag}).")
    if root.get("Version") != "2.0":
        raise SsoRefused(f"The Response has Version {root.get('Version')!r}; only 2.0 is accepted.")
    if not (root.get("ID") or "").strip():
        raise SsoRefused("The Response has no ID.")
    status = root.find(f"{_q(SAMLP, 'Status')}/{_q(SAMLP, 'StatusCode')}")
    if status is None:
        raise SsoRefused("The Response has no StatusCode.")
    if status.get("Value") != SUCCESS:
        inner = status.find(_q(SAMLP, "StatusCode"))
        message = root.findtext(f"{_q(SAMLP, 'Status')}/{_q(SAMLP, 'StatusMessage')}") or ""
        detail = f" / {inner.get('Value')}" if inner is not None else ""
        raise SsoRefused(f"The identity provider answered status {status.get('Value')}{detail} {message}".strip())
    try:
        valid_instance(samlp.response_from_string(xml))
    except Exception as exc:  # pysaml2 raises several types for schema violations
        raise SsoRefused(f"The Response is not schema-valid ({type(exc).__name__}: {exc}).") from exc
    _unique_ids(root)
    found = list(root.iter(_q(SAML, "Assertion"))) + list(root.iter(_q(SAML, "EncryptedAssertion")))
    if len(found) != 1:
        raise SsoRefused(f"The Response holds {len(found)} assertions; exactly one is accepted.")
    if found[0] not in list(root):
        raise SsoRefused("The assertion is not a direct child of the Response.")
    return root


def _decrypted(xml: bytes, root: Element, cc: CheckContext) -> _Document:
    plain = root.find(_q(SAML, "Assertion"))
    if plain is not None:
        _assertion_id(plain)
        return _Document(xml, root, xml, root, plain)
    if not cc.files.key_file:
        raise SsoRefused("The assertion is encrypted, but this tenant has no SP key to decrypt it "
                         "(set sp_private_key_pem and sp_certificate_pem, or turn encryption off at the IdP).")
    try:
        clear_xml = crypto().decrypt(xml.decode("utf-8"), cc.files.key_file).encode("utf-8")
        clear_root = SafeET.fromstring(clear_xml, forbid_dtd=True)
    except (DefusedXmlException, SafeET.ParseError) as exc:
        raise SsoRefused("The decrypted assertion is not acceptable XML.") from exc
    except Exception as exc:  # xmlsec1 exits non-zero; pysaml2 wraps it as DecryptError
        raise SsoRefused("The encrypted assertion could not be decrypted with this tenant's SP key.") from exc
    assertions = list(clear_root.iter(_q(SAML, "Assertion")))
    wrapper = clear_root.find(_q(SAML, "EncryptedAssertion"))
    if len(assertions) != 1 or wrapper is None or assertions[0] not in list(wrapper):
        raise SsoRefused(f"The encrypted assertion holds {len(assertions)} assertions; exactly one is accepted.")
    _unique_ids(clear_root)
    try:
        valid_instance(saml.assertion_from_string(tostring(assertions[0])))
    except Exception as exc:  # pysaml2 raises several types for schema violations
        raise SsoRefused(f"The decrypted Assertion is not schema-valid ({type(exc).__name__}: {exc}).") from exc
    _assertion_id(assertions[0])
    return _Document(xml, root, clear_xml, clear_root, assertions[0])


def _assertion_id(assertion: Element) -> None:
    if not (assertion.get("ID") or "").strip():
        raise SsoRefused("The Assertion has no ID.")


def _unique_ids(root: Element) -> None:
    ids: dict[str, int] = {}
    for el in root.iter():
        for attr in ("ID", "Id", "id"):
            if el.get(attr) is not None:
                ids[el.get(attr, "")] = ids.get(el.get(attr, ""), 0) + 1
    duplicated = sorted(i for i, n in ids.items() if n > 1)
    if duplicated:
        raise SsoRefused(f"The Response repeats the ID {duplicated[0]!r}; IDs must be unique.")


# ---------------------------------------------------------------- 2. signatures
def _signatures(doc: _Document, cc: CheckContext) -> Element:
    # Signatures are looked for in the clear document: it holds the Response's own signature
    # and, once decrypted, the assertion's.
    root, assertion = doc.clear_root, doc.assertion
    parents = {child: parent for parent in root.iter() for child in parent}
    signed: dict[str, Element] = {}
    for sig in root.iter(_q(DS, "Signature")):
        parent = parents.get(sig)
        if parent is root:
            which = "Response"
        elif parent is assertion:
            which = "Assertion"
        else:
            where = parent.tag.rsplit("}", 1)[-1] if parent is not None else "?"
            raise SsoRefused(f"A signature sits inside <{where}>; only the Response or the Assertion may be signed.")
        if which in signed:
            raise SsoRefused(f"The {which} carries more than one signature.")
        _signature_shape(sig, parent, which, cc)
        signed[which] = parent
    if not signed:
        raise SsoRefused("The Response is unsigned; Herald requires a signed Response or Assertion.")
    if cc.settings.get("want_response_signed") and "Response" not in signed:
        raise SsoRefused("The Response is not signed, and this tenant requires signed Responses.")
    if cc.settings.get("want_assertions_signed", True) and "Assertion" not in signed:
        raise SsoRefused("The Assertion is not signed, and this tenant requires signed Assertions.")
    if not cc.certs:
        raise SsoRefused("No IdP signing certificate is pinned for this tenant.")
    cert_files = {pem: cc.files.write(f"idp-{i}.crt", pem) for i, pem in enumerate(cc.certs)}
    backend = crypto()
    for which, element in signed.items():
        node_name = f"{SAMLP}:Response" if which == "Response" else f"{SAML}:Assertion"
        # The Response signature covers what was received (ciphertext included); the
        # assertion's covers the assertion in clear.
        xml = doc.xml if which == "Response" else doc.clear_xml
        # The certificate the signature names is only a hint of which pinned one to try first.
        hint = _embedded_cert(element)
        order = sorted(cert_files, key=lambda pem: pem != hint)
        if not any(_verifies(backend, xml, cert_files[pem], node_name, element.get("ID", "")) for pem in order):
            raise SsoRefused(f"The {which} signature does not verify with the identity provider certificate"
                             f"{'s' if len(cert_files) > 1 else ''} pinned for this tenant.")
    # Values are read only from the assertion: it is either signed itself or the single direct
    # child of the signed Response, and the structure checks above leave no second copy.
    return assertion


def _signature_shape(sig: Element, parent: Element, which: str, cc: CheckContext) -> None:
    children = list(parent)
    expected = 1 if children and children[0].tag == _q(SAML, "Issuer") else 0
    if children.index(sig) != expected:
        raise SsoRefused(f"The {which} signature is not where the schema puts it (right after the Issuer).")
    refs = sig.findall(f"{_q(DS, 'SignedInfo')}/{_q(DS, 'Reference')}")
    if len(refs) != 1:
        raise SsoRefused(f"The {which} signature has {len(refs)} references; exactly one is accepted.")
    uri, element_id = refs[0].get("URI", ""), parent.get("ID", "")
    if uri != f"#{element_id}":
        raise SsoRefused(f"The {which} signature references {uri!r}, not the {which} ID {element_id!r}.")
    for transform in refs[0].iter(_q(DS, "Transform")):
        if transform.get("Algorithm") not in ALLOWED_TRANSFORMS:
            raise SsoRefused(f"The {which} signature uses the transform {transform.get('Algorithm')!r}, "
                             "which is not accepted.")
    if cc.settings.get("refuse_sha1", True):
        method = sig.find(f"{_q(DS, 'SignedInfo')}/{_q(DS, 'SignatureMethod')}")
        digest = refs[0].find(_q(DS, "DigestMethod"))
        for el, what in ((method, "signature"), (digest, "digest")):
            if el is not None and el.get("Algorithm") in SHA1_ALGORITHMS:
                raise SsoRefused(f"The {which} {what} uses SHA-1 ({el.get('Algorithm')}), which this tenant refuses.")


def _embedded_cert(element: Element) -> str | None:
    node = element.find(f"{_q(DS, 'Signature')}/{_q(DS, 'KeyInfo')}/{_q(DS, 'X509Data')}/{_q(DS, 'X509Certificate')}")
    if node is None:
        return None
    try:
        return cert_to_pem(node.text or "")
    except MetadataError:
        return None


def _verifies(backend: Any, xml: bytes, cert_file: str, node_name: str, node_id: str) -> bool:
    try:
        return bool(backend.validate_signature(xml, cert_file, "pem", node_name, node_id))
    except Exception:  # xmlsec1 exits non-zero on a bad signature; pysaml2 wraps it as SignatureError
        return False


# ---------------------------------------------------------------- 3. issuer, 4. audience, 5. destination
def _issuers(root: Element, assertion: Element, cc: CheckContext) -> None:
    response_issuer = root.find(_q(SAML, "Issuer"))
    if response_issuer is not None and (response_issuer.text or "").strip() != cc.idp.entity_id:
        raise SsoRefused(f"The Response Issuer {(response_issuer.text or '').strip()!r} is not this tenant's "
                         f"identity provider {cc.idp.entity_id!r}.")
    issuer = (assertion.findtext(_q(SAML, "Issuer")) or "").strip()
    if issuer != cc.idp.entity_id:
        raise SsoRefused(f"The Assertion Issuer {issuer!r} is not this tenant's identity provider "
                         f"{cc.idp.entity_id!r}.")


def _audience(assertion: Element, cc: CheckContext) -> None:
    restrictions = assertion.findall(f"{_q(SAML, 'Conditions')}/{_q(SAML, 'AudienceRestriction')}")
    if not restrictions:
        raise SsoRefused("The Assertion has no AudienceRestriction.")
    for restriction in restrictions:
        audiences = [(a.text or "").strip() for a in restriction.findall(_q(SAML, "Audience"))]
        if cc.sp_entity_id not in audiences:
            raise SsoRefused(f"The Assertion's audience {audiences} does not include this tenant's SP "
                             f"entity ID {cc.sp_entity_id!r}.")


def _destination(root: Element, cc: CheckContext) -> None:
    destination = root.get("Destination")
    if destination is None or not destination.strip():
        raise SsoRefused("The Response has an empty or missing Destination.")
    if destination != cc.ctx.callback_url:
        raise SsoRefused(f"The Response Destination {destination!r} is not this tenant's ACS URL "
                         f"{cc.ctx.callback_url!r}.")


# ---------------------------------------------------------------- 6. InResponseTo
def _in_response_to(root: Element, assertion: Element, cc: CheckContext,
                    state: Mapping[str, str] | None) -> str | None:
    irt = root.get("InResponseTo")
    confirmations = _bearer_data(assertion)
    expected = (state or {}).get("request_id")
    if irt is None:
        if not cc.settings.get("allow_idp_initiated"):
            if expected:
                raise SsoRefused(f"The Response has no InResponseTo, but sign-in request {expected!r} is "
                                 "pending and this tenant does not allow IdP-initiated sign-in.")
            raise SsoRefused("Unsolicited Response (IdP-initiated sign-in), which this tenant does not allow.")
        for data in confirmations:
            if data.get("InResponseTo") is not None:
                raise SsoRefused("The SubjectConfirmationData answers a request but the Response does not.")
        return None
    if expected is None or irt != expected:
        raise SsoRefused(f"The Response InResponseTo {irt!r} names no sign-in request Herald issued to this browser.")
    # The Response's InResponseTo is unsigned when only the assertion is signed: the signed
    # SubjectConfirmationData must say the same, or an unsolicited assertion could be passed off
    # as the answer to this browser's request.
    for data in confirmations:
        if data.get("InResponseTo") != expected:
            raise SsoRefused(f"The SubjectConfirmationData InResponseTo {data.get('InResponseTo')!r} does not "
                             f"match the request {expected!r}.")
    return expected


def _bearer_data(assertion: Element) -> list[Element]:
    out = []
    for sc in assertion.findall(f"{_q(SAML, 'Subject')}/{_q(SAML, 'SubjectConfirmation')}"):
        if sc.get("Method") == BEARER:
            data = sc.find(_q(SAML, "SubjectConfirmationData"))
            out.append(data if data is not None else Element("empty"))
    return out


# ---------------------------------------------------------------- 7. subject confirmation
def _subject_confirmation(assertion: Element, cc: CheckContext) -> datetime:
    confirmations = _bearer_data(assertion)
    if not confirmations:
        raise SsoRefused("The Assertion has no bearer SubjectConfirmation.")
    first_problem = ""
    for data in confirmations:
        recipient = data.get("Recipient")
        not_on_or_after = data.get("NotOnOrAfter")
        if recipient != cc.ctx.callback_url:
            first_problem = first_problem or (f"The SubjectConfirmation Recipient {recipient!r} is not this "
                                              f"tenant's ACS URL {cc.ctx.callback_url!r}.")
            continue
        if not not_on_or_after:
            first_problem = first_problem or "The bearer SubjectConfirmationData has no NotOnOrAfter."
            continue
        expiry = _instant(not_on_or_after, "SubjectConfirmationData NotOnOrAfter")
        if cc.now - cc.skew >= expiry:
            first_problem = first_problem or (f"The SubjectConfirmationData expired at {expiry.isoformat()} "
                                              f"(now {cc.now.isoformat()}, skew {cc.skew.seconds}s).")
            continue
        return expiry
    raise SsoRefused(first_problem)


# ---------------------------------------------------------------- 8. conditions and session
def _conditions(assertion: Element, cc: CheckContext) -> tuple[datetime, datetime | None, str | None]:
    conditions = assertion.find(_q(SAML, "Conditions"))
    assert conditions is not None  # the audience check needs it
    not_before = conditions.get("NotBefore")
    if not_before and cc.now + cc.skew < _instant(not_before, "Conditions NotBefore"):
        raise SsoRefused(f"The Assertion is not valid before {not_before} (now {cc.now.isoformat()}, "
                         f"skew {cc.skew.seconds}s).")
    not_on_or_after = conditions.get("NotOnOrAfter")
    if not not_on_or_after:
        raise SsoRefused("The Assertion Conditions have no NotOnOrAfter.")
    expiry = _instant(not_on_or_after, "Conditions NotOnOrAfter")
    if cc.now - cc.skew >= expiry:
        raise SsoRefused(f"The Assertion expired at {not_on_or_after} (now {cc.now.isoformat()}, "
                         f"skew {cc.skew.seconds}s).")
    statements = assertion.findall(_q(SAML, "AuthnStatement"))
    if not statements:
        raise SsoRefused("The Assertion has no AuthnStatement.")
    session_expiry = None
    raw_session = statements[0].get("SessionNotOnOrAfter")
    if raw_session:
        session_expiry = _instant(raw_session, "SessionNotOnOrAfter")
        if cc.now - cc.skew >= session_expiry:
            raise SsoRefused(f"The identity provider session ended at {raw_session} (SessionNotOnOrAfter).")
    return expiry, session_expiry, statements[0].get("SessionIndex")


def _instant(value: str, what: str) -> datetime:
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise SsoRefused(f"The {what} {value!r} is not a date.") from exc


# ---------------------------------------------------------------- 9. subject and attributes
def _identity(assertion: Element, cc: CheckContext, session_index: str | None,
              session_expiry: datetime | None) -> ExternalIdentity:
    subject = assertion.find(_q(SAML, "Subject"))
    name_id = subject.find(_q(SAML, "NameID")) if subject is not None else None
    if name_id is None or not (name_id.text or "").strip():
        raise SsoRefused("The Assertion has no NameID (or an empty one).")
    attributes: dict[str, list[str]] = {}
    for statement in assertion.findall(_q(SAML, "AttributeStatement")):
        for attribute in statement.findall(_q(SAML, "Attribute")):
            name = attribute.get("Name", "")
            if name in attributes:
                raise SsoRefused(f"The Assertion states the attribute {name!r} more than once.")
            attributes[name] = [(v.text or "").strip() for v in attribute.findall(_q(SAML, "AttributeValue"))]
    subject_id = name_id.text.strip()
    email_values = attributes.get(cc.settings.get("email_attribute", "email")) or []
    email = email_values[0] if email_values else ""
    if not email and name_id.get("Format") == NAMEID_EMAIL:
        email = subject_id
    if not _EMAIL.match(email):
        raise SsoRefused(f"The Assertion carries no email address (attribute "
                         f"{cc.settings.get('email_attribute', 'email')!r}, or an emailAddress NameID).")
    display = (attributes.get(cc.settings.get("display_name_attribute", "displayName")) or [""])[0]
    groups = tuple(g for g in attributes.get(cc.settings.get("group_attribute", "groups"), []) if g)
    return ExternalIdentity(
        subject=subject_id, email=email, display_name=display, groups=groups,
        attributes={k: tuple(v) for k, v in attributes.items()},
        session_index=session_index, session_expires_at=session_expiry,
    )


# ---------------------------------------------------------------- 10. replay
def _replay(assertion: Element, cc: CheckContext, request_id: str | None, expires_at: datetime) -> None:
    keep_until = expires_at + cc.skew
    assertion_id = assertion.get("ID", "")
    if not cc.ctx.replay.first_use(f"saml:{cc.ctx.tenant_id}:assertion:{assertion_id}", keep_until):
        raise SsoRefused(f"The Assertion {assertion_id!r} was already used (replay).")
    if request_id and not cc.ctx.replay.first_use(f"saml:{cc.ctx.tenant_id}:request:{request_id}", keep_until):
        raise SsoRefused(f"The sign-in request {request_id!r} was already answered (replay).")
