"""How a plugin declares its per-tenant settings, and how Herald validates them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, missing

from herald.errors import ValidationFailed


@dataclass(frozen=True)
class PluginSettings:
    """``schema``: a marshmallow schema of every setting (use ``load_default`` for defaults);
    ``secret_fields``: names of settings that are encrypted at rest and write-only (the API and
    console show only whether they are set)."""

    schema: type[Schema]
    secret_fields: tuple[str, ...] = ()
    description: dict[str, str] = field(default_factory=dict)
    #: settings the operator owns (HERALD_<PLUGIN>__<SETTING>), e.g. the URLs a connector calls:
    #: a tenant admin may change them only where HERALD_TENANT_OVERRIDES allows it
    instance_fields: tuple[str, ...] = ()

    def validate(self, values: dict[str, Any]) -> dict[str, Any]:
        """The loaded settings, or :class:`ValidationFailed` naming every wrong field."""
        try:
            return self.schema(unknown=RAISE).load(values)
        except ValidationError as exc:
            raise ValidationFailed("The plugin settings are not valid.", errors=exc.normalized_messages()) from exc

    def defaults(self) -> dict[str, Any]:
        """Every field's ``load_default`` (a partial load skips them, so they are read here)."""
        out: dict[str, Any] = {}
        for name, fld in self.schema().fields.items():
            default = fld.load_default
            if default is not missing:
                out[fld.data_key or name] = default() if callable(default) else default
        return out

    def split(self, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(plain, secret) halves of a loaded settings dict."""
        plain = {k: v for k, v in values.items() if k not in self.secret_fields}
        secret = {k: v for k, v in values.items() if k in self.secret_fields}
        return plain, secret

    def describe(self) -> dict[str, Any]:
        """A JSON description of the fields, for generated forms."""
        fields = []
        for name, fld in self.schema().fields.items():
            fields.append({
                "name": name,
                "type": type(fld).__name__,
                "required": fld.required,
                "secret": name in self.secret_fields,
                "operator": name in self.instance_fields,
                "default": None if name in self.secret_fields else _default(fld),
                "description": self.description.get(name, fld.metadata.get("description", "")),
            })
        return {"fields": fields}


def _default(fld: Any) -> Any:
    value = getattr(fld, "load_default", None)
    if value is None or callable(value) or type(value).__name__ == "_Missing":
        return None
    return value
