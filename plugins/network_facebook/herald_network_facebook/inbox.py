"""Page comments and Messenger conversations as inbox items, and the answers Herald sends.

An item has one identity however it arrives (the inbox stores it once per account and
``remote_id``): a comment is ``kind="comment"``, ``remote_id`` = the comment id, ``thread_id`` =
``root_id`` = the post id, ``in_reply_to`` = the parent comment, else the post; a message is
``kind="dm"``, ``remote_id`` = its ``m_…`` id (the webhook's ``mid``), ``thread_id`` = the
conversation id. The Page's own comments and messages are ``direction="outbound"``.

Answers: ``kind="comment"``/``"mention"`` → ``POST /{comment-or-post-id}/comments``; ``kind="dm"``
→ ``POST /{page-id}/messages`` to ``recipient_id`` (the PSID, else read off ``thread_id``), or a
private reply to the comment ``in_reply_to`` when ``private``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from herald.plugins import (
    AuthorProfile,
    ConnectedAccount,
    Mention,
    MentionPage,
    PermanentError,
    Problem,
    ReplyRequest,
    ReplyResult,
    TransientError,
    UncertainOutcome,
)
from herald_network_facebook.values import as_dict, as_id, as_text, data_list, parse_time, path_id

if TYPE_CHECKING:
    from herald_network_facebook.connector import FacebookConnector

COMMENT_FIELDS = "id,message,created_time,from,parent{id},permalink_url"
MESSAGE_FIELDS = "id,created_time,from,to,message"
COMMENT_VERBS = ("add", "edited", "remove")


def comment_item(page_id: str, comment: dict[str, Any], post_id: str | None, *, verb: str = "add") -> Mention | None:
    """A comment from ``/{post-id}/comments`` or a ``feed`` webhook change (None: no id)."""
    remote_id = as_id(comment.get("id"))
    if remote_id is None:
        return None
    sender = as_dict(comment.get("from"))
    author_id, name = as_id(sender.get("id")) or "", as_text(sender.get("name"))
    parent = as_id(as_dict(comment.get("parent")).get("id"))
    return Mention(
        remote_id=remote_id, text=as_text(comment.get("message")), author_id=author_id, author_handle=name,
        created_at=parse_time(comment.get("created_time")), in_reply_to=parent or post_id, kind="comment",
        raw=comment, author=AuthorProfile(author_id, name, name) if author_id else None, thread_id=post_id,
        root_id=post_id, direction="outbound" if author_id == page_id else "inbound",
        url=as_text(comment.get("permalink_url")) or None, edit_of=remote_id if verb == "edited" else None,
        deleted=verb == "remove")


def message_item(page_id: str, message: dict[str, Any], thread_id: str, names: dict[str, str]) -> Mention | None:
    """A message from ``/{conversation-id}/messages`` (None: no id)."""
    remote_id = as_text(message.get("id")).strip()
    if not remote_id or len(remote_id) > 500:
        return None
    sender_id = as_id(as_dict(message.get("from")).get("id")) or ""
    name = as_text(as_dict(message.get("from")).get("name")) or names.get(sender_id, "")
    return Mention(remote_id=remote_id, text=as_text(message.get("message")), author_id=sender_id,
                   author_handle=name, created_at=parse_time(message.get("created_time")), kind="dm", raw=message,
                   author=AuthorProfile(sender_id, name, name) if sender_id else None, thread_id=thread_id,
                   direction="outbound" if sender_id == page_id else "inbound")


def _names(conversation: dict[str, Any]) -> dict[str, str]:
    return {as_id(p.get("id")) or "": as_text(p.get("name")) for p in data_list(conversation.get("participants"))}


def _before(item: Mention, cursor: datetime | None) -> bool:
    """Read on an earlier poll. Filtered rather than cut off at the first old item, so that an
    answer in another order than asked loses nothing."""
    return cursor is not None and item.created_at is not None and item.created_at < cursor


def _page(conn: FacebookConnector, items: list[Mention]) -> MentionPage:
    """Oldest first; the cursor is the newest item's time. Items at the cursor's own second are
    read again next time (the inbox keeps one of each), so none made in that second is lost."""
    items.sort(key=lambda m: m.created_at or datetime.min.replace(tzinfo=UTC))
    stamps = [m.created_at for m in items if m.created_at is not None]
    return MentionPage(items=items, cursor=max(stamps).isoformat() if stamps else None, budget=conn.budget())


def fetch_comments(conn: FacebookConnector, account: ConnectedAccount, since: str | None) -> MentionPage:
    """Comments (and replies to them) on the Page's recent posts, newer than the cursor."""
    page, token = path_id(account.remote_id, "The Page id"), conn.page_token(account)
    after = parse_time(since) if since else None
    items: list[Mention] = []
    limit = int(conn.conf["recent_posts_limit"])
    for post in conn.paged(f"{page}/posts", token, {"fields": "id,permalink_url", "limit": limit}, max_pages=1):
        post_id = as_id(post.get("id"))
        params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "reverse_chronological", "limit": 100}
        for comment in conn.paged(f"{post_id}/comments", token, params) if post_id else []:
            item = comment_item(page, comment, post_id)
            if item is not None and not _before(item, after):
                items.append(item)
    return _page(conn, items)


