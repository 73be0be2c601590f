"""Installed plugins, and each tenant's enablement and configuration of them."""

from __future__ import annotations

from typing import Any

from herald.api.blueprint import bp
from herald.api.context import actor, db, runtime
from herald.api.endpoint import endpoint
from herald.api.pagination import paginate_sorted
from herald.api.schemas.common import ListQuery
from herald.api.schemas.plugins import InstalledPluginOut, TenantPluginOut, TenantPluginUpdate
from herald.authz import require
from herald.authz.check import in_tenant
from herald.errors import NotFound
from herald.plugin_host import service

TAG = "Plugins"


@endpoint(bp, "/plugins", "GET", summary="Plugins installed on this instance", tag=TAG,
          query=ListQuery, response=InstalledPluginOut, many=True)
def installed_plugins(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    infos = sorted(runtime().plugins.infos.values(), key=lambda i: i.name)
    return paginate_sorted(infos, "name", query["limit"], query["cursor"])


@endpoint(bp, "/tenants/<tenant_id>/plugins", "GET", summary="Plugins with this tenant's enablement",
          tag=TAG, query=ListQuery, response=TenantPluginOut, many=True)
def tenant_plugins(tenant_id: str, query: dict[str, Any]):  # type: ignore[no-untyped-def]
    session, who = db(), actor()
    require(session, who, "plugins.view", in_tenant(session, who, tenant_id))
    host = runtime().plugins
    names = paginate_sorted([{"name": n} for n in sorted(host.infos)], "name", query["limit"], query["cursor"])
    names.items = [service.describe_for_tenant(session, host, tenant_id, i["name"]) for i in names.items]
    return names


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
