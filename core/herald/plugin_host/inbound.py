"""Helpers for routes a plugin adds itself (through ``herald_app_created``), such as a social
network's webhook callback: such a route is reached for every installed plugin, so it must look
up the tenant's enablement and settings on its own, and it hands what it received to Herald as
domain events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from herald.events.bus import emit_once
from herald.tenancy.models import Tenant

if TYPE_CHECKING:
    from herald.runtime import Runtime

MAX_ID_LENGTH = 32


def _runtime() -> Runtime:
    from flask import current_app, has_app_context

    if has_app_context() and "herald" in current_app.extensions:
        return current_app.extensions["herald"]
    from herald.runtime import current

    return current()


def tenant_plugin_settings(plugin: str, tenant_id: str) -> dict[str, Any] | None:
    """The effective settings (defaults overlaid with the tenant's values, secrets decrypted)
    of ``plugin`` for ``tenant_id``; None when there is no active tenant with that id or the
    tenant has not enabled the plugin. A route answers None with 404, so that callers cannot
    tell an unknown tenant from one that does not use the plugin."""
    if not tenant_id or len(tenant_id) > MAX_ID_LENGTH:
        return None
    rt = _runtime()
    with rt.db.transaction() as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None or tenant.status != "active":
            return None
        if plugin not in rt.plugins.enabled_names(session, tenant_id):
            return None
        return rt.plugins.effective_settings(session, tenant_id, plugin)


def record_inbound_event(tenant_id: str, type_: str, data: dict[str, Any], dedup_key: str) -> str | None:
    """Record one domain event for ``tenant_id`` that came from outside, at most once per
    ``dedup_key`` (repeated deliveries of the same thing give the same key). Commits at once;
    the event is dispatched to subscribers like any other. Returns the event id, or None when
    this was a repeat."""
    rt = _runtime()
    try:
        with rt.db.transaction() as session:
            ev = emit_once(session, tenant_id, type_, data, dedup_key)
    except IntegrityError:  # a concurrent delivery of the same event committed first
        return None
    return ev.id if ev else None
