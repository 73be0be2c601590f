"""The base every tenant-bound extension class (connector, step kind, provider…) shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class TenantBound:
    """Instantiated by Herald per use, for one tenant, with that tenant's plugin settings.

    ``key`` identifies the class within its kind (unique across plugins); ``display_name`` is
    shown to people; ``plugin`` is filled in by Herald with the name of the plugin that
    registered the class."""

    key: ClassVar[str] = ""
    display_name: ClassVar[str] = ""
    plugin: ClassVar[str] = ""

    def __init__(self, tenant_id: str, settings: Mapping[str, Any]) -> None:
        self.tenant_id = tenant_id
        self.settings = settings

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {"key": cls.key, "display_name": cls.display_name or cls.key, "plugin": cls.plugin}
