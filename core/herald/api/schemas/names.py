"""The one field every name is read with, in the API and the console alike.

A name (of a unit, a tenant, a team, a role, a workflow, a saved view, a person's display name…)
is shown in menus, lists and the calendar to everybody, so it is kept short and printable:
surrounding whitespace is stripped (nothing inside is collapsed), a name that is empty after
that is refused, so are control characters (line breaks, tabs, other C0/C1 codes and the
Unicode line and paragraph separators) anywhere in it, and each kind of name has a maximum
length. The limits are at most the database columns' 200 characters, so what passes here is
stored as it was given. Joiners such as U+200C stay allowed: Persian and Hindi names need them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import gettext
from marshmallow import ValidationError, fields

#: the longest name of each kind, in characters (code points). The database columns hold 200.
NAME_LIMITS: dict[str, int] = {
    "name": 200,          # anything without a kind of its own
    "tenant": 120,
    "unit": 120,
    "team": 80,
    "role": 80,
    "workflow": 120,
    "step": 120,
    "workflow_rule": 120,
    "person": 120,        # a person's display name
    "account": 120,       # a social account's display name
    "saved_view": 80,
    "saved_reply": 120,
    "sla_policy": 80,
    "routing_rule": 120,
    "token": 100,
    "asset": 200,
    "campaign": 120,
}
#: C0/C1 controls and the Unicode line and paragraph separators
REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def clean_name(value: str, kind: str = "name", *, allow_empty: bool = False) -> str:
    """``value`` with surrounding whitespace stripped, or :class:`ValidationError` saying why
    it cannot be a name of ``kind``."""
    limit = NAME_LIMITS[kind]
    text = value.strip()
    if not text:
        if allow_empty:
            return ""
        raise ValidationError(gettext("Enter a name: it may not be empty or only spaces."))
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in text):
        raise ValidationError(gettext("A name may not contain control characters such as line breaks or tabs."))
    if len(text) > limit:
        raise ValidationError(gettext("A name may have at most %(max)d characters; this one has %(count)d.",
                                      max=limit, count=len(text)))
    return text


class Name(fields.String):
    """A name of ``kind`` (a key of :data:`NAME_LIMITS`); ``allow_empty`` for optional names
    that may be cleared (a social account's display name)."""

    def __init__(self, *, kind: str = "name", allow_empty: bool = False, **kwargs: Any) -> None:
        if kind not in NAME_LIMITS:
            raise ValueError(f"unknown kind of name {kind!r}")
        self.kind, self.allow_empty = kind, allow_empty
        metadata = {"minLength": 0 if allow_empty else 1, "maxLength": NAME_LIMITS[kind],
                    **(kwargs.pop("metadata", None) or {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return clean_name(text, self.kind, allow_empty=self.allow_empty)
