"""The page's comments as inbox items, and the page's answers to them (``socialActions``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from herald.plugins import AuthorProfile, Mention, ReplyRequest
from herald_network_linkedin.http import LinkedInHttp, as_dict, json_body

#: ``urn:li:comment:(<the activity commented on>,<the comment's id>)``
COMMENT_URN = re.compile(r"^urn:li:comment:\((urn:li:[A-Za-z]+:[^,()\s]+),([^,()\s]+)\)$")
#: Characters LinkedIn allows in a comment.
MAX_COMMENT_LENGTH = 1250
PAGE_SIZE = 100
MAX_PAGES = 5


def comments_url(api_base: str, urn: str) -> str:
    return f"{api_base}/rest/socialActions/{quote(urn, safe='')}/comments"


def read_comments(http: LinkedInHttp, token: str, api_base: str, urn: str) -> tuple[list[dict[str, Any]], bool]:
    """The comments on ``urn`` (a post or a comment), and whether every page was read."""
    found: list[dict[str, Any]] = []
    for page in range(MAX_PAGES):
        r = http.call("GET", f"{comments_url(api_base, urn)}?start={page * PAGE_SIZE}&count={PAGE_SIZE}", token=token)
        elements = [e for e in as_dict(json_body(r)).get("elements") or [] if isinstance(e, dict)]
        found.extend(elements)
        if len(elements) < PAGE_SIZE:
            return found, True
    return found, False


def millis(value: Any) -> datetime | None:
    """An epoch-milliseconds field as an aware instant (None for anything else)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def comment_urn(element: dict[str, Any]) -> str | None:
    for key in ("commentUrn", "$URN"):
        if isinstance(element.get(key), str) and COMMENT_URN.match(element[key]):
            return element[key]
    obj, cid = element.get("object"), element.get("id")
    if isinstance(obj, str) and isinstance(cid, str | int) and not isinstance(cid, bool):
        urn = f"urn:li:comment:({obj},{cid})"
        return urn if COMMENT_URN.match(urn) else None
    return None


def comment_text(element: dict[str, Any]) -> str:
    text = as_dict(element.get("message")).get("text")
    return text if isinstance(text, str) else ""


def comment_item(element: dict[str, Any], post_urn: str, org_urn: str, web_base: str) -> Mention | None:
    """One comment as an inbox item; None if it lacks what identifies it."""
    urn, actor = comment_urn(element), element.get("actor")
    if urn is None or not isinstance(actor, str) or not actor:
        return None
    parent = element.get("parentComment")
    return Mention(
        remote_id=urn, text=comment_text(element), author_id=actor, author_handle=actor,
        created_at=millis(as_dict(element.get("created")).get("time")),
        in_reply_to=parent if isinstance(parent, str) and COMMENT_URN.match(parent) else post_urn,
        kind="comment", raw=element, author=AuthorProfile(remote_id=actor, handle=actor),
        root_id=post_urn, direction="outbound" if actor == org_urn else "inbound",
        url=f"{web_base}/feed/update/{post_urn}",
    )


def reply_call(request: ReplyRequest, org_urn: str) -> tuple[str, dict[str, Any]]:
    """Which URN a reply is posted under and its body: a comment's own URN (with the activity it
    sits on as ``object``), or the post's."""
    target = request.in_reply_to or request.root_id or ""
    body: dict[str, Any] = {"actor": org_urn, "object": target, "message": {"text": request.text}}
    match = COMMENT_URN.match(target)
    if match:
        body.update(object=match.group(1), parentComment=target)
    return target, body


def created_urn(response: httpx.Response, body: dict[str, Any]) -> str | None:
    """The new comment's URN: from the created entity, else ``x-restli-id`` (a URN or a bare id)."""
    urn = comment_urn(as_dict(json_body(response)))
    header = response.headers.get("x-restli-id", "")
    if urn is None and COMMENT_URN.match(header):
        urn = header
    elif urn is None and header:
        candidate = f"urn:li:comment:({body['object']},{header})"
        urn = candidate if COMMENT_URN.match(candidate) else None
    return urn
