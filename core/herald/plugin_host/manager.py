"""The plugin host: one pluggy manager per process, and per-tenant views of it.

Installed is not enabled: every installed plugin is registered once at start-up, and each
call made for a tenant reaches only the plugins that tenant enabled (``for_tenant``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald import hookspecs
from herald.errors import PluginError
from herald.plugin_host.crypto import SecretBox
from herald.plugin_host.instance import InstanceSettings
from herald.plugin_host.loader import (
    PluginInfo,
    check_compatible,
    describe_module,
    import_builtin,
    installed_entry_points,
    load_entry_point,
)
from herald.plugin_host.models import TenantPlugin
from herald.plugin_host.settings import PluginSettings

if TYPE_CHECKING:
    from herald.plugin_host.bound import TenantBound

REGISTRATION_HOOKS = {
    "herald_network_connectors": "network",
    "herald_approval_step_kinds": "approval_step",
    "herald_auth_providers": "auth_provider",
    "herald_crm_sinks": "crm_sink",
    "herald_enrichers": "enricher",
    "herald_notifiers": "notifier",
    "herald_event_subscribers": "event_subscriber",
}


class PluginHost:
    def __init__(self, secret_box: SecretBox, *, trace: bool = False) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.box = secret_box
        self.infos: dict[str, PluginInfo] = {}
        #: the operator's plugin settings and allowed tenant overrides (set by the runtime)
        self.instance = InstanceSettings()
        if trace:
            self.pm.trace.root.setwriter(sys.stderr.write)
            self.pm.enable_tracing()

    # ------------------------------------------------------------------ loading
    def load(self, builtins: list[tuple[str, str]], allow_list: tuple[str, ...] | None = None) -> None:
        """Register the built-in plugins, then every installed one the allow-list admits.
        Any problem stops start-up with one clear message."""
        for name, path in builtins:
            self.register(import_builtin(path), name, builtin=True)
        for ep in installed_entry_points():
            if allow_list is not None and ep.name not in allow_list:
                continue
            module, version, dist = load_entry_point(ep)
            self.register(module, ep.name, version=version, distribution=dist)
        if allow_list:
            missing = set(allow_list) - set(self.infos)
            if missing:
                raise PluginError(f"HERALD_PLUGINS names plugins that are not installed: {', '.join(sorted(missing))}.")

    def register(self, module: object, name: str, *, builtin: bool = False,
                 version: str | None = None, distribution: str | None = None) -> PluginInfo:
        if name in self.infos:
            raise PluginError(f"A plugin named {name!r} is already registered.")
        api = check_compatible(name, getattr(module, "HERALD_HOOK_API", None))
        self.pm.register(module, name=name)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self.pm.unregister(name=name)
            raise PluginError(f"Plugin {name!r} implements a hook Herald does not have: {exc}") from exc
        info = PluginInfo(
            name=name, module=module, version=version or str(getattr(module, "__version__", _core_version())),
            hook_api=api, builtin=builtin,
            default_enabled=bool(getattr(module, "HERALD_DEFAULT_ENABLED", builtin)),
            description=describe_module(module), distribution=distribution,
            hooks=sorted(impl_name for impl_name in self._hooks_of(name)),
        )
        self.infos[name] = info
        return info

    def unregister(self, name: str) -> None:
        self.infos.pop(name, None)
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)

    @contextmanager
    def registered(self, module: object, name: str, **kwargs: Any) -> Iterator[PluginInfo]:
        """Register ``module`` for the duration of a block; always unregisters."""
        info = self.register(module, name, **kwargs)
        try:
            yield info
        finally:
            self.unregister(name)

    def _hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        callers = self.pm.get_hookcallers(plugin) or []
        return [c.name for c in callers]

    # ------------------------------------------------------------------ per plugin
    def plugin_settings(self, name: str) -> PluginSettings | None:
        results = self.call_one("herald_plugin_settings", name)
        return results[0] if results else None

    def call_one(self, hook_name: str, plugin: str, /, **kwargs: Any) -> list[Any]:
        """Call ``hook_name`` on one plugin only; returns its non-None results (0 or 1)."""
        if self.pm.get_plugin(plugin) is None:
            return []
        others = [p for n, p in self.pm.list_name_plugin() if n != plugin]
        results = self.pm.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs)
        return [r for r in results if r is not None]

    def provides(self, name: str) -> list[str]:
        """What a plugin contributes, e.g. ``["network:x", "settings"]``."""
        found: list[str] = []
        for hook, kind in REGISTRATION_HOOKS.items():
            for result in self.call_one(hook, name):
                found.extend(f"{kind}:{cls.key}" for cls in result)
        if self.call_one("herald_console_extensions", name):
            found.append("console")
        if self.plugin_settings(name) is not None:
            found.append("settings")
        return found

    def operator_instances(self, hook_name: str) -> list[TenantBound]:
        """Every installed plugin's classes from a registration hook, each with its defaults and
        the operator's settings and no tenant (``tenant_id`` ""): for the operator's own tools,
        such as batch scoring from the command line."""
        out: list[TenantBound] = []
        for name in self.infos:
            spec = self.plugin_settings(name)
            settings = {**(spec.defaults() if spec else {}), **self.instance.values(name, spec)}
            for result in self.call_one(hook_name, name):
                for cls in result or []:
                    cls.plugin = name
                    out.append(cls("", settings))
        return out

    # ------------------------------------------------------------------ per tenant
    def enabled_names(self, session: Session, tenant_id: str) -> set[str]:
        rows = dict(session.execute(
            select(TenantPlugin.plugin, TenantPlugin.enabled).where(TenantPlugin.tenant_id == tenant_id)
        ).all())
        return {n for n, info in self.infos.items() if rows.get(n, info.default_enabled)}

    def for_tenant(self, session: Session, tenant_id: str) -> TenantHooks:
        return TenantHooks(self, session, tenant_id, self.enabled_names(session, tenant_id))

    def effective_settings(self, session: Session, tenant_id: str, name: str) -> dict[str, Any]:
        """Defaults overlaid with the tenant's stored values, secrets decrypted."""
        spec = self.plugin_settings(name)
        row = session.execute(
            select(TenantPlugin).where(TenantPlugin.tenant_id == tenant_id, TenantPlugin.plugin == name)
        ).scalar_one_or_none()
        stored = dict(row.settings or {}) if row else {}
        secrets = self.box.open(row.secrets) if row else {}
        if spec is None:
            return {}
        # a tenant's stored value of an operator-owned setting counts only where overrides are allowed
        stored = {k: v for k, v in stored.items()
                  if k not in spec.instance_fields or self.instance.may_override(name, k)}
        return {**spec.defaults(), **self.instance.values(name, spec), **stored, **secrets}

    def check_instance_settings(self) -> None:
        """Load every plugin's operator-owned settings now, so a wrong one stops start-up."""
        for name in self.infos:
            self.instance.values(name, self.plugin_settings(name))
        names = {n.upper() for n in self.infos}
        for key in self.instance.env:
            plugin = key[len("HERALD_"):].split("__", 1)[0]
            if plugin not in names:
                raise PluginError(f"{key}: no installed plugin is named {plugin.lower()!r}.")


