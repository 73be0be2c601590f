"""Where a notification leads: always a path on this site, never an address elsewhere.

Senders store what the notification is about in ``data`` (``post_id``, ``conversation_id``,
``account_id``) and sometimes a ``link``; plugins may send anything. The console page of the
object named in ``data`` wins; else a stored link is kept only if it is a console path on this
site (no scheme, no host, no ``//`` or backslash, no ``javascript:``). Anything else: no link."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

CONSOLE = "/console"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _id(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and _ID.match(value) else None


def _same_site_console_path(link: str | None) -> str | None:
    if not link or len(link) > 2000 or not link.startswith(CONSOLE + "/"):
        return None
    if any(c in link for c in "\\\r\n\t") or link.startswith("//"):
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    return link


def target(link: str | None, data: dict[str, Any] | None) -> str | None:
    """The same-site relative path a notification leads to, or None."""
    data = data if isinstance(data, dict) else {}
    if post_id := _id(data, "post_id"):
        return f"{CONSOLE}/posts/{quote(post_id)}"
    if conversation_id := _id(data, "conversation_id"):
        return f"{CONSOLE}/inbox?c={quote(conversation_id)}"
    if _id(data, "account_id"):
        return f"{CONSOLE}/admin/accounts"
    return _same_site_console_path(link)
