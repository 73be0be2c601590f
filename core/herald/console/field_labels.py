"""Refusals' field errors in words a person reads: each field a service or schema names is
shown by its translated label, never by its raw name (``local_time``, ``targets[0]``). A field
without a known label shows its message alone."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

#: a field's translated label, by the name services and schemas give it (its first segment)
FIELD_LABELS: dict[str, Any] = {
    "local_time": _l("Day and time"),
    "at": _l("Day and time"),
    "time_zone": _l("Time zone"),
    "fold": _l("Day and time"),
    "slot": _l("Posting slot"),
    "account_ids": _l("Accounts"),
    "targets": _l("Accounts"),
    "target_languages": _l("Language per account"),
    "variants": _l("Variants"),
    "handle": _l("Handle"),
    "network": _l("Network"),
    "org_unit_id": _l("Unit"),
    "parent_id": _l("Unit"),
    "display_name": _l("Display name"),
    "audience_languages": _l("Audience languages"),
    "labels": _l("Labels"),
    "name": _l("Name"),
    "email": _l("Email"),
    "title": _l("Title"),
    "body": _l("Text"),
    "comment": _l("Comment"),
}


def field_label(field: str) -> str | None:
    """The label of ``field`` (``targets[2]`` and ``variants[0].text`` by their first segment)."""
    head = re.split(r"[.\[]", str(field), maxsplit=1)[0]
    label = FIELD_LABELS.get(head)
    return str(label) if label is not None else None


def messages_of(value: Any) -> list[str]:
    """Marshmallow nests a list item's messages under its index: ``{0: ["..."]}``."""
    if isinstance(value, dict):
        return [m for v in value.values() for m in messages_of(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in messages_of(v)]
    return [str(value)]


def field_messages(errors: dict[str, Any] | None) -> list[str]:
    """Each field error as one line: ``"<label>: <message>"``, or the message alone."""
    out = []
    for field, value in (errors or {}).items():
        label = None if field == "_schema" else field_label(field)
        for message in messages_of(value):
            out.append(f"{label}: {message}" if label else message)
    return out