def fetch_messages(conn: FacebookConnector, account: ConnectedAccount, since: str | None) -> MentionPage:
    """Messages of the conversations active since the cursor (first poll: the most recent ones)."""
    page, token = path_id(account.remote_id, "The Page id"), conn.page_token(account)
    after = parse_time(since) if since else None
    first_limit = int(conn.conf["recent_conversations_limit"])
    items: list[Mention] = []
    params = {"platform": "messenger", "fields": "id,updated_time,participants"}
    for n, conversation in enumerate(conn.paged(f"{page}/conversations", token, params)):
        updated, thread_id = parse_time(conversation.get("updated_time")), as_id(conversation.get("id"))
        if (after is None and n >= first_limit) or (after and updated and updated < after):
            break  # most recently active first
        names = _names(conversation)
        for message in conn.paged(f"{thread_id}/messages", token, {"fields": MESSAGE_FIELDS}, 1) if thread_id else []:
            item = message_item(page, message, str(thread_id), names)
            if item is not None and not _before(item, after):
                items.append(item)
    return _page(conn, items)


# ----------------------------------------------------------------------------- webhook events
def webhook_account(event_type: str, data: Any) -> str | None:
    if event_type not in ("facebook.feed", "facebook.messages") or not isinstance(data, dict):
        return None
    return as_id(data.get("account_remote_id"))


def items_from_webhook(conn: FacebookConnector, account: ConnectedAccount, event_type: str, data: Any) -> list[Mention]:
    """The comment a ``feed`` change names, or the message a ``messaging`` item carries (its
    conversation looked up by the person's PSID, which is all the delivery names)."""
    if webhook_account(event_type, data) != account.remote_id:
        return []
    value = as_dict(data.get("value"))
    if event_type == "facebook.feed":
        if value.get("item") != "comment" or value.get("verb") not in COMMENT_VERBS:
            return []
        comment = {"id": value.get("comment_id"), "message": value.get("message"), "from": value.get("from"),
                   "created_time": value.get("created_time") or data.get("time"),
                   "parent": {"id": value.get("parent_id")}}
        item = comment_item(account.remote_id, comment, as_id(value.get("post_id")), verb=str(value["verb"]))
        return [item] if item is not None else []
    message = as_dict(value.get("message"))
    echo = message.get("is_echo") is True
    person = as_id(as_dict(value.get("recipient" if echo else "sender")).get("id"))
    if not as_text(message.get("mid")) or person is None:
        return []
    token = conn.page_token(account)
    params = {"platform": "messenger", "user_id": person, "fields": "id,participants"}
    for conversation in conn.paged(f"{path_id(account.remote_id, 'The Page id')}/conversations", token, params, 1):
        if as_id(conversation.get("id")):
            names = _names(conversation)
            sender = account.remote_id if echo else person
            detail = {"id": message["mid"], "message": message.get("text"), "created_time": value.get("timestamp"),
                      "from": {"id": sender}}
            item = message_item(account.remote_id, detail, conversation["id"], names)
            return [item] if item is not None else []
    raise TransientError("Facebook does not list this message's conversation yet.", retry_after=60.0,
                         code="conversation_not_listed")


