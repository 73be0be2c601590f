"""Meta's webhook deliveries split into the domain events Herald records, each with its
de-duplication key. Pure functions over the parsed body (the signature is checked before).

- ``entry[].changes[]`` → ``instagram.<field>`` with data
  ``{object, account_remote_id, entry_id, field, value, time}``; the key is the change itself
  (account, field, value), so a redelivery — even with another ``time`` — is recorded once.
- ``entry[].messaging[]`` → ``instagram.messages`` with the same data shape (``field`` is
  ``"messages"``, ``value`` the messaging item as Meta sent it). ``account_remote_id`` is the
  account the message is for: the recipient of an inbound message, the sender of an echo
  (``is_echo``: a message the account sent, from Herald or the Instagram app). The key is the
  account and the message's ``mid`` (one key per edit for ``message_edit``, a key of its own for a
  deletion), so a replayed delivery is recorded once.

Messaging items without a message (read receipts, reactions, postbacks: not in the contract)
and items missing the ids the inbox needs are skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from herald_network_instagram.payload_values import as_dict, as_id, as_int, as_text

FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,60}$")
MESSAGES = "messages"


@dataclass(frozen=True)
class WebhookEvent:
    type: str
    data: dict[str, Any]
    dedup_key: str


def events(payload: Any) -> list[WebhookEvent]:
    """Every event of one delivery, in the order Meta sent them."""
    out: list[WebhookEvent] = []
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return out
    obj = as_text(payload.get("object"))
    for entry in payload["entry"]:
        if not isinstance(entry, dict):
            continue
        entry_id = as_id(entry.get("id")) or ""
        changes = entry.get("changes")
        for change in changes if isinstance(changes, list) else []:
            event = _change(obj, entry_id, entry.get("time"), change)
            if event is not None:
                out.append(event)
        messaging = entry.get("messaging")
        for item in messaging if isinstance(messaging, list) else []:
            event = _messaging(obj, entry_id, entry.get("time"), item)
            if event is not None:
                out.append(event)
    return out


def _change(obj: str, entry_id: str, sent_at: Any, change: Any) -> WebhookEvent | None:
    if not isinstance(change, dict):
        return None
    field = change.get("field")
    if not isinstance(field, str) or not FIELD_RE.match(field):
        return None
    # the key is the change without the time (a redelivery may carry another) and without
    # entry_id (added later, so that keys of changes recorded before stay the same)
    keyed = {"object": obj, "account_remote_id": entry_id, "field": field, "value": change.get("value")}
    key = json.dumps(keyed, sort_keys=True, separators=(",", ":"))
    return WebhookEvent(f"instagram.{field}", {**keyed, "entry_id": entry_id, "time": sent_at}, key)


def messaging_account(item: dict[str, Any]) -> str | None:
    """The account a messaging item is for: the sender of an echo, else the recipient."""
    message = as_dict(item.get("message"))
    side = "sender" if message.get("is_echo") is True else "recipient"
    return as_id(as_dict(item.get(side)).get("id"))


def message_of(item: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(``"message"`` or ``"message_edit"``, its body) when the item carries one with a ``mid``."""
    for kind in ("message", "message_edit"):
        body = as_dict(item.get(kind))
        if as_id(body.get("mid")):
            return kind, body
    return None


def _messaging(obj: str, entry_id: str, sent_at: Any, item: Any) -> WebhookEvent | None:
    if not isinstance(item, dict):
        return None
    found = message_of(item)
    account = messaging_account(item)
    sender = as_id(as_dict(item.get("sender")).get("id"))
    if found is None or account is None or sender is None:
        return None
    kind, body = found
    key = f"instagram.messages:{account}:{as_id(body.get('mid'))}"
    if kind == "message_edit":
        edit = as_int(body.get("num_edit"))
        key += f":edit:{edit if edit is not None else _digest(as_text(body.get('text')))}"
    elif body.get("is_deleted") is True:
        key += ":deleted"
    data = {"object": obj, "account_remote_id": account, "entry_id": entry_id, "field": MESSAGES,
            "value": item, "time": sent_at}
    return WebhookEvent(f"instagram.{MESSAGES}", data, key)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
