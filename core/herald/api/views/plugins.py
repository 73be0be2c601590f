"""Installed plugins, and each tenant's enablement and configuration of them."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from herald.api.blueprint import bp
from herald.api.context import actor, db, runtime
from herald.api.endpoint import endpoint
from herald.api.schemas.plugins import InstalledPluginOut, TenantPluginOut, TenantPluginUpdate
from herald.authz import require
from herald.authz.check import in_tenant
from herald.errors import NotFound
from herald.plugin_host import service

TAG = "Plugins"


@endpoint(bp, "/plugins", "GET", summary="Plugins installed on this instance", tag=TAG,
          response=InstalledPluginOut)
def installed_plugins():  # type: ignore[no-untyped-def]
    infos = sorted(runtime().plugins.infos.values(), key=lambda i: i.name)
    return jsonify({"items": InstalledPluginOut(many=True).dump(infos), "next_cursor": None})


@endpoint(bp, "/tenants/<tenant_id>/plugins", "GET", summary="Plugins with this tenant's enablement",
          tag=TAG, response=TenantPluginOut)
def tenant_plugins(tenant_id: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    require(session, who, "plugins.view", in_tenant(session, who, tenant_id))
    host = runtime().plugins
    items = [service.describe_for_tenant(session, host, tenant_id, n) for n in sorted(host.infos)]
    return jsonify({"items": TenantPluginOut(many=True).dump(items), "next_cursor": None})


@endpoint(bp, "/tenants/<tenant_id>/plugins/<name>", "GET", summary="One plugin for this tenant",
          tag=TAG, response=TenantPluginOut)
def tenant_plugin(tenant_id: str, name: str):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    require(session, who, "plugins.view", in_tenant(session, who, tenant_id))
    if name not in runtime().plugins.infos:
        raise NotFound(f"No installed plugin {name!r}.")
    return service.describe_for_tenant(session, runtime().plugins, tenant_id, name)


@endpoint(bp, "/tenants/<tenant_id>/plugins/<name>", "PATCH",
          summary="Enable, disable or configure a plugin for this tenant", tag=TAG,
          body=TenantPluginUpdate, response=TenantPluginOut)
def configure_plugin(tenant_id: str, name: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, host = db(), runtime().plugins
    service.configure(session, host, actor(), tenant_id, name,
                      enabled=body.get("enabled"), settings=body.get("settings"))
    session.commit()
    service.announce_change(session, host, tenant_id, name)
    return service.describe_for_tenant(session, host, tenant_id, name)
