"""Reading X direct messages: ``GET /2/dm_events`` (every conversation of the account) and one
conversation's events (``GET /2/dm_conversations/:id/dm_events``, or ``…/with/:participant_id/…``).

Identity of a direct message in the inbox: ``remote_id`` = the DM event id, ``kind="dm"``,
``thread_id`` = ``dm_conversation_id`` (one-to-one ``"<smaller id>-<larger id>"``, a group a
number), ``direction="outbound"`` for events whose ``sender_id`` is the account itself (X lists
both directions). A message sent from Herald comes back under the id ``send_reply`` returned.

The cursor is the newest event id read. X's DM lists take no ``since_id``: they come newest
first, page by page (``pagination_token`` = the previous page's ``meta.next_token``), so a poll
reads back until it meets an event at or below the cursor. Event ids grow with time, so "newer
than the cursor" is "a larger id". A poll reads at most ``dm_max_pages`` pages (the reads are
few: 15 per 15 minutes in X's current documentation); when it stops before reaching the cursor,
older new messages were not read and the oldest message read carries
``raw["x_older_unread"] = True``. X keeps 30 days of events.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from herald.plugins import (
    ConnectedAccount,
    Mention,
    MentionPage,
    NotSupported,
    PermanentError,
    TransientError,
)
from herald_network_x.grants import DM_READ_SCOPES, access_token, missing_scope_error, missing_scopes, require_scopes
from herald_network_x.http import XHttp, json_body
from herald_network_x.items import USER_FIELDS, author_profile, is_account, users_by_id
from herald_network_x.payload import (
    as_dict,
    as_text,
    conversation_id,
    created_of,
    dict_items,
    numeric_id,
)
from herald_network_x.ratelimit import RateLimitStatus
from herald_network_x.read_budget import read_budget

if TYPE_CHECKING:
    from herald_network_x.connector import XConnector

DM_EVENT_FIELDS = ("id,text,event_type,dm_conversation_id,created_at,sender_id,participant_ids,referenced_tweets,"
                   "attachments")
DM_EXPANSIONS = "sender_id,referenced_tweets.id,attachments.media_keys"
MEDIA_FIELDS = "media_key,type,url,preview_image_url"
MESSAGE_CREATE = "MessageCreate"
PAGE_SIZE = 100
GAP_FLAG = "x_older_unread"
MEDIA_KINDS = {"photo": "image", "video": "video", "animated_gif": "video"}


def dm_params() -> dict[str, Any]:
    """The query of every DM read: message events only, with what an inbox item needs."""
    return {"dm_event.fields": DM_EVENT_FIELDS, "event_types": MESSAGE_CREATE, "expansions": DM_EXPANSIONS,
            "user.fields": USER_FIELDS, "media.fields": MEDIA_FIELDS, "max_results": PAGE_SIZE}


def fetch_direct_messages(conn: XConnector, account: ConnectedAccount, since: str | None) -> MentionPage:
    """Direct messages of every conversation newer than the cursor ``since`` (an event id; a
    cursor that is not one counts as none), oldest first, with the budget X's headers leave."""
    if not conn.dms_enabled():
        raise NotSupported("X: direct messages are turned off in this tenant's X settings.")
    token = access_token(account)
    require_scopes(account, DM_READ_SCOPES, "reading direct messages")
    floor = int(since) if since and numeric_id(since) else None
    seen: list[RateLimitStatus] = []
    found: dict[str, Mention] = {}
    newest: int | None = None
    reached = False
    calls = 0
    params = dm_params()
    url = f"{conn._url('api_base_url')}/2/dm_events"
    with conn._http(seen.append) as http:
        for _ in range(int(conn._cfg("dm_max_pages"))):
            calls += 1
            body = read_page(http, url, token, params, account)
            includes = as_dict(body.get("includes"))
            for event in dict_items(body.get("data")):
                event_id = numeric_id(event.get("id"))
                if event_id is None:
                    continue
                newest = max(newest or 0, int(event_id))
                if floor is not None and int(event_id) <= floor:
                    reached = True
                    continue
                item = event_item(account, event, includes, conn._url("web_base_url"))
                if item is not None:
                    found[item.remote_id] = item
            next_token = as_text(as_dict(body.get("meta")).get("next_token"))
            if reached or not next_token:
                reached = True
                break
            params["pagination_token"] = next_token
    items = sorted(found.values(), key=lambda m: int(m.remote_id))
    if floor is not None and not reached and items:
        # the pages ran out before the cursor: messages between it and these were not read
        items[0] = replace(items[0], raw={**items[0].raw, GAP_FLAG: True})
    cursor = str(newest) if newest is not None and (floor is None or newest > floor) else None
    return MentionPage(items=items, cursor=cursor,
                       budget=read_budget(seen, now=conn.now(), calls=calls,
                                          assumed_limit=int(conn._cfg("dm_read_limit"))))


