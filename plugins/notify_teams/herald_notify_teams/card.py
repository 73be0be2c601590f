"""A notification as an Adaptive Card in the message envelope Teams' Workflows and connectors
take: a heading (what happened, in the channel's language), what Herald says, and a button to
the page where it is decided or seen. The whole message stays under Teams' 28 KB."""

from __future__ import annotations

import json
import re
from typing import Any

from herald.plugins import Notification
from herald_notify_teams.i18n import button, heading

#: Teams refuses messages over 28 KB; the envelope and card take some of it
MAX_BYTES = 28 * 1024 - 512
URL_MAX = 2000
_MARKDOWN = re.compile(r"([\\`*_\[\]])")


def escape(text: str) -> str:
    """A TextBlock reads a subset of Markdown: text a person wrote must never turn into a link
    or a heading of its own."""
    return _MARKDOWN.sub(r"\\\1", text)


def _card(head: str, title: str, body: str, notification: Notification, language: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": escape(head), "size": "Large", "weight": "Bolder", "wrap": True}]
    if title:
        blocks.append({"type": "TextBlock", "text": escape(title), "weight": "Bolder", "wrap": True})
    if body:
        blocks.append({"type": "TextBlock", "text": escape(body), "wrap": True})
    content: dict[str, Any] = {"type": "AdaptiveCard", "version": "1.2",
                               "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "body": blocks}
    if notification.page_url and len(notification.page_url) <= URL_MAX:
        content["actions"] = [{"type": "Action.OpenUrl", "title": button(notification.kind, language),
                               "url": notification.page_url}]
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}]}


def size(message: dict[str, Any]) -> int:
    return len(encoded(message))


def teams_message(notification: Notification, language: str) -> dict[str, Any]:
    """The webhook body for one channel, the body text shortened until it fits."""
    head = heading(notification.kind, language)
    title = " ".join(notification.title.split())[:500]
    body = notification.body
    message = _card(head, title, body, notification, language)
    while size(message) > MAX_BYTES and body:
        encoded = body.encode()
        keep = min(len(encoded) - (size(message) - MAX_BYTES) - 3, len(encoded) * 9 // 10)
        body = encoded[:max(0, keep)].decode("utf-8", "ignore")  # never half a character
        message = _card(head, title, body + "…" if body else "", notification, language)
    return message


def encoded(message: dict[str, Any]) -> bytes:
    """The bytes sent: UTF-8 as measured (JSON's ``\\u`` escapes would triple some scripts)."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