# ----------------------------------------------------------------------------- answering
def reply_problems(request: ReplyRequest, problems: list[Problem]) -> list[Problem]:
    """What each kind of answer needs, over the generic checks."""
    if request.kind not in ("comment", "mention", "dm"):
        return [Problem("kind", "unsupported", f"Facebook does not send answers of kind {request.kind!r}.")]
    if request.media:
        problems.append(Problem("media", "unsupported", "Herald answers on Facebook with text only."))
    if request.kind == "dm" and request.private and as_id(request.in_reply_to) is None:
        problems.append(Problem("in_reply_to", "missing", "A private reply names the comment it answers."))
    elif request.kind == "dm" and not request.private and not (as_id(request.recipient_id) or as_id(request.thread_id)):
        problems.append(Problem("recipient_id", "missing", "A message needs the person's id or the conversation."))
    elif request.kind != "dm" and as_id(request.in_reply_to or request.root_id) is None:
        problems.append(Problem("in_reply_to", "missing", "A reply names the comment or post it answers."))
    return problems


def send_reply(conn: FacebookConnector, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
    problems = reply_problems(request, [])
    if problems:
        raise PermanentError(problems[0].message, code=problems[0].code)
    page, token = path_id(account.remote_id, "The Page id"), conn.page_token(account)
    if request.kind != "dm":
        target = path_id(request.in_reply_to or request.root_id, "The comment id")
        body = conn.call("POST", f"{target}/comments", token, {"message": request.text}, uncertain=True)
        remote_id, thread_id = as_id(body.get("id")), None
    else:
        recipient = ({"comment_id": request.in_reply_to} if request.private
                     else {"id": as_id(request.recipient_id) or _person(conn, page, token, str(request.thread_id))})
        body = conn.call("POST", f"{page}/messages", token, {"recipient": recipient, "messaging_type": "RESPONSE",
                                                           "message": {"text": request.text}}, uncertain=True)
        remote_id, thread_id = as_text(body.get("message_id")) or None, request.thread_id
    if not remote_id:
        raise UncertainOutcome("Facebook answered without the id of what it sent.", code="no_reply_id")
    return ReplyResult(remote_id=remote_id, thread_id=thread_id)


def find_reply(conn: FacebookConnector, account: ConnectedAccount, request: ReplyRequest,
               not_before: datetime) -> ReplyResult | None:
    """After an uncertain send: the Page's own comment or message with exactly this text, made at
    or after ``not_before`` (a private reply leaves no trace Herald can read)."""
    page, token = path_id(account.remote_id, "The Page id"), conn.page_token(account)
    if request.kind == "dm" and request.private:
        raise UncertainOutcome("Facebook cannot tell whether a private reply went out.", code="private_unknown")
    if request.kind == "dm":
        thread = as_id(request.thread_id) or next((as_id(c.get("id")) for c in conn.paged(
            f"{page}/conversations", token, {"platform": "messenger", "user_id": request.recipient_id,
                                             "fields": "id"}, 1)), None)
        path, params = f"{thread}/messages", {"fields": MESSAGE_FIELDS}
        found = [message_item(page, m, str(thread), {}) for m in conn.paged(path, token, params, 1)] if thread else []
    else:
        target = path_id(request.in_reply_to or request.root_id, "The comment id")
        params = {"fields": COMMENT_FIELDS, "order": "reverse_chronological", "limit": 100}
        found = [comment_item(page, c, None) for c in conn.paged(f"{target}/comments", token, params, 1)]
    for item in found:
        if item and item.direction == "outbound" and item.text == request.text and not _before(item, not_before):
            return ReplyResult(remote_id=item.remote_id, thread_id=item.thread_id if request.kind == "dm" else None)
    return None


def _person(conn: FacebookConnector, page: str, token: str, thread_id: str) -> str:
    body = conn.call("GET", path_id(thread_id, "The conversation id"), token, {"fields": "participants"})
    for person in data_list(body.get("participants")):
        if as_id(person.get("id")) not in (None, page):
            return str(person["id"])
    raise PermanentError("Facebook names nobody else in this conversation.", code="no_recipient")
