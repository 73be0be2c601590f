"""Comments and mentions as inbox items, built the same way whether a poll or a webhook saw them.

The inbox stores an item once per (account, ``remote_id``), so both paths must agree on the
identity of an item:

- a comment (on the account's media): ``remote_id`` = the comment id, ``kind="comment"``,
  ``thread_id`` = ``root_id`` = the media id, ``in_reply_to`` = the parent comment for a reply,
  else the media id;
- a mention: ``remote_id`` = the comment id when the account was @mentioned in a comment, else
  the media id (a caption mention or a tag), ``kind="mention"``, ``thread_id`` = ``root_id`` =
  the media id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald.plugins import AuthorProfile, ConnectedAccount, Mention
from herald_network_instagram.payload_values import as_dict, as_id, as_text, parse_time


def is_account(account: ConnectedAccount, author_id: str | None, handle: str | None) -> bool:
    """Whether the account itself wrote an item (its own replies under its posts, its own
    messages): such items are stored as outbound and never routed to a person."""
    if author_id and author_id == account.remote_id:
        return True
    mine = (account.handle or "").lstrip("@").lower()
    return bool(handle and mine and handle.lstrip("@").lower() == mine)


def comment_item(account: ConnectedAccount, comment: dict[str, Any], media_id: str | None, *,
                 kind: str = "comment", created_at: datetime | None = None, url: str | None = None) -> Mention | None:
    """A comment from ``/{media-id}/comments`` or a ``comments`` webhook value (None: it has no
    id). ``created_at`` is used when the comment carries no timestamp (webhook values do not)."""
    remote_id = as_id(comment.get("id"))
    if remote_id is None:
        return None
    sender = as_dict(comment.get("from"))
    author_id = as_id(sender.get("id")) or ""
    handle = as_text(comment.get("username")) or as_text(sender.get("username"))
    parent = as_id(comment.get("parent_id"))
    return Mention(
        remote_id=remote_id, text=as_text(comment.get("text")), author_id=author_id, author_handle=handle,
        created_at=parse_time(comment.get("timestamp")) or created_at,
        in_reply_to=parent or media_id, kind=kind, raw=comment,
        author=AuthorProfile(remote_id=author_id, handle=handle) if author_id else None,
        thread_id=media_id, root_id=media_id,
        direction="outbound" if is_account(account, author_id, handle) else "inbound", url=url)


def tagged_media_item(media: dict[str, Any]) -> Mention | None:
    """Media the account is tagged in (``/{ig-user-id}/tags``). Meta names the owner only by
    username, so there is no author profile (a profile needs an id)."""
    media_id = as_id(media.get("id"))
    if media_id is None:
        return None
    link = as_text(media.get("permalink")) or None
    return Mention(remote_id=media_id, text=as_text(media.get("caption")), author_id="",
                   author_handle=as_text(media.get("username")), created_at=parse_time(media.get("timestamp")),
                   kind="mention", raw=media, thread_id=media_id, root_id=media_id, url=link)
