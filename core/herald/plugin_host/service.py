"""A tenant admin's view of plugins: list, enable, disable, configure (validated, secrets
encrypted, audited with secrets redacted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import audit
from herald.authz import Actor, require
from herald.authz.check import in_tenant
from herald.errors import NotFound, ValidationFailed
from herald.plugin_host.instance import env_name
from herald.plugin_host.manager import PluginHost
from herald.plugin_host.models import TenantPlugin
from herald.plugin_host.settings import PluginSettings


def describe_for_tenant(session: Session, host: PluginHost, tenant_id: str, name: str) -> dict[str, Any]:
    info = host.infos[name]
    row = _row(session, tenant_id, name)
    spec = host.plugin_settings(name)
    stored = dict(row.settings or {}) if row else {}
    secret_set = sorted(host.box.open(row.secrets)) if row and row.secrets else []
    return {
        "name": name,
        "version": info.version,
        "hook_api": info.hook_api,
        "builtin": info.builtin,
        "description": info.description,
        "provides": host.provides(name),
        "enabled": row.enabled if row else info.default_enabled,
        "settings": stored,
        "secrets_set": secret_set,
        "settings_schema": spec.describe() if spec else None,
        "operator_settings": _operator_settings(host, name, spec, stored),
    }


def _operator_settings(host: PluginHost, name: str, spec: PluginSettings | None,
                       stored: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per operator-owned field: the value in force for this tenant, the variable that sets it,
    and whether the tenant may override it (``HERALD_TENANT_OVERRIDES``)."""
    if spec is None:
        return {}
    operator = {**spec.defaults(), **host.instance.values(name, spec)}
    out = {}
    for field_name in spec.instance_fields:
        overridable = host.instance.may_override(name, field_name)
        value = stored.get(field_name, operator.get(field_name)) if overridable else operator.get(field_name)
        out[field_name] = {"value": value, "env": env_name(name, field_name), "overridable": overridable}
    return out


def _row(session: Session, tenant_id: str, name: str) -> TenantPlugin | None:
    return session.execute(
        select(TenantPlugin).where(TenantPlugin.tenant_id == tenant_id, TenantPlugin.plugin == name)
    ).scalar_one_or_none()


def configure(session: Session, host: PluginHost, actor: Actor | None, tenant_id: str, name: str, *,
              enabled: bool | None = None, settings: dict[str, Any] | None = None) -> TenantPlugin:
    """Enable/disable and/or replace settings. Secret fields left out keep their stored value;
    a secret set to null is cleared. Enabling a plugin whose required settings are missing fails."""
    if actor is not None:
        require(session, actor, "plugins.manage", in_tenant(session, actor, tenant_id))
    if name not in host.infos:
        raise NotFound(f"No installed plugin {name!r}.")
    info = host.infos[name]
    spec = host.plugin_settings(name)
    row = _row(session, tenant_id, name)
    if row is None:
        row = TenantPlugin(tenant_id=tenant_id, plugin=name, enabled=info.default_enabled, settings={})
        session.add(row)
    before = {"enabled": row.enabled, "settings": dict(row.settings or {}),
              "secrets": {k: audit.log.REDACTED for k in host.box.open(row.secrets)}}
    if settings is not None:
        if spec is None:
            raise ValidationFailed(f"Plugin {name!r} has no settings.",
                                   {"settings": ["This plugin takes no settings."]})
        settings = _without_operator_settings(host, name, spec, settings)
        old_secrets = host.box.open(row.secrets)
        merged = {**{k: v for k, v in old_secrets.items() if k not in settings}, **settings}
        merged = {k: v for k, v in merged.items() if not (k in spec.secret_fields and v is None)}
        loaded = spec.validate(merged)
        # operator-owned settings are stored only when the tenant gave them and may override them
        loaded = {k: v for k, v in loaded.items() if k not in spec.instance_fields or k in settings}
        plain, secret = spec.split(loaded)
        row.settings = audit.hashing.jsonable(plain)
        row.secrets = host.box.seal(secret) if secret else None
    if enabled is not None:
        row.enabled = enabled
    if row.enabled and spec is not None and settings is None:
        stored = {**(row.settings or {}), **host.box.open(row.secrets)}
        spec.validate(stored)  # required settings must be present before enabling
    session.flush()
    after = {"enabled": row.enabled, "settings": dict(row.settings or {}),
             "secrets": {k: audit.log.REDACTED for k in host.box.open(row.secrets)}}
    audit.record(session, actor, "plugin.configured", "plugin", name, tenant_id=tenant_id,
                 before=before, after=after)
    return row


def _without_operator_settings(host: PluginHost, name: str, spec: PluginSettings,
                               settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` without the operator-owned ones a tenant may not change. Giving the value in
    force (a form sends every field back) is not a change; giving another is refused."""
    refused: dict[str, list[str]] = {}
    kept = dict(settings)
    for field_name in spec.instance_fields:
        if field_name not in settings or host.instance.may_override(name, field_name):
            continue
        in_force = {**spec.defaults(), **host.instance.values(name, spec)}.get(field_name)
        given = kept.pop(field_name)
        if given not in (None, "", in_force) and str(given).rstrip("/") != str(in_force).rstrip("/"):
            refused[field_name] = [f"Set by the operator ({env_name(name, field_name)}); a tenant admin cannot "
                                   "change it."]
    if refused:
        raise ValidationFailed("The plugin settings are not valid.", errors=refused)
    return kept


def announce_change(session: Session, host: PluginHost, tenant_id: str, name: str) -> None:
    """Tell the plugin (only it) about its new state, after the change committed."""
    row = _row(session, tenant_id, name)
    enabled = row.enabled if row else host.infos[name].default_enabled
    host.call_one("herald_tenant_plugin_changed", name, tenant_id=tenant_id, plugin=name,
                  enabled=enabled, settings=host.effective_settings(session, tenant_id, name))
