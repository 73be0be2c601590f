"""Herald's listening queries on Instagram: hashtag search only.

Instagram finds public media by hashtag (``ig_hashtag_search`` to turn a tag into its id, then
``/{hashtag-id}/recent_media``, the last 24 hours). A query runs here when every post it can
match must carry one of a set of hashtags (its *hashtag cover*: ``#a OR #b``, ``#a coffee``,
``(#a OR #b) -decaf``); Herald then searches those hashtags and filters everything else of the
query itself (words, phrases, @handles, negations), and says so on the query. ``from:`` cannot
match (hashtag media carry no owner) and ``lang:`` only once a language is known.

Every hashtag is one of the account's 30 unique hashtags per rolling 7 days: the compiled query
lists them in ``budget_terms`` and Herald counts them before the run. Hashtag ids are static and
global, so they are kept in the cursor and looked up once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from herald.plugins import (
    CompiledQuery,
    ConnectedAccount,
    Mention,
    QueryNode,
    QueryNot,
    QueryOr,
    QueryTerm,
    RateLimited,
    SearchPage,
)
from herald_network_instagram.graph import GraphError
from herald_network_instagram.payload_values import as_id, as_text, parse_time, path_id
from herald_network_instagram.read_budget import budget_from_usage

if TYPE_CHECKING:
    from herald_network_instagram.connector import InstagramConnector

MEDIA_FIELDS = "id,caption,media_type,permalink,timestamp,like_count,comments_count"
#: Meta's answer when the account's 30 unique hashtags are used up
BUDGET_CODE = 18
#: hashtags per query (each is a slot of the account's 30)
MAX_HASHTAGS = 10
MAX_PAGES = 3


def hashtag_cover(node: QueryNode) -> set[str] | None:
    """Hashtags one of which every matching post carries (None: no such set)."""
    if isinstance(node, QueryTerm):
        return {node.value.lower()} if node.kind == "hashtag" else None
    if isinstance(node, QueryNot):
        return None
    covers = [hashtag_cover(c) for c in node.children]
    if isinstance(node, QueryOr):
        if any(c is None for c in covers):
            return None
        return set().union(*covers)  # type: ignore[arg-type]
    found = [c for c in covers if c is not None]
    return min(found, key=lambda c: (len(c), sorted(c))) if found else None


def _only_hashtags(node: QueryNode) -> bool:
    if isinstance(node, QueryTerm):
        return node.kind == "hashtag"
    return isinstance(node, QueryOr) and all(_only_hashtags(c) for c in node.children)


def _others(node: QueryNode) -> list[str]:
    if isinstance(node, QueryTerm):
        return [] if node.kind == "hashtag" else [str(node)]
    if isinstance(node, QueryNot):
        return [str(node)]
    return [part for c in node.children for part in _others(c)]


def compile_query(query: QueryNode) -> CompiledQuery:
    cover = hashtag_cover(query)
    if not cover:
        return CompiledQuery(None, unsupported_parts=tuple(dict.fromkeys(_others(query))), notes=(
            "Instagram searches by hashtag only: give the query a #hashtag that every post it finds must carry "
            "(e.g. #brand, or #brand OR #brandname).",))
    tags = sorted(cover)
    if len(tags) > MAX_HASHTAGS:
        return CompiledQuery(None, unsupported_parts=("hashtags",), notes=(
            f"The query searches {len(tags)} hashtags on Instagram; at most {MAX_HASHTAGS} per query (each is one "
            "of the account's 30 hashtags per 7 days).",))
    others = list(dict.fromkeys(_others(query)))
    notes = [f"Instagram is searched for {', '.join('#' + t for t in tags)} (recent media, last 24 hours); each "
             "hashtag is one of the account's 30 per 7 days."]
    if others:
        notes.append(f"Herald filters the rest itself: {', '.join(others)}.")
    if any(p.startswith("from:") for p in others):
        notes.append("Instagram does not say who posted hashtag media, so from: never matches there.")
    if any(p.startswith("lang:") for p in others):
        notes.append("Instagram gives no language: lang: matches only hits whose language is known.")
    return CompiledQuery(",".join(tags), local_filter_needed=not _only_hashtags(query),
                         unsupported_parts=tuple(others), notes=tuple(notes), budget_terms=tuple(tags))


def _load(cursor: str | None) -> dict[str, Any]:
    try:
        data = json.loads(cursor) if cursor else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return {"ids": dict(data.get("ids") or {}), "since": dict(data.get("since") or {})}


def search_recent(conn: InstagramConnector, account: ConnectedAccount, compiled: CompiledQuery,
                  cursor: str | None) -> SearchPage:
    """Recent media of each hashtag newer than what the last run saw (per hashtag)."""
    token = conn._token(account)
    state = _load(cursor)
    conn.graph.forget_thread_usage()
    items: list[Mention] = []
    for tag in (compiled.network_query or "").split(","):
        if not tag:
            continue
        hashtag_id = path_id(state["ids"].get(tag)) or _lookup(conn, account, token, tag)
        if hashtag_id is None:
            continue
        state["ids"][tag] = hashtag_id
        since = parse_time(state["since"].get(tag))
        newest = since
        params = {"user_id": account.remote_id, "fields": MEDIA_FIELDS, "limit": 50}
        for media in conn._paged(f"{hashtag_id}/recent_media", token, params, max_pages=MAX_PAGES):
            item = _item(media)
            if item is None or item.created_at is None or (since is not None and item.created_at <= since):
                continue
            items.append(item)
            newest = item.created_at if newest is None or item.created_at > newest else newest
        if newest is not None:
            state["since"][tag] = newest.isoformat()
    return SearchPage(items=items, cursor=json.dumps(state, sort_keys=True),
                      budget=budget_from_usage(conn.graph.thread_usage(), conn.now()))


def _lookup(conn: InstagramConnector, account: ConnectedAccount, token: str, tag: str) -> str | None:
    try:
        body = conn.graph.get("ig_hashtag_search", token, {"user_id": account.remote_id, "q": tag})
    except GraphError as err:
        if err.code == BUDGET_CODE:
            raise RateLimited(f"Instagram's limit of 30 hashtags per 7 days is reached for this account: "
                              f"{err.message}", reset_at=conn.now() + timedelta(days=1), code="hashtag_budget",
                              status=err.status) from err
        raise conn._fail(err) from err
    found = body.get("data") if isinstance(body.get("data"), list) else []
    first = found[0] if found and isinstance(found[0], dict) else {}
    return path_id(first.get("id"))


def _item(media: dict[str, Any]) -> Mention | None:
    media_id = as_id(media.get("id"))
    if media_id is None:
        return None
    return Mention(remote_id=media_id, text=as_text(media.get("caption")), author_id="", author_handle="",
                   created_at=parse_time(media.get("timestamp")), kind="search", raw=media,
                   thread_id=media_id, root_id=media_id, url=as_text(media.get("permalink")) or None)
