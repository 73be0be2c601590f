"""Form input for the administration pages: checked by the very schema the API loads the same
request with, and service calls run with one commit or none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from herald.api.context import db
from herald.console.blueprint import refused
from herald.errors import HeraldError, ValidationFailed


def validated(schema: type[Schema], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` loaded by ``schema``; ValidationFailed naming every wrong field otherwise."""
    try:
        return schema().load(data)
    except ValidationError as exc:
        raise ValidationFailed(_("The form has mistakes."), exc.normalized_messages()) from exc


def run(fn: Callable[[], Any], ok: str) -> Any:
    """Call a service; commit and say ``ok``, or roll back and say why not. Returns what the
    service returned, or None when it refused."""
    try:
        result = fn()
        db().commit()
    except HeraldError as exc:
        db().rollback()
        refused(exc)
        return None
    flash(ok, "ok")
    return result


def problems(exc: HeraldError) -> dict[str, list[str]]:
    """A refusal's messages per field, for showing next to the form's own controls."""
    out: dict[str, list[str]] = {}
    for name, messages in (getattr(exc, "errors", None) or {}).items():
        out[str(name)] = _flat(messages)
    return out


def _flat(messages: Any) -> list[str]:
    """Marshmallow nests a list item's messages under its index: ``{0: ["..."]}``."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flat(value)]
    return [str(messages)]