def conversation_url(conn: XConnector, thread_id: str | None, participant_id: str | None) -> str:
    """Where one conversation's events are read: by conversation id, else by participant."""
    base = f"{conn._url('api_base_url')}/2/dm_conversations"
    if thread_id:
        return f"{base}/{quote(thread_id, safe='')}/dm_events"
    return f"{base}/with/{quote(str(participant_id), safe='')}/dm_events"


def read_page(http: XHttp, url: str, token: str, params: dict[str, Any], account: ConnectedAccount) -> dict[str, Any]:
    """One page of DM events. X's refusal to show them (403) names what is missing: the scope
    (reconnect) or X's tier. An answer that is not a JSON object is a :class:`TransientError`."""
    try:
        response = http.call("GET", url, token=token, params=params)
    except PermanentError as exc:
        if exc.status != 403:
            raise
        lacking = missing_scopes(account, DM_READ_SCOPES)
        if lacking:
            raise missing_scope_error("reading direct messages", lacking) from exc
        raise PermanentError(f"X refused to show this account's direct messages: {exc.message} (X gives direct "
                             "messages to Pro and Enterprise apps, with the dm.read scope).", code="dm_forbidden",
                             status=403) from exc
    return json_object(response, "the direct-message read")


def json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The answer's body, which must be a JSON object."""
    body = json_body(response)
    if not isinstance(body, dict):
        raise TransientError(f"X's answer to {what} was not a JSON object.", code="bad_response",
                             status=response.status_code)
    return body


def event_item(account: ConnectedAccount, event: dict[str, Any], includes: dict[str, Any],
               web_base: str) -> Mention | None:
    """A ``MessageCreate`` event as an inbox item (None: another kind of event, or no id)."""
    event_id = numeric_id(event.get("id"))
    kind = event.get("event_type")
    if event_id is None or (kind is not None and kind != MESSAGE_CREATE):
        return None
    sender = numeric_id(event.get("sender_id")) or ""
    users = users_by_id(includes)
    profile = author_profile(sender, users)
    handle = profile.handle if profile else ""
    outbound = is_account(account, sender, handle)
    if outbound and not handle:
        handle = account.handle
    return Mention(
        remote_id=event_id, text=as_text(event.get("text")), author_id=sender, author_handle=handle,
        created_at=created_of(event), kind="dm", raw=event, author=profile,
        thread_id=event_thread(account, event), direction="outbound" if outbound else "inbound",
        media=event_media(event, includes, web_base))


def event_thread(account: ConnectedAccount, event: dict[str, Any]) -> str | None:
    """The event's conversation: X's ``dm_conversation_id``, else the one-to-one id of its two
    participants when X names exactly two."""
    given = conversation_id(event.get("dm_conversation_id"))
    if given:
        return given
    raw = event.get("participant_ids")
    people = {p for p in (numeric_id(v) for v in raw) if p} if isinstance(raw, list) else set()
    return one_to_one_id(*people) if len(people) == 2 else None


def one_to_one_id(first: str, second: str) -> str:
    """X's id of the conversation between two users: the smaller id, a dash, the larger."""
    low, high = sorted((first, second), key=int)
    return f"{low}-{high}"


def event_media(event: dict[str, Any], includes: dict[str, Any], web_base: str) -> list[dict[str, Any]]:
    """Attachments (``includes.media`` by media key) and the posts a message links to; only
    web links are kept."""
    media = {as_text(m.get("media_key")): m for m in dict_items(includes.get("media"))}
    out: list[dict[str, Any]] = []
    keys = as_dict(event.get("attachments")).get("media_keys")
    for key in keys if isinstance(keys, list) else []:
        item = media.get(key) if isinstance(key, str) else None
        url = (as_text(item.get("url")) or as_text(item.get("preview_image_url"))) if item else ""
        if item and url.startswith(("https://", "http://")):
            out.append({"kind": MEDIA_KINDS.get(as_text(item.get("type")), "file"), "url": url})
    for ref in dict_items(event.get("referenced_tweets")):
        post_id = numeric_id(ref.get("id"))
        if post_id:
            out.append({"kind": "post", "url": f"{web_base}/i/web/status/{post_id}"})
    return out
