"""Per-tenant SAML settings: the IdP (pinned from its metadata), Herald's SP identity, the checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from herald_sso_saml.idp_metadata import (
    MetadataError,
    check_not_expired,
    fetch_metadata,
    normalise_pem_cert,
    parse_idp_metadata,
)

MAX_CLOCK_SKEW_SECONDS = 300
ENTRA_EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"


class SamlSettings(Schema):
    """Validated when an admin saves them. Leaving ``idp_metadata_xml`` out while giving
    ``idp_metadata_url`` fetches the metadata once, now, and stores it (the refresh action)."""

    idp_metadata_xml = fields.String(validate=validate.Length(min=1, max=1_000_000), metadata={
        "description": "The identity provider's metadata XML (uploaded, or stored by a fetch of the URL)"})
    idp_metadata_url = fields.Url(schemes={"http", "https"}, require_tld=False, metadata={
        "description": "Where to fetch the metadata when settings are saved without metadata XML"})
    idp_certificates = fields.List(fields.String(validate=validate.Length(min=1, max=20_000)),
                                   validate=validate.Length(max=2), load_default=list, metadata={
        "description": "Up to two PEM certificates to pin instead of the metadata's (certificate rollover)"})
    sp_entity_id = fields.String(validate=validate.Length(min=1, max=1000), metadata={
        "description": "Herald's entityID for this tenant (default: the tenant's SP metadata URL)"})
    sp_certificate_pem = fields.String(validate=validate.Length(max=20_000), metadata={
        "description": "Herald's signing/encryption certificate for this tenant (PEM), published in SP metadata"})
    sp_private_key_pem = fields.String(validate=validate.Length(max=20_000), metadata={
        "description": "The private key of sp_certificate_pem: signs AuthnRequests, decrypts assertions"})
    want_assertions_signed = fields.Boolean(load_default=True)
    want_response_signed = fields.Boolean(load_default=False)
    allow_idp_initiated = fields.Boolean(load_default=False)
    refuse_sha1 = fields.Boolean(load_default=True, metadata={
        "description": "Refuse responses signed or digested with SHA-1"})
    clock_skew_seconds = fields.Integer(load_default=120,
                                        validate=validate.Range(min=0, max=MAX_CLOCK_SKEW_SECONDS))
    email_attribute = fields.String(load_default="email", validate=validate.Length(min=1, max=300))
    display_name_attribute = fields.String(load_default="displayName", validate=validate.Length(min=1, max=300))
    group_attribute = fields.String(load_default="groups", validate=validate.Length(min=1, max=300))
    group_roles = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(max=200))),
        load_default=list,
        metadata={"description": "[{group, role, org_unit_id}]: IdP group → Herald role on a unit"},
    )

    jit_provisioning = fields.Boolean(load_default=False, metadata={
        "description": "Create a Herald account for a person the IdP vouches for who has none yet"})
    require_mapped_group = fields.Boolean(load_default=False, metadata={
        "description": "Disable, at sign-in, a person the IdP no longer puts in any mapped group"})

    @validates_schema
    def _check(self, data: dict[str, Any], partial: Any = None, **_: Any) -> None:
        if partial:
            return
        if not data.get("idp_metadata_xml") and not data.get("idp_metadata_url"):
            raise ValidationError("Give the identity provider's metadata XML or its URL.", "idp_metadata_xml")
        key, cert = data.get("sp_private_key_pem"), data.get("sp_certificate_pem")
        if bool(key) != bool(cert):
            raise ValidationError("Give both the SP certificate and its private key, or neither.",
                                  "sp_certificate_pem" if key else "sp_private_key_pem")
        if key and cert:
            _check_key_pair(key, cert)
        errors = []
        for i, pem in enumerate(data.get("idp_certificates") or []):
            try:
                normalise_pem_cert(pem)
            except MetadataError as exc:
                errors.append(f"#{i + 1}: {exc}")
        if errors:
            raise ValidationError(errors, "idp_certificates")

        if data.get("idp_metadata_xml"):
            _check_metadata(data["idp_metadata_xml"], data.get("idp_certificates") or [])

    @post_load
    def _fetch(self, data: dict[str, Any], partial: Any = None, **_: Any) -> dict[str, Any]:
        if partial or data.get("idp_metadata_xml"):
            return data
        try:
            data["idp_metadata_xml"] = fetch_metadata(data["idp_metadata_url"])
        except MetadataError as exc:
            raise ValidationError(str(exc), "idp_metadata_url") from exc
        _check_metadata(data["idp_metadata_xml"], data.get("idp_certificates") or [])
        return data


def _check_metadata(xml: str, pinned: list[str]) -> None:
    try:
        meta = parse_idp_metadata(xml)
        check_not_expired(meta, datetime.now(UTC))
    except MetadataError as exc:
        raise ValidationError(str(exc), "idp_metadata_xml") from exc
    if not meta.signing_certs and not pinned:
        raise ValidationError("The metadata has no signing certificate; add one under idp_certificates.",
                              "idp_metadata_xml")


def _check_key_pair(key_pem: str, cert_pem: str) -> None:
    try:
        key = serialization.load_pem_private_key(key_pem.strip().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ValidationError("Not an unencrypted PEM private key.", "sp_private_key_pem") from exc
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.strip().encode())
    except ValueError as exc:
        raise ValidationError("Not a PEM X.509 certificate.", "sp_certificate_pem") from exc
    raw = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, raw) != cert.public_key().public_bytes(
            serialization.Encoding.DER, raw):
        raise ValidationError("The SP certificate does not belong to this private key.", "sp_certificate_pem")
