"""From Herald's record to Salesforce sObjects: which Herald value goes into which field.

A field map names, for each Salesforce field, a Herald value (:data:`VALUES`) or a fixed text
written ``=text``. A tenant's map is laid over :data:`DEFAULT_FIELDS`; mapping a field to ``''``
drops it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from herald.plugins import CrmRecord

#: Salesforce's Priority picklist values for Herald's priorities
PRIORITY = {"urgent": "High", "high": "High", "normal": "Medium", "low": "Low"}
#: lengths Salesforce's standard fields take (longer text is cut, not refused)
MAX_LENGTH = {"LastName": 80, "FirstName": 40, "Company": 255, "Subject": 255, "Title": 128,
              "Description": 32000, "LeadSource": 255, "Origin": 255, "Status": 255}
DEFAULT_LENGTH = 255
LONG_TEXT = {"Description"}

DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "Contact": {"LastName": "author_name", "Description": "author_profile"},
    "Case": {"Subject": "subject", "Description": "description", "Origin": "=Social", "Priority": "priority",
             "Status": "=New"},
    "Lead": {"LastName": "author_name", "Company": "company", "LeadSource": "=Social", "Description": "message"},
}


def _author(f: Mapping[str, Any]) -> Mapping[str, Any]:
    return f.get("author") or {}


def _subject(f: Mapping[str, Any]) -> str:
    who = f"@{_author(f)['handle']}" if _author(f).get("handle") else "someone"
    text = " ".join(str(f.get("message") or "").split())
    return f"{f.get('network') or 'social'} {f.get('kind') or 'message'} from {who}" + (f": {text}" if text else "")


def _description(f: Mapping[str, Any]) -> str:
    lines = [f"[{m.get('at', '')}] {m.get('direction', '')}: {m.get('text') or ''}" for m in f.get("messages") or []]
    if f.get("link"):
        lines.append(f"Conversation in Herald: {f['link']}")
    return "\n".join(lines)


def _profile(f: Mapping[str, Any]) -> str | None:
    a = _author(f)
    if not a:
        return None
    bits = [f"@{a.get('handle')} on {f.get('network')}"]
    if a.get("followers") is not None:
        bits.append(f"{a['followers']} followers")
    if a.get("verified"):
        bits.append("verified")
    return ", ".join(bits)


VALUES: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "author_id": lambda f: _author(f).get("id"),
    "author_name": lambda f: _author(f).get("name") or _author(f).get("handle") or None,
    "author_handle": lambda f: _author(f).get("handle"),
    "author_profile": _profile,
    "followers": lambda f: _author(f).get("followers"),
    "network": lambda f: f.get("network"),
    "account": lambda f: f.get("account"),
    "message": lambda f: f.get("message"),
    "subject": _subject,
    "description": _description,
    "priority": lambda f: PRIORITY.get(str(f.get("priority")), "Medium"),
    "link": lambda f: f.get("link"),
    "language": lambda f: f.get("language"),
    "tags": lambda f: ";".join(f.get("tags") or []) or None,
    "conversation_id": lambda f: f.get("conversation_id"),
    "company": lambda f: f"@{_author(f).get('handle')} ({f.get('network')})" if _author(f).get("handle") else None,
}


def field_map(sobject: str, overrides: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(DEFAULT_FIELDS[sobject])
    merged.update(overrides or {})
    return {k: v for k, v in merged.items() if v}


def fill(sobject: str, mapping: Mapping[str, str], record: CrmRecord) -> dict[str, Any]:
    """The sObject's fields for ``record`` (values Herald does not have are left out)."""
    out: dict[str, Any] = {}
    for target, source in mapping.items():
        value = source[1:] if source.startswith("=") else VALUES[source](record.fields)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            value = value[: MAX_LENGTH.get(target, 32000 if target in LONG_TEXT else DEFAULT_LENGTH)]
        out[target] = value
    return out


def author_id(record: CrmRecord) -> str | None:
    value = VALUES["author_id"](record.fields)
    return str(value) if value else None
