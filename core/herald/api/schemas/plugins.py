"""Schemas of installed plugins and a tenant's plugin configuration."""

from __future__ import annotations

from marshmallow import Schema, fields


class InstalledPluginOut(Schema):
    name = fields.String()
    version = fields.String()
    hook_api = fields.String()
    builtin = fields.Boolean()
    default_enabled = fields.Boolean()
    description = fields.String()
    hooks = fields.List(fields.String())


class TenantPluginOut(Schema):
    name = fields.String()
    version = fields.String()
    hook_api = fields.String()
    builtin = fields.Boolean()
    description = fields.String()
    provides = fields.List(fields.String())
    enabled = fields.Boolean()
    settings = fields.Dict()
    secrets_set = fields.List(fields.String())
    settings_schema = fields.Dict(allow_none=True)


class TenantPluginUpdate(Schema):
    enabled = fields.Boolean()
    settings = fields.Dict(keys=fields.String())
