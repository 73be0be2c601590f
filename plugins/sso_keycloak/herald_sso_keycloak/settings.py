"""A tenant's Keycloak settings: where the realm is, who Herald is to it, and which claims
carry groups and roles."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from herald.plugins import OutboundUrl, PluginSettings

_NAME = validate.Length(min=1, max=255)
_CLAIM = validate.Regexp(r"^[A-Za-z0-9_:\-]+(\.[A-Za-z0-9_:\-]+)*$",
                         error="A claim name, or a dotted path into nested claims.")


class KeycloakSettings(Schema):
    """Validated when a tenant admin configures the plugin; loads to the dict the provider gets
    as ``self.settings`` (defaults filled in, ``server_url`` ending with a slash)."""

    server_url = fields.Url(
        required=True, schemes={"http", "https"}, require_tld=False, validate=OutboundUrl("the Keycloak server URL"),
        metadata={"description": "Keycloak's base URL, e.g. https://sso.example.com/ (without realms/…)"},
    )
    realm = fields.String(required=True, validate=[_NAME, validate.Regexp(r"^[^/?#\s]+$")])
    client_id = fields.String(required=True, validate=_NAME)
    client_secret = fields.String(
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "The client's secret; leave unset for a public client (PKCE only)"},
    )
    scopes = fields.List(fields.String(validate=validate.Regexp(r"^[\x21\x23-\x5b\x5d-\x7e]+$")),
                         load_default=lambda: ["openid", "email", "profile"],
                         validate=validate.Length(min=1, max=30))
    realm_roles_claim = fields.String(
        load_default="realm_access.roles", validate=[validate.Length(max=200)],
        metadata={"description": "Dotted path of the list of realm roles; empty to ignore realm roles"},
    )
    client_roles_claim = fields.String(
        load_default="resource_access", validate=[validate.Length(max=200)],
        metadata={"description": "Dotted path of {client: {roles: […]}}; client roles arrive as 'client:role'"},
    )
    client_roles_clients = fields.List(
        fields.String(validate=_NAME), load_default=list,
        metadata={"description": "Clients whose roles are taken; empty: this client only"},
    )
    groups_claim = fields.String(
        load_default="groups", validate=[validate.Length(max=200)],
        metadata={"description": "Claim of the group-membership mapper; empty to ignore groups"},
    )
    use_userinfo = fields.Boolean(
        load_default=False,
        metadata={"description": "Also read claims from the userinfo endpoint (mappers not added to the ID token)"},
    )
    require_verified_email = fields.Boolean(load_default=True)
    jit_provisioning = fields.Boolean(
        load_default=False,
        metadata={"description": "Create a Herald account for a person Keycloak vouches for who has none yet"},
    )
    require_mapped_group = fields.Boolean(
        load_default=False,
        metadata={"description": "Disable, at sign-in, a person Keycloak no longer puts in any mapped group or role"},
    )
    clock_skew_seconds = fields.Integer(load_default=60, validate=validate.Range(min=0, max=600))
    timeout_seconds = fields.Integer(load_default=10, validate=validate.Range(min=1, max=60))

    @validates("scopes")
    def _openid_scope(self, value: list[str], **_: Any) -> None:
        if "openid" not in value:
            raise ValidationError("The scopes must include 'openid'.")

    @validates("realm_roles_claim")
    def _realm_roles_path(self, value: str, **_: Any) -> None:
        _claim_path(value)

    @validates("client_roles_claim")
    def _client_roles_path(self, value: str, **_: Any) -> None:
        _claim_path(value)

    @validates("groups_claim")
    def _groups_path(self, value: str, **_: Any) -> None:
        _claim_path(value)

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # python-keycloak joins server_url and "realms/…": a missing trailing slash would drop a
        # path prefix such as /auth (Keycloak before 17, or behind a proxy).
        if "server_url" in data and not data["server_url"].endswith("/"):
            data["server_url"] += "/"
        return data


def _claim_path(value: str) -> None:
    if value:
        _CLAIM(value)


SETTINGS = PluginSettings(
    KeycloakSettings,
    secret_fields=("client_secret",),
    description={"realm": "The realm's name, as in /realms/<realm>",
                 "client_id": "The OpenID Connect client Herald signs in with"},
)