class TenantHooks:
    """The hooks as one tenant sees them: only its enabled plugins take part."""

    def __init__(self, host: PluginHost, session: Session, tenant_id: str, enabled: set[str]) -> None:
        self.host, self.session, self.tenant_id, self.enabled = host, session, tenant_id, enabled
        self._disabled = [p for n, p in host.pm.list_name_plugin() if n not in enabled]
        self.hook = _TenantHookRelay(self)

    def collect(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """(plugin name, result) for each enabled plugin implementing ``hook_name``, in call order."""
        caller = getattr(self.host.pm.hook, hook_name)
        out = []
        for impl in reversed(caller.get_hookimpls()):
            if impl.plugin_name in self.enabled:
                for result in self.host.call_one(hook_name, impl.plugin_name, **kwargs):
                    out.append((impl.plugin_name, result))
        return out

    def classes(self, hook_name: str) -> list[type[TenantBound]]:
        """The classes a registration hook offers this tenant; each gets ``plugin`` set. Two
        plugins offering the same key is a :class:`PluginError` naming both."""
        seen: dict[str, str] = {}
        out: list[type[TenantBound]] = []
        for plugin, result in self.collect(hook_name):
            for cls in result or []:
                if cls.key in seen and seen[cls.key] != plugin:
                    raise PluginError(
                        f"Plugins {seen[cls.key]!r} and {plugin!r} both provide {cls.key!r}; "
                        "disable one of them for this tenant."
                    )
                seen[cls.key] = plugin
                cls.plugin = plugin
                out.append(cls)
        return out

    def instance(self, hook_name: str, key: str) -> TenantBound | None:
        for cls in self.classes(hook_name):
            if cls.key == key:
                settings = self.host.effective_settings(self.session, self.tenant_id, cls.plugin)
                return cls(self.tenant_id, settings)
        return None

    def instances(self, hook_name: str) -> list[TenantBound]:
        return [
            cls(self.tenant_id, self.host.effective_settings(self.session, self.tenant_id, cls.plugin))
            for cls in self.classes(hook_name)
        ]


class _TenantHookRelay:
    """``tenant_hooks.hook.<name>(...)``: pluggy's subset caller without disabled plugins."""

    def __init__(self, owner: TenantHooks) -> None:
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        return self._owner.host.pm.subset_hook_caller(name, remove_plugins=self._owner._disabled)


def _core_version() -> str:
    import herald

    return herald.__version__
