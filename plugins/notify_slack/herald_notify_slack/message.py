"""A notification as a Slack Block Kit message: a header (what happened, in the channel's
language), a section (what Herald says), and a button to the page where it is decided or seen."""

from __future__ import annotations

from typing import Any

from herald.plugins import Notification
from herald_notify_slack.i18n import DECISIONS, button, heading

#: Block Kit's limits: header text, section text, fallback text, button URL
HEADER_MAX, SECTION_MAX, TEXT_MAX, URL_MAX = 150, 3000, 4000, 3000


def escape(text: str) -> str:
    """Slack reads ``&``, ``<`` and ``>`` in mrkdwn as markup (``<!channel>``, ``<url|label>``):
    text a person wrote must never ping a channel or disguise a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_message(notification: Notification, language: str) -> dict[str, Any]:
    """The webhook body for one channel."""
    head = heading(notification.kind, language)
    title = " ".join(notification.title.split())
    details = f"*{escape(title)}*" if title else ""
    if notification.body:
        details = f"{details}\n{escape(notification.body)}" if details else escape(notification.body)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(head, HEADER_MAX), "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut(details or escape(head), SECTION_MAX)}},
    ]
    if notification.page_url and len(notification.page_url) <= URL_MAX:
        action: dict[str, Any] = {"type": "button", "action_id": "herald_open",
                                  "text": {"type": "plain_text", "text": button(notification.kind, language)},
                                  "url": notification.page_url}
        if notification.kind in DECISIONS:
            action["style"] = "primary"
        blocks.append({"type": "actions", "elements": [action]})
    fallback = f"{head}: {title}" if title else head
    return {"text": _cut(escape(fallback), TEXT_MAX), "blocks": blocks}
