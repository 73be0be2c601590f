"""The settings a tenant gives the Salesforce sink (validated by Herald, secrets encrypted at rest)."""

from __future__ import annotations

import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from marshmallow import Schema, ValidationError, fields, validate, validates

from herald.plugins import PluginSettings
from herald_crm_salesforce.mapping import DEFAULT_FIELDS, VALUES

FLOWS = ("jwt_bearer", "refresh_token", "password")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
_RECORD_TYPE = validate.Regexp(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$", error="Not a Salesforce record type id.")


def _field_map(sobject: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(max=255)),
                       load_default=dict, metadata={"description": (
                           f"{sobject} field -> Herald value ({', '.join(sorted(VALUES))}), or '=text' for a "
                           f"fixed text; '' drops a default. Defaults: {DEFAULT_FIELDS[sobject]}")})


def check_field_map(mapping: dict[str, Any]) -> None:
    """Refuse a mapping naming an impossible Salesforce field or an unknown Herald value."""
    problems = []
    for target, source in mapping.items():
        if not _FIELD_NAME.match(str(target)):
            problems.append(f"{target!r} is not a Salesforce field name.")
        elif source and not str(source).startswith("=") and source not in VALUES:
            problems.append(f"{target}: {source!r} is not a Herald value (one of {', '.join(sorted(VALUES))}).")
    if problems:
        raise ValidationError(problems)


class SalesforceSettings(Schema):
    """Connection, authentication, field mapping and pacing of one tenant's Salesforce org."""

    login_url = fields.Url(load_default="https://login.salesforce.com", require_tld=False,
                           metadata={"description": "login.salesforce.com, test.salesforce.com or your My Domain"})
    auth_flow = fields.String(load_default="jwt_bearer", validate=validate.OneOf(FLOWS))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=300))
    client_secret = fields.String(validate=validate.Length(max=500))
    username = fields.String(validate=validate.Length(max=300),
                             metadata={"description": "Integration user (JWT bearer flow subject)"})
    private_key_pem = fields.String(validate=validate.Length(max=10000),
                                    metadata={"description": "Key that signs JWT bearer assertions"})
    refresh_token = fields.String(validate=validate.Length(max=2000))
    password = fields.String(validate=validate.Length(max=500),
                             metadata={"description": "Password followed by the security token (legacy flow)"})
    api_version = fields.String(load_default="v59.0", validate=validate.Regexp(r"^v\d{2,3}\.\d$"))
    timeout_seconds = fields.Float(load_default=30.0, validate=validate.Range(min=0.05, max=600))
    author_as = fields.String(load_default="Contact", validate=validate.OneOf(("Contact", "Lead")))
    author_external_id_field = fields.String(load_default="Herald_Author_Id__c",
                                             validate=validate.Regexp(_FIELD_NAME.pattern))
    record_external_id_field = fields.String(load_default="Herald_Record_Id__c",
                                             validate=validate.Regexp(_FIELD_NAME.pattern))
    contact_fields = _field_map("Contact")
    case_fields = _field_map("Case")
    lead_fields = _field_map("Lead")
    contact_record_type_id = fields.String(validate=_RECORD_TYPE)
    case_record_type_id = fields.String(validate=_RECORD_TYPE)
    lead_record_type_id = fields.String(validate=_RECORD_TYPE)
    limit_slow_at = fields.Float(load_default=0.8, validate=validate.Range(min=0.0, max=1.0))
    limit_stop_at = fields.Float(load_default=0.95, validate=validate.Range(min=0.0, max=1.0))
    slow_delay_seconds = fields.Float(load_default=300.0, validate=validate.Range(min=0, max=86400))
    stop_delay_seconds = fields.Float(load_default=3600.0, validate=validate.Range(min=0, max=86400))

    @validates("contact_fields", "case_fields", "lead_fields")
    def _maps(self, value: dict[str, Any], **_: Any) -> None:
        check_field_map(value)

    @validates("private_key_pem")
    def _key(self, value: str, **_: Any) -> None:
        if not value:
            return
        try:
            key = load_pem_private_key(value.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise ValidationError("Not an unencrypted PEM private key.") from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValidationError("Salesforce signs JWT bearer assertions with RS256: give an RSA key.")


SETTINGS = PluginSettings(
    SalesforceSettings, secret_fields=("client_secret", "private_key_pem", "refresh_token", "password"),
    description={
        "auth_flow": "jwt_bearer (preferred: client_id, username, private_key_pem), refresh_token "
                     "(client_id, refresh_token[, client_secret]) or password (client_id, client_secret, "
                     "username, password)",
        "client_id": "Consumer key of the connected app",
        "author_as": "Which sObject the message's author is upserted as",
        "author_external_id_field": "External ID field (on Contact and Lead) holding Herald's author id",
        "record_external_id_field": "External ID field (on Case and Lead) holding Herald's record key",
        "limit_slow_at": "Share of the daily API limit after which pushes slow down",
        "limit_stop_at": "Share of the daily API limit after which pushes wait stop_delay_seconds",
    })
