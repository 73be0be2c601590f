"""The console-extension interface: a plugin's pages and menu entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint


@dataclass(frozen=True)
class MenuEntry:
    label: str
    endpoint: str  # the blueprint endpoint, e.g. "feed.index"
    permission: str = "tenant.view"


@dataclass(frozen=True)
class ConsoleExtension:
    """``blueprint`` is mounted at ``/console/x/<plugin>/``; ``menu`` entries appear for tenants
    that enabled the plugin and for people holding each entry's permission."""

    blueprint: Blueprint
    menu: list[MenuEntry] = field(default_factory=list)
