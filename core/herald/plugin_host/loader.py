"""Finding plugins (built-in list + the ``herald`` entry-point group) and checking them before
anything is registered: hook-API compatibility, duplicate names, unknown hooks."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

from herald.errors import PluginError
from herald.hookspecs import HOOK_API_VERSION

ENTRY_POINT_GROUP = "herald"


@dataclass
class PluginInfo:
    name: str
    module: object
    version: str
    hook_api: str
    builtin: bool
    default_enabled: bool
    description: str
    distribution: str | None = None
    hooks: list[str] = field(default_factory=list)


def parse_api(value: object, where: str) -> tuple[int, int]:
    if not isinstance(value, str) or value.count(".") != 1:
        raise PluginError(f"{where}: HERALD_HOOK_API must be a 'MAJOR.MINOR' string, got {value!r}.")
    major, minor = value.split(".")
    if not (major.isdigit() and minor.isdigit()):
        raise PluginError(f"{where}: HERALD_HOOK_API must be a 'MAJOR.MINOR' string, got {value!r}.")
    return int(major), int(minor)


def check_compatible(name: str, declared: object) -> str:
    """The plugin's declared hook API, if Herald can run it; else a clear PluginError."""
    if declared is None:
        raise PluginError(
            f"Plugin {name!r} does not declare HERALD_HOOK_API; add HERALD_HOOK_API = "
            f"{HOOK_API_VERSION!r} to the module its entry point names."
        )
    p_major, p_minor = parse_api(declared, f"Plugin {name!r}")
    c_major, c_minor = parse_api(HOOK_API_VERSION, "Herald")
    if p_major != c_major:
        raise PluginError(
            f"Plugin {name!r} was built for Herald hook API {declared}, but this Herald provides "
            f"{HOOK_API_VERSION}: major versions differ. Install a release of the plugin made "
            f"for hook API {c_major}.x (see docs/plugins.md, 'Upgrading')."
        )
    if p_minor > c_minor:
        raise PluginError(
            f"Plugin {name!r} needs Herald hook API {declared}, newer than this Herald's "
            f"{HOOK_API_VERSION}. Upgrade Herald or install an older release of the plugin."
        )
    return str(declared)


def describe_module(module: object) -> str:
    doc = (getattr(module, "__doc__", None) or "").strip()
    return getattr(module, "HERALD_DESCRIPTION", None) or (doc.splitlines()[0] if doc else "")


def installed_entry_points() -> list[EntryPoint]:
    eps = list(entry_points(group=ENTRY_POINT_GROUP))
    seen: dict[str, EntryPoint] = {}
    for ep in eps:
        other = seen.get(ep.name)
        if other is not None and other.value != ep.value:
            raise PluginError(
                f"Two installed plugins are both named {ep.name!r} ({other.value} and {ep.value}); "
                "uninstall one of them."
            )
        seen[ep.name] = ep
    return list(seen.values())


def load_entry_point(ep: EntryPoint) -> tuple[ModuleType, str, str | None]:
    try:
        module = ep.load()
    except Exception as exc:  # an import error inside a plugin must name the plugin
        raise PluginError(f"Plugin {ep.name!r} ({ep.value}) failed to import: {exc}") from exc
    dist = ep.dist
    return module, (dist.version if dist else "0"), (dist.name if dist else None)


def import_builtin(path: str) -> ModuleType:
    return importlib.import_module(path)
