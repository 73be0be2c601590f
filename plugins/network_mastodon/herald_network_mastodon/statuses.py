"""Statuses read from Mastodon (mentions, direct messages) as inbox items.

A status's ``content`` is HTML; the inbox gets its text (paragraphs and line breaks kept, markup
dropped). Identity in the inbox: ``remote_id`` = the status id, ``in_reply_to`` =
``in_reply_to_id``, ``thread_id`` = the conversation id for direct messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from herald.plugins import AuthorProfile, ConnectedAccount, Mention

#: Clock skew allowed between Herald and the instance when comparing creation times.
SKEW = timedelta(minutes=2)
MEDIA_KINDS = {"image": "image", "gifv": "video", "video": "video", "audio": "file", "unknown": "file"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(content: object) -> str:
    parser = _Text()
    parser.feed(content if isinstance(content, str) else "")
    parser.close()
    return "".join(parser.parts).strip()


def text(value: object) -> str:
    return value if isinstance(value, str) else ""


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def flat(value: str) -> str:
    """Text with every run of whitespace as one space (HTML rendering changes spacing)."""
    return " ".join(value.split())


def dicts(value: object) -> list[dict[str, Any]]:
    """The objects of a JSON array (anything else in an answer is ignored)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def created(status: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(text(status.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        return None


def author(account: object) -> AuthorProfile | None:
    if not isinstance(account, dict) or not account.get("id"):
        return None
    followers = account.get("followers_count")
    return AuthorProfile(remote_id=str(account["id"]), handle=text(account.get("acct")),
                         display_name=text(account.get("display_name")),
                         followers=followers if isinstance(followers, int) and not isinstance(followers, bool)
                         else None)


def status_item(account: ConnectedAccount, status: object, kind: str, thread_id: str | None = None) -> Mention | None:
    """A status as an inbox item (None: it has no id). A content warning stays in front of the
    text, as people see it on Mastodon."""
    if not isinstance(status, dict) or not status.get("id"):
        return None
    profile = author(status.get("account"))
    body = html_text(status.get("content"))
    warning = text(status.get("spoiler_text"))
    media = [{"kind": MEDIA_KINDS.get(text(m.get("type")), "file"), "url": m.get("url")}
             for m in dicts(status.get("media_attachments")) if m.get("url")]
    reply_to = status.get("in_reply_to_id")
    return Mention(
        remote_id=str(status["id"]), text=f"CW: {warning}\n\n{body}" if warning else body,
        author_id=profile.remote_id if profile else "", author_handle=profile.handle if profile else "",
        created_at=created(status), in_reply_to=str(reply_to) if reply_to else None, kind=kind, raw=status,
        author=profile, thread_id=thread_id,
        direction="outbound" if profile and profile.remote_id == account.remote_id else "inbound",
        language=text(status.get("language")) or None, url=text(status.get("url")) or None, media=media)


def newest(ids: list[str]) -> str | None:
    """The newest of Mastodon's ids (numeric strings of growing length sort by length first)."""
    return max(ids, key=lambda i: (len(i), i)) if ids else None
