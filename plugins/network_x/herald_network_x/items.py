"""Posts read from X (mentions, search hits, replies) as inbox items, and who wrote them.

Identity of a post in the inbox: ``remote_id`` = the post id, ``thread_id`` = ``root_id`` = its
``conversation_id`` (the id of the post that started the conversation), ``in_reply_to`` = the
post it replies to (``referenced_tweets[type=replied_to]``), ``direction="outbound"`` when the
account wrote it. An edited post (``edit_history_tweet_ids`` longer than one) is an edit of the
first id of its history, so the inbox updates the item it has instead of adding one.
"""

from __future__ import annotations

from typing import Any

from herald.plugins import AuthorProfile, ConnectedAccount, Mention
from herald_network_x.payload import as_dict, as_text, created_of, dict_items, numeric_id

#: Post fields asked for on every read, so items can be threaded, attributed and matched.
TWEET_FIELDS = ("created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics,lang,"
                "edit_history_tweet_ids")
#: User fields of ``includes.users``, for the author's profile.
USER_FIELDS = "username,name,public_metrics,verified"


def users_by_id(includes: Any) -> dict[str, dict[str, Any]]:
    """``includes.users`` by user id."""
    return {uid: u for u in dict_items(as_dict(includes).get("users")) if (uid := numeric_id(u.get("id")))}


def author_profile(user_id: str, users: dict[str, dict[str, Any]]) -> AuthorProfile | None:
    """The author as ``includes.users`` describes them (None without an id)."""
    if not user_id:
        return None
    user = users.get(user_id, {})
    metrics = as_dict(user.get("public_metrics"))
    followers = metrics.get("followers_count")
    verified = user.get("verified")
    return AuthorProfile(remote_id=user_id, handle=as_text(user.get("username")),
                         display_name=as_text(user.get("name")),
                         followers=followers if isinstance(followers, int) and not isinstance(followers, bool)
                         else None,
                         verified=verified if isinstance(verified, bool) else None)


def is_account(account: ConnectedAccount, user_id: str | None, handle: str | None = None) -> bool:
    """Whether the account itself wrote an item (its own messages and replies)."""
    if user_id and user_id == account.remote_id:
        return True
    mine = (account.handle or "").lstrip("@").lower()
    return bool(handle and mine and handle.lstrip("@").lower() == mine)


def references(post: dict[str, Any]) -> dict[str, str] | None:
    """``referenced_tweets`` as type → id (None when X sent none)."""
    refs = post.get("referenced_tweets")
    if not isinstance(refs, list):
        return None
    return {as_text(r.get("type")): str(r.get("id")) for r in dict_items(refs) if numeric_id(r.get("id"))}


def refers(post: dict[str, Any], kind: str, remote_id: str | None) -> bool:
    """Whether ``post`` replies to / quotes ``remote_id`` as asked. A post without
    ``referenced_tweets`` cannot be told apart, so it is not ruled out."""
    refs = references(post)
    if refs is None:
        return True
    return refs.get(kind) == remote_id if remote_id else kind not in refs


def reply_target(post: dict[str, Any]) -> str | None:
    """The post ``post`` replies to, if any."""
    refs = references(post)
    return refs.get("replied_to") if refs else None


def edit_of(post: dict[str, Any], post_id: str) -> str | None:
    """The original of an edited post (the first id of its edit history), None if unedited."""
    raw = post.get("edit_history_tweet_ids")
    history = [h for h in (numeric_id(v) for v in raw) if h] if isinstance(raw, list) else []
    return history[0] if len(history) > 1 and history[0] != post_id else None


def post_item(account: ConnectedAccount, post: dict[str, Any], users: dict[str, dict[str, Any]], kind: str,
              web_base: str) -> Mention | None:
    """A post from a mentions or search page as an inbox item (None: it has no usable id)."""
    post_id = numeric_id(post.get("id"))
    if post_id is None:
        return None
    author_id = numeric_id(post.get("author_id")) or ""
    profile = author_profile(author_id, users)
    handle = profile.handle if profile else ""
    conversation = numeric_id(post.get("conversation_id"))
    language = as_text(post.get("lang")) or None
    return Mention(
        remote_id=post_id, text=as_text(post.get("text")), author_id=author_id, author_handle=handle,
        created_at=created_of(post), in_reply_to=reply_target(post), kind=kind, raw=post, author=profile,
        thread_id=conversation, root_id=conversation,
        direction="outbound" if is_account(account, author_id, handle) else "inbound",
        # "und" is X's "could not tell"
        language=language if language and language != "und" else None,
        url=f"{web_base}/{handle or 'i/web'}/status/{post_id}", edit_of=edit_of(post, post_id))
