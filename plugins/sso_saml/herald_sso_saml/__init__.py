"""SAML 2.0 single sign-on: per-tenant IdP settings; the sign-in flow arrives with identity."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from herald.plugins import PluginSettings, hookimpl

HERALD_HOOK_API = "1.0"


class SamlSettings(Schema):
    idp_metadata_xml = fields.String(required=True, validate=validate.Length(min=1, max=200_000),
                                     metadata={"description": "The identity provider's metadata XML"})
    allow_idp_initiated = fields.Boolean(load_default=False)
    clock_skew_seconds = fields.Integer(load_default=120, validate=validate.Range(min=0, max=600))
    group_attribute = fields.String(load_default="groups", validate=validate.Length(min=1, max=200))
    group_roles = fields.List(
        fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(max=200))),
        load_default=list,
        metadata={"description": "[{group, role, org_unit_id}]: IdP group → Herald role on a unit"},
    )
    sp_private_key_pem = fields.String(validate=validate.Length(max=20000))


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(SamlSettings, secret_fields=("sp_private_key_pem",))
