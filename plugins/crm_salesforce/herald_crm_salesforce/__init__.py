"""Salesforce: connection settings; pushing leads and cases arrives with the engagement inbox."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.plugins import PluginSettings, hookimpl

HERALD_HOOK_API = "1.0"


class SalesforceSettings(Schema):
    login_url = fields.Url(load_default="https://login.salesforce.com", require_tld=False,
                           metadata={"description": "login.salesforce.com, test.salesforce.com or your My Domain"})
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=300))
    client_secret = fields.String(validate=validate.Length(max=500))
    username = fields.String(validate=validate.Length(max=300),
                             metadata={"description": "Integration user (JWT bearer flow subject)"})
    private_key_pem = fields.String(validate=validate.Length(max=10000),
                                    metadata={"description": "Key that signs JWT bearer assertions"})
    api_version = fields.String(load_default="v59.0", validate=validate.Regexp(r"^v\d{2,3}\.\d$"))


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(SalesforceSettings, secret_fields=("client_secret", "private_key_pem"))
