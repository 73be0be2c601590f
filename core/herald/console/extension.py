"""The console-extension interface: a plugin's pages and menu entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint


@dataclass(frozen=True)
class MenuEntry:
    """One menu entry. It shows for people holding ``permission`` on at least one unit
    (``scope="anywhere"``) or on the tenant itself, its root unit (``scope="tenant"``, for
    pages about the whole tenant): offer it to exactly the people the page lets in."""

    label: str
    endpoint: str  # the blueprint endpoint, e.g. "feed.index"
    permission: str = "tenant.view"
    scope: str = "anywhere"  # "anywhere" | "tenant"


@dataclass(frozen=True)
class ConsoleExtension:
    """``blueprint`` is mounted at ``/console/x/<plugin>/``; ``menu`` entries appear for tenants
    that enabled the plugin and for people holding each entry's permission."""

    blueprint: Blueprint
    menu: list[MenuEntry] = field(default_factory=list)
