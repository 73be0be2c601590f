"""Operator-owned plugin settings: fields a plugin declares in ``PluginSettings.instance_fields``
(e.g. a connector's API URLs) take their value from instance configuration,
``HERALD_<PLUGIN>__<SETTING>``, and a tenant admin may change them only where
``HERALD_TENANT_OVERRIDES`` names the plugin (``network_x``), the setting
(``network_x.api_base_url``) or ``*``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from herald.errors import PluginError
from herald.plugin_host.settings import PluginSettings


def env_name(plugin: str, setting: str) -> str:
    return f"HERALD_{plugin.upper()}__{setting.upper()}"


@dataclass
class InstanceSettings:
    """What the operator configured for plugins: raw ``HERALD_<PLUGIN>__<SETTING>`` values and
    the tenant overrides allowed."""

    env: Mapping[str, str] = field(default_factory=dict)
    overrides: tuple[str, ...] = ()
    _loaded: dict[str, dict[str, Any]] = field(default_factory=dict)

    def may_override(self, plugin: str, setting: str) -> bool:
        return bool({"*", plugin, f"{plugin}.{setting}"} & set(self.overrides))

    def values(self, plugin: str, spec: PluginSettings | None) -> dict[str, Any]:
        """The operator's values of ``plugin``'s instance fields, loaded through its schema;
        :class:`PluginError` (stopping start-up) names a wrong one."""
        if plugin in self._loaded:
            return self._loaded[plugin]
        fields = spec.instance_fields if spec else ()
        prefix = f"HERALD_{plugin.upper()}__"
        given = {k[len(prefix):].lower(): v for k, v in self.env.items() if k.startswith(prefix)}
        unknown = sorted(set(given) - set(fields))
        if unknown:
            raise PluginError(f"{', '.join(env_name(plugin, u) for u in unknown)}: plugin {plugin!r} has no such "
                              "operator-owned setting.")
        loaded: dict[str, Any] = {}
        if given and spec is not None:
            try:
                out = spec.schema(only=tuple(given), partial=True).load(given)
            except ValidationError as exc:
                wrong = {env_name(plugin, k): v for k, v in exc.normalized_messages().items()}
                raise PluginError(f"Plugin {plugin!r}: invalid operator settings {wrong}.") from exc
            loaded = {k: out[k] for k in given if k in out}
        self._loaded[plugin] = loaded
        return loaded
