"""A fake Instagram Graph API on a real HTTP server (127.0.0.1, ephemeral port), following the
contract: ``access_token`` as a query/form parameter, Meta's error envelope, usage headers,
containers with a status life cycle, ``media_publish``, the publishing quota, comments with
cursor paging, tags, insights, the long-lived token endpoints, and Instagram Messaging:
conversations (newest first, ``user_id`` filter), messages readable in detail only among a
conversation's 20 most recent, sending with the 24-hour window (10/2534022), private replies to
comments (one per comment: 10/2534025; unknown recipient: 100/2534014) and the 1,000-byte limit.
Behaviours are switched by setting attributes on :class:`FakeGraph`."""

from __future__ import annotations

import calendar
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request
from werkzeug.serving import make_server

APP_ID = "app-123"
APP_SECRET = "app-secret-xyz"
USER_ID = "17841400000000001"
VERSION = "v25.0"
VERSION_RE = re.compile(r"^v\d+\.\d+/")
READABLE_MESSAGES = 20
WINDOW_S = 24 * 3600


def ts(epoch: float) -> str:
    """Meta's timestamp format."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


def epoch(stamp: str) -> float:
    return float(calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S+0000")))


@dataclass
class Conversation:
    id: str
    participants: list[dict[str, str]]
    #: newest first, each ``{"id", "created_time", "from", "to", "message"[, "attachments"]}``
    messages: list[dict[str, Any]] = field(default_factory=list)
    #: Meta's ``updated_time`` (None: the newest message's time)
    updated_time: str | int | None = None

    def updated(self) -> float:
        if isinstance(self.updated_time, int):
            return float(self.updated_time)
        return epoch(self.updated_time or (self.messages[0]["created_time"] if self.messages
                                           else "1970-01-01T00:00:00+0000"))


@dataclass
class Container:
    id: str
    params: dict[str, str]
    statuses: list[str]
    polls: int = 0
    media_id: str | None = None

    @property
    def status(self) -> str:
        if self.media_id:
            return "PUBLISHED"
        return self.statuses[min(self.polls, len(self.statuses) - 1)]


@dataclass
class FakeGraph:
    """The switchable state of the fake."""

    tokens: set[str] = field(default_factory=lambda: {"long-lived-1"})
    short_tokens: set[str] = field(default_factory=lambda: {"short-1"})
    revoked_tokens: set[str] = field(default_factory=set)
    codes: dict[str, str] = field(default_factory=lambda: {"code-1": "short-1"})
    containers: dict[str, Container] = field(default_factory=dict)
    media: list[dict[str, Any]] = field(default_factory=list)  # newest first
    #: status sequences handed to new containers in order; then ``default_statuses``.
    status_plan: list[list[str]] = field(default_factory=list)
    default_statuses: list[str] = field(default_factory=lambda: ["IN_PROGRESS", "FINISHED"])
    not_ready_publishes: int = 0  # media_publish answers 9007/2207027 this many times first
    #: what media_publish does: "ok", "500_after", "500_before", "slow_after", "slow_before"
    publish_mode: str = "ok"
    slow_s: float = 1.6
    quota_usage: int = 0
    quota_total: int = 50
    #: errors to answer instead of the next matching call: (method, path regex, status, error, headers)
    queued_errors: list[tuple[str, str, int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    app_usage: dict[str, int] = field(default_factory=lambda: {"call_count": 5, "total_cputime": 2, "total_time": 3})
    buc_usage: dict[str, int] | None = None
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tags: list[dict[str, Any]] = field(default_factory=list)
    insights: dict[str, dict[str, int]] = field(default_factory=dict)
    replies: list[tuple[str, str]] = field(default_factory=list)
    mentioned_media: dict[str, dict[str, Any]] = field(default_factory=dict)
    mentioned_comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    mention_replies: list[dict[str, str]] = field(default_factory=list)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    #: every ``POST /messages`` accepted: ``{"recipient", "message", "message_id"}``
    sent_messages: list[dict[str, Any]] = field(default_factory=list)
    private_replied: set[str] = field(default_factory=set)
    #: messages and comment replies: "ok", "500_after" (sent, then a 5xx), "slow_after" (sent,
    #: answered too late; messages only), "no_id" (messages only)
    send_mode: str = "ok"
    #: send ``updated_time`` as a Unix timestamp (the contract shows both forms)
    unix_updated_time: bool = False
    #: the fake's clock (None: the real one)
    clock: float | None = None
    page_size: int = 2
    send_cursors: bool = True  # False: paging carries only ``next`` (cursors are optional)
    calls: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    #: hashtag search: name → id, media per hashtag id (newest first), unique tags searched per user
    hashtags: dict[str, str] = field(default_factory=dict)
    hashtag_media: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    searched_hashtags: dict[str, set[str]] = field(default_factory=dict)
    hashtag_budget: int = 30
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(17900000000000001))

    def new_id(self) -> str:
        return str(next(self.ids))

    def now(self) -> float:
        return self.clock if self.clock is not None else time.time()

    def add_conversation(self, conversation_id: str, person: dict[str, str],
                         messages: list[tuple[str, str, float]], **extra: Any) -> Conversation:
        """A conversation of the account with ``person``; ``messages`` as (``"in"`` or ``"out"``,
        text, epoch seconds), in any order (kept newest first)."""
        conv = Conversation(conversation_id, [person, {"username": "acme.brand", "id": USER_ID}], **extra)
        for direction, text, at in messages:
            self.add_message(conv, direction, text, at)
        self.conversations[conversation_id] = conv
        return conv

    def add_message(self, conv: Conversation, direction: str, text: str, at: float, *,
                    message_id: str | None = None, attachments: dict[str, Any] | None = None) -> dict[str, Any]:
        person, us = conv.participants[0], {"username": "acme.brand", "id": USER_ID}
        sender, recipient = (person, us) if direction == "in" else (us, person)
        msg: dict[str, Any] = {"id": message_id or f"aWdfmid{self.new_id()}", "created_time": ts(at),
                               "from": sender, "to": {"data": [recipient]}, "message": text}
        if attachments is not None:
            msg["attachments"] = attachments
        conv.messages.append(msg)
        conv.messages.sort(key=lambda m: m["created_time"], reverse=True)
        return msg

    def calls_to(self, method: str, pattern: str) -> list[dict[str, str]]:
        return [p for m, path, p in self.calls if m == method and re.fullmatch(pattern, path)]

    def fail_next(self, method: str, pattern: str, code: int, message: str = "Refused", *, subcode: int | None = None,
                  status: int = 400, type_: str = "OAuthException", headers: dict[str, str] | None = None,
                  is_transient: bool = False) -> None:
        error: dict[str, Any] = {"message": message, "type": type_, "code": code, "fbtrace_id": "AbCdEf",
                                 "is_transient": is_transient}
        if subcode is not None:
            error["error_subcode"] = subcode
        self.queued_errors.append((method, pattern, status, error, headers or {}))


def _error(status: int, code: int, message: str, subcode: int | None = None,
           type_: str = "OAuthException") -> tuple[int, dict[str, Any]]:
    err: dict[str, Any] = {"message": message, "type": type_, "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        err["error_subcode"] = subcode
    return status, {"error": err}


def build_app(state: FakeGraph) -> Flask:
    app = Flask("fake_graph")

    @app.route("/<path:path>", methods=["GET", "POST", "DELETE"])
    def dispatch(path: str) -> Response:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        body = request.get_json(silent=True)
        if isinstance(body, dict):  # the messaging endpoints take JSON as well as a form
            params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        path = VERSION_RE.sub("", path)
        state.calls.append((request.method, path, params))
        for i, (method, pattern, status, error, headers) in enumerate(state.queued_errors):
            if method == request.method and re.fullmatch(pattern, path):
                del state.queued_errors[i]
                return _respond(state, status, {"error": error}, headers)
        status, body = _route(state, request.method, path, params)
        return _respond(state, status, body, {})

    return app


def _respond(state: FakeGraph, status: int, body: dict[str, Any], headers: dict[str, str]) -> Response:
    resp = Response(json.dumps(body), status=status, mimetype="application/json")
    resp.headers["X-App-Usage"] = json.dumps(state.app_usage)
    if state.buc_usage is not None:
        resp.headers["X-Business-Use-Case-Usage"] = json.dumps({USER_ID: [{"type": "instagram", **state.buc_usage}]})
    for k, v in headers.items():
        resp.headers[k] = v
    return resp


def _route(state: FakeGraph, method: str, path: str, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    # ------------------------------------------------------------- tokens (no user token needed)
    if method == "GET" and path == "oauth/access_token":
        if p.get("client_id") != APP_ID or p.get("client_secret") != APP_SECRET:
            return _error(400, 101, "Error validating client secret.")
        if p.get("grant_type") == "fb_exchange_token":
            token = p.get("fb_exchange_token", "")
            if token in state.revoked_tokens or token not in state.short_tokens | state.tokens:
                return _error(400, 190, "Error validating access token: The session has been invalidated.", 460)
            new = f"long-lived-{len(state.tokens) + 1}"
            state.tokens.add(new)
            return 200, {"access_token": new, "token_type": "bearer", "expires_in": 5183944}
        if "code" in p:
            short = state.codes.pop(p["code"], None)
            if short is None:
                return _error(400, 100, "Invalid verification code format.")
            return 200, {"access_token": short, "token_type": "bearer", "expires_in": 3600}
        return _error(400, 100, "Unsupported grant_type.")
    if method == "GET" and path in ("access_token", "refresh_access_token"):
        token = p.get("access_token", "")
        grant = "ig_exchange_token" if path == "access_token" else "ig_refresh_token"
        if p.get("grant_type") != grant or (path == "access_token" and p.get("client_secret") != APP_SECRET):
            return _error(400, 100, "Invalid parameter.")
        if token in state.revoked_tokens or token not in state.short_tokens | state.tokens:
            return _error(400, 190, "Invalid OAuth access token - Cannot parse access token.")
        new = f"long-lived-{len(state.tokens) + 1}"
        state.tokens.add(new)
        return 200, {"access_token": new, "token_type": "bearer", "expires_in": 5183944}

    if method == "POST" and path == "oauth/access_token":  # Instagram Login's code exchange
        if p.get("client_id") != APP_ID or p.get("client_secret") != APP_SECRET \
                or p.get("grant_type") != "authorization_code":
            return _error(400, 101, "Error validating client secret.")
        short = state.codes.pop(p.get("code", ""), None)
        if short is None:
            return 400, {"error_type": "OAuthException", "code": 400, "error_message": "Invalid authorization code"}
        return 200, {"access_token": short, "user_id": USER_ID, "permissions": "instagram_business_basic"}

    # ------------------------------------------------------------- everything else needs a token
    token = p.get("access_token")
    if not token:
        return _error(400, 104, "An access token is required to request this resource.")
    if token not in state.tokens:
        return _error(400, 190, "Error validating access token: Session has expired.", 463)
    parts = path.split("/")
    if path == "ig_hashtag_search" and method == "GET":
        return _hashtag_search(state, p)
    if len(parts) == 2 and parts[1] == "recent_media" and method == "GET":
        if not p.get("user_id"):
            return _error(400, 100, "The parameter user_id is required.")
        if parts[0] not in state.hashtag_media:
            return _error(400, 100, f"Object with ID '{parts[0]}' does not exist.", 33)
        return _paged(state, state.hashtag_media[parts[0]], p)
    if parts[0] == "me" and len(parts) == 2 and parts[1] in ("conversations", "messages"):
        return _user_edge(state, method, parts[1], p)
    if parts[0] == "me":
        if len(parts) == 1:
            return 200, {"user_id": USER_ID, "username": "acme.brand", "name": "Acme", "id": USER_ID}
        return 200, {"data": [{"id": "page-1"}, {"id": "page-2", "instagram_business_account": {
            "id": USER_ID, "username": "acme.brand", "name": "Acme"}}]}
    if parts[0] == USER_ID and len(parts) == 2:
        return _user_edge(state, method, parts[1], p)
    if len(parts) == 1 and method == "GET":
        return _node(state, parts[0], p)
    if len(parts) == 2 and parts[1] == "comments" and method == "GET":
        return _paged(state, state.comments.get(parts[0], []), p)
    if len(parts) == 2 and parts[1] == "replies" and method == "POST":
        if not p.get("message"):
            return _error(400, 100, "The parameter message is required.")
        state.replies.append((parts[0], p["message"]))
        reply = {"id": state.new_id(), "text": p["message"], "timestamp": ts(state.now()), "username": "acme.brand",
                 "from": {"id": USER_ID, "username": "acme.brand"}, "parent_id": parts[0]}
        for comments in state.comments.values():
            if any(c.get("id") == parts[0] for c in comments):
                comments.append(reply)
        if state.send_mode == "500_after":
            return 500, {"error": {"message": "An unexpected error has occurred.", "type": "OAuthException",
                                   "code": 2, "is_transient": True}}
        return 200, {"id": reply["id"]}
    if len(parts) == 2 and parts[1] == "insights" and method == "GET":
        if parts[0] not in state.insights:
            return _error(400, 100, "Media posted before business account conversion.", 2108006)
        wanted = p.get("metric", "").split(",")
        return 200, {"data": [{"name": m, "period": "lifetime", "values": [{"value": v}],
                               "id": f"{parts[0]}/insights/{m}"}
                              for m, v in state.insights[parts[0]].items() if m in wanted]}
    return _error(400, 100, f"Unsupported {method} request. Object with ID '{parts[0]}' does not exist.", 33)


def _hashtag_search(state: FakeGraph, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    user, tag = p.get("user_id", ""), p.get("q", "").lower()
    if not user or not tag:
        return _error(400, 100, "The parameters user_id and q are required.")
    used = state.searched_hashtags.setdefault(user, set())
    if tag not in used and len(used) >= state.hashtag_budget:
        return _error(400, 18, "(#18) This API call would exceed the rate limit of 30 unique hashtags in 7 days.")
    used.add(tag)
    if tag not in state.hashtags:
        return 200, {"data": []}
    return 200, {"data": [{"id": state.hashtags[tag]}]}


def _user_edge(state: FakeGraph, method: str, edge: str, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if edge == "media" and method == "POST":
        return _create_container(state, p)
    if edge == "media" and method == "GET":
        return _paged(state, state.media, p)
    if edge == "media_publish" and method == "POST":
        return _publish(state, p)
    if edge == "content_publishing_limit" and method == "GET":
        return 200, {"data": [{"quota_usage": state.quota_usage,
                               "config": {"quota_total": state.quota_total, "quota_duration": 86400}}]}
    if edge == "mentions" and method == "POST":
        if not p.get("media_id") or not p.get("message"):
            return _error(400, 100, "The parameters media_id and message are required.")
        state.mention_replies.append({k: v for k, v in p.items() if k != "access_token"})
        return 200, {"id": state.new_id()}
    if edge == "tags" and method == "GET":
        return _paged(state, state.tags, p)
    if edge == "conversations" and method == "GET":
        return _conversations(state, p)
    if edge == "messages" and method == "POST":
        return _send(state, p)
    return _error(400, 100, f"Unknown edge {edge}.")


def _create_container(state: FakeGraph, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    params = {k: v for k, v in p.items() if k != "access_token"}
    kind = params.get("media_type")
    if kind == "CAROUSEL":
        children = [c for c in params.get("children", "").split(",") if c]
        if not 2 <= len(children) <= 10:
            return _error(400, 100, "The carousel needs 2 to 10 children.")
        for c in children:
            child = state.containers.get(c)
            if child is None or child.params.get("is_carousel_item") != "true":
                return _error(400, 100, f"Child {c} is not a carousel item.")
    elif kind in ("REELS", "VIDEO"):
        if not params.get("video_url"):
            return _error(400, 100, "The parameter video_url is required.")
    elif kind == "STORIES":
        if not (params.get("image_url") or params.get("video_url")):
            return _error(400, 100, "The parameter image_url or video_url is required.")
    elif not params.get("image_url"):
        return _error(400, 100, "The parameter image_url is required.")
    statuses = state.status_plan.pop(0) if state.status_plan else list(state.default_statuses)
    container = Container(state.new_id(), params, statuses)
    state.containers[container.id] = container
    return 200, {"id": container.id}


MENTION_FIELD_RE = re.compile(r"^mentioned_(media)\.media_id\((\d+)\)\{[a-z_,]+\}$|"
                              r"^mentioned_(comment)\.comment_id\((\d+)\)\{[a-z_,]+\}$")


def _node(state: FakeGraph, node_id: str, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if node_id == USER_ID:
        m = MENTION_FIELD_RE.match(p.get("fields", ""))
        if not m:
            return 200, {"id": USER_ID, "username": "acme.brand"}
        if m.group(1):
            found = state.mentioned_media.get(m.group(2))
            key = "mentioned_media"
        else:
            found = state.mentioned_comments.get(m.group(4))
            key = "mentioned_comment"
        if found is None:
            return _error(400, 100, "The mention does not exist or the account was not mentioned.", 33)
        return 200, {key: found, "id": USER_ID}
    container = state.containers.get(node_id)
    if container is not None:
        status = container.status
        container.polls += 1
        body = {"status_code": status, "id": node_id}
        if status == "ERROR":
            body["status"] = "Error: The media could not be fetched from the URL (2207052)."
        return 200, body
    for m in state.media:
        if m["id"] == node_id:
            return 200, {"id": node_id, "permalink": m["permalink"]}
    conv = state.conversations.get(node_id)
    if conv is not None:
        body: dict[str, Any] = {"id": node_id}
        wanted = p.get("fields", "").split(",")
        if "messages" in wanted:
            body["messages"] = {"data": [{"id": m["id"], "created_time": m["created_time"]} for m in conv.messages]}
        if "participants" in wanted:
            body["participants"] = {"data": conv.participants}
        return 200, body
    for conv in state.conversations.values():
        for i, m in enumerate(conv.messages):
            if m["id"] == node_id:
                if i >= READABLE_MESSAGES:
                    return _error(400, 100, "(#100) Only the 20 most recent messages of a conversation can be "
                                  "read.", 2534001)
                wanted = re.sub(r"\{[^}]*\}", "", p.get("fields", "")).split(",")
                return 200, {k: v for k, v in m.items() if k in wanted or k == "id"}
    return _error(400, 100, f"Object with ID '{node_id}' does not exist.", 33)


def _conversations(state: FakeGraph, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if p.get("platform") != "instagram":
        return _error(400, 100, "(#100) The parameter platform is required.")
    convs = sorted(state.conversations.values(), key=lambda c: c.updated(), reverse=True)
    if p.get("user_id"):
        convs = [c for c in convs if any(x["id"] == p["user_id"] for x in c.participants)]
    rows = [{"id": c.id, "updated_time": int(c.updated()) if state.unix_updated_time else ts(c.updated())}
            for c in convs]
    return _paged(state, rows, p)


def _send(state: FakeGraph, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    try:
        recipient, message = json.loads(p.get("recipient", "")), json.loads(p.get("message", ""))
    except ValueError:
        return _error(400, 100, "(#100) recipient and message must be JSON objects.")
    if not isinstance(recipient, dict) or not isinstance(message, dict):
        return _error(400, 100, "(#100) recipient and message must be JSON objects.")
    text = message.get("text")
    if text is not None and len(str(text).encode("utf-8")) > 1000:
        return _error(400, 100, "(#100) Length of param message[text] must be less than or equal to 1000")
    if "comment_id" in recipient:
        comment = next((c for cs in state.comments.values() for c in cs if c.get("id") == recipient["comment_id"]),
                       None)
        if comment is None:
            return _error(400, 100, "(#100) No matching user found", 2534014)
        if comment["id"] in state.private_replied:
            return _error(400, 10, "(#10) A private reply has already been sent to this comment.", 2534025)
        person = {"username": comment.get("username", ""), "id": comment["from"]["id"]}
        conv = next((c for c in state.conversations.values() if c.participants[0]["id"] == person["id"]), None)
        if conv is None:
            conv = state.add_conversation(f"aWdfconv{state.new_id()}", person, [])
        state.private_replied.add(comment["id"])
    else:
        conv = next((c for c in state.conversations.values() if c.participants[0]["id"] == recipient.get("id")),
                    None)
        if conv is None:
            return _error(400, 100, "(#100) No matching user found", 2534014)
        inbound = [m for m in conv.messages if m["from"]["id"] != USER_ID]
        last = epoch(inbound[0]["created_time"]) if inbound else None
        if last is None or state.now() - last > WINDOW_S:
            return _error(400, 10, "(#10) This message is sent outside of allowed window.", 2534022)
    sent = state.add_message(conv, "out", str(text or ""), state.now(),
                             attachments={"data": [{"image_data": {"url": message["attachment"]["payload"]["url"]}}]}
                             if "attachment" in message else None)
    state.sent_messages.append({"recipient": recipient, "message": message, "message_id": sent["id"]})
    if state.send_mode == "500_after":
        return 500, {"error": {"message": "An unexpected error has occurred.", "type": "OAuthException", "code": 2,
                               "is_transient": True}}
    if state.send_mode == "slow_after":
        time.sleep(state.slow_s)
    if state.send_mode == "no_id":
        return 200, {"recipient_id": conv.participants[0]["id"]}
    return 200, {"recipient_id": conv.participants[0]["id"], "message_id": sent["id"]}


def _publish(state: FakeGraph, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    container = state.containers.get(p.get("creation_id", ""))
    if container is None:
        return _error(400, 100, "Invalid creation_id.")
    if state.quota_usage >= state.quota_total:
        return _error(400, 9, "Application request limit reached", 2207042)
    if container.status == "EXPIRED":
        return _error(400, -2, "The media container has expired.", 2207020)
    if state.not_ready_publishes > 0 or container.status != "FINISHED":
        state.not_ready_publishes = max(state.not_ready_publishes - 1, 0)
        return _error(400, 9007, "The media is not ready for publishing, please wait for a moment", 2207027)
    if state.publish_mode == "500_before":
        return 500, {"error": {"message": "An unknown error has occurred.", "type": "OAuthException", "code": 1,
                               "is_transient": True}}
    if state.publish_mode == "slow_before":
        time.sleep(state.slow_s)
        return 500, {"error": {"message": "late", "code": 1}}
    media_id = state.new_id()
    container.media_id = media_id
    state.quota_usage += 1
    state.media.insert(0, {"id": media_id, "caption": container.params.get("caption", ""),
                           "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
                           "permalink": f"https://www.instagram.com/p/{media_id}/"})
    if state.publish_mode == "500_after":
        return 500, {"error": {"message": "An unexpected error has occurred. Please retry your request later.",
                               "type": "OAuthException", "code": 2, "is_transient": True}}
    if state.publish_mode == "slow_after":
        time.sleep(state.slow_s)
    return 200, {"id": media_id}


def _paged(state: FakeGraph, items: list[dict[str, Any]], p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    size = int(p.get("limit") or state.page_size)
    start = int(p["after"].removeprefix("c")) if p.get("after") else 0
    page = items[start:start + size]
    body: dict[str, Any] = {"data": page}
    if items:
        body["paging"] = {"cursors": {"before": f"c{start}", "after": f"c{start + len(page)}"}} \
            if state.send_cursors else {}
        if start + size < len(items):
            body["paging"]["next"] = (f"{request.host_url.rstrip('/')}{request.path}"
                                      f"?access_token={p.get('access_token', '')}&after=c{start + size}")
    return 200, body


@contextmanager
def serve(state: FakeGraph) -> Iterator[str]:
    """Run the fake on 127.0.0.1 (ephemeral port) for a block; yields its base URL."""
    server = make_server("127.0.0.1", 0, build_app(state), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
