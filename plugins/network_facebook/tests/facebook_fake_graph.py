"""A fake Facebook Graph API on a real HTTP server (127.0.0.1, ephemeral port) following
docs/contracts/facebook.md: versioned paths, ``access_token`` as a query or form parameter,
user tokens for ``/me/accounts`` and the Page's own token for Page calls, Meta's error envelope,
the usage headers, Page posts (text, link, photo, multi-photo through unpublished photos),
delete, comments with cursor paging, Messenger conversations and the 24-hour window, insights
and the token endpoints. Behaviours are switched by setting attributes on :class:`FakeGraph`."""

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

#: the app secret of each tenant in the webhook tests
SECRETS = {"alpha": "alpha-app-secret", "beta": "beta-app-secret"}
APP_ID, APP_SECRET = "app-123", "app-secret-xyz"
PAGE_ID, PAGE_NAME = "104000000000001", "Acme Brand"
USER_TOKEN, PAGE_TOKEN = "user-long-1", "page-token-1"
VERSION_RE = re.compile(r"^(v\d+\.\d+)/(.*)$")
WINDOW_S = 24 * 3600


def ts(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


@dataclass
class FakeGraph:
    """The switchable state of the fake."""

    user_tokens: set[str] = field(default_factory=lambda: {USER_TOKEN})
    #: what ``/me/accounts`` lists for the user token: Page id → (name, Page token)
    pages: dict[str, tuple[str, str]] = field(default_factory=lambda: {PAGE_ID: (PAGE_NAME, PAGE_TOKEN)})
    codes: dict[str, str] = field(default_factory=lambda: {"code-1": "user-short-1"})
    posts: list[dict[str, Any]] = field(default_factory=list)  # newest first
    photos: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # post id → oldest first
    #: conversation id → {"person": {"id", "name"}, "messages": [...] newest first}
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    insights: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: answers instead of the next matching call: (method, path regex, status, body, headers)
    queued: list[tuple[str, str, int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    #: "ok", "500_after" (the create happens, then a 500), "slow_after" (it happens, the answer is late)
    create_mode: str = "ok"
    slow_s: float = 1.5
    app_usage: dict[str, int] = field(default_factory=lambda: {"call_count": 5, "total_cputime": 2, "total_time": 3})
    page_usage: dict[str, int] | None = None
    buc_usage: dict[str, int] | None = None
    page_size: int = 2
    calls: list[tuple[str, str, str, dict[str, str]]] = field(default_factory=list)  # method, version, path, params
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(900000000000001))

    def new_id(self) -> str:
        return str(next(self.ids))

    def calls_to(self, method: str, pattern: str) -> list[dict[str, str]]:
        return [p for m, _, path, p in self.calls if m == method and re.fullmatch(pattern, path)]

    def fail_next(self, method: str, pattern: str, code: int, message: str = "Refused", *,
                  subcode: int | None = None, status: int = 400, headers: dict[str, str] | None = None) -> None:
        error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
        if subcode is not None:
            error["error_subcode"] = subcode
        self.queued.append((method, pattern, status, {"error": error}, headers or {}))

    def add_post(self, message: str, at: float | None = None) -> str:
        post_id = f"{PAGE_ID}_{self.new_id()}"
        self.posts.insert(0, {"id": post_id, "message": message, "created_time": ts(at or time.time()),
                              "permalink_url": f"https://www.facebook.com/{post_id}"})
        return post_id

    def add_comment(self, post_id: str, text: str, author: dict[str, str], at: float, parent: str | None = None) -> str:
        comment_id = f"{post_id.split('_')[1]}_{self.new_id()}"
        item: dict[str, Any] = {"id": comment_id, "message": text, "created_time": ts(at), "from": author}
        if parent:
            item["parent"] = {"id": parent}
        self.comments.setdefault(post_id, []).append(item)
        return comment_id

    def add_message(self, conversation_id: str, person: dict[str, str], inbound: bool, text: str, at: float) -> str:
        conv = self.conversations.setdefault(conversation_id, {"person": person, "messages": []})
        us = {"id": PAGE_ID, "name": PAGE_NAME}
        sender, to = (person, us) if inbound else (us, person)
        mid = f"m_{self.new_id()}"
        conv["messages"].insert(0, {"id": mid, "created_time": ts(at), "from": sender, "to": {"data": [to]},
                                    "message": text})
        return mid


def error(code: int, message: str, subcode: int | None = None, status: int = 400) -> tuple[int, dict[str, Any]]:
    err: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        err["error_subcode"] = subcode
    return status, {"error": err}


def _paged(items: list[dict[str, Any]], params: dict[str, str], size: int) -> dict[str, Any]:
    start = int(params.get("after") or 0)
    limit = min(int(params.get("limit") or size), size)
    page = items[start:start + limit]
    body: dict[str, Any] = {"data": page, "paging": {"cursors": {"before": str(start), "after": str(start + limit)}}}
    if start + limit < len(items):
        body["paging"]["next"] = f"https://graph.facebook.com/next?after={start + limit}"
    return body


def build_app(state: FakeGraph) -> Flask:
    app = Flask("fake_facebook_graph")

    @app.route("/<path:path>", methods=["GET", "POST", "DELETE"])
    def dispatch(path: str) -> Response:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        match = VERSION_RE.match(path)
        if match is None:
            return _respond(state, *error(2500, "Unknown path components: a version is required"))
        version, path = match.groups()
        state.calls.append((request.method, version, path, params))
        for i, (method, pattern, status, body, headers) in enumerate(state.queued):
            if method == request.method and re.fullmatch(pattern, path):
                del state.queued[i]
                return _respond(state, status, body, headers)
        status, body = _route(state, request.method, path, params)
        return _respond(state, status, body, {}, page=params.get("access_token") == PAGE_TOKEN)

    return app


def _respond(state: FakeGraph, status: int, body: dict[str, Any], headers: dict[str, str], page: bool = False
             ) -> Response:
    resp = Response(json.dumps(body), status=status, mimetype="application/json")
    resp.headers["X-App-Usage"] = json.dumps(state.app_usage)
    if page and state.page_usage is not None:
        resp.headers["X-Page-Usage"] = json.dumps(state.page_usage)
    if state.buc_usage is not None:
        resp.headers["X-Business-Use-Case-Usage"] = json.dumps({PAGE_ID: [{"type": "pages", **state.buc_usage}]})
    resp.headers.update(headers)
    return resp


def _created(state: FakeGraph, answer: tuple[int, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """A create's answer as ``create_mode`` says (the create itself has happened)."""
    if state.create_mode == "500_after":
        return error(2, "An unexpected error has occurred. Please retry your request later.", status=500)
    if state.create_mode == "slow_after":
        time.sleep(state.slow_s)
    return answer


def _route(state: FakeGraph, method: str, path: str, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    token = p.get("access_token")
    if path == "oauth/access_token":
        return _token(state, p)
    if token is None:
        return error(104, "An access token is required to request this resource.")
    if path == "me/accounts":
        if token not in state.user_tokens:
            return error(190, "Error validating access token: Session has expired.", 463)
        pages = [{"id": k, "name": n, "access_token": t, "tasks": ["CREATE_CONTENT", "MODERATE", "MESSAGING"]}
                 for k, (n, t) in state.pages.items()]
        return 200, _paged(pages, p, state.page_size)
    if token in state.user_tokens:
        return error(210, "(#210) A page access token is required to request this resource.")
    if token not in {t for _, t in state.pages.values()}:
        return error(190, "Invalid OAuth access token - Cannot parse access token")
    parts = path.split("/")
    if parts[0] == PAGE_ID and len(parts) == 2:
        return _page_edge(state, method, parts[1], p)
    if len(parts) == 2 and parts[1] == "comments":
        return _comments(state, method, parts[0], p)
    if len(parts) == 2 and parts[1] == "insights" and method == "GET":
        if not any(post["id"] == parts[0] for post in state.posts):
            return error(100, "(#100) Object does not exist or does not support this operation", 33)
        figures = state.insights.get(parts[0], {})
        wanted = [m for m in p.get("metric", "").split(",") if m]
        return 200, {"data": [{"name": m, "period": "lifetime", "values": [{"value": figures.get(m, 0)}],
                               "title": m, "id": f"{parts[0]}/insights/{m}/lifetime"} for m in wanted]}
    if len(parts) == 2 and parts[1] == "messages" and parts[0] in state.conversations:
        return 200, _paged(state.conversations[parts[0]]["messages"][:20], p, 25)
    if len(parts) == 1 and parts[0] in state.conversations and method == "GET":
        person = state.conversations[parts[0]]["person"]
        return 200, {"id": parts[0], "participants": {"data": [person, {"id": PAGE_ID, "name": PAGE_NAME}]}}
    if len(parts) == 1 and method == "DELETE":
        for i, post in enumerate(state.posts):
            if post["id"] == parts[0]:
                del state.posts[i]
                return 200, {"success": True}
        return error(100, f"Unsupported delete request. Object with ID '{parts[0]}' does not exist", 33)
    return error(100, "Unsupported request: unknown path")


def _token(state: FakeGraph, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if p.get("client_id") != APP_ID or p.get("client_secret") != APP_SECRET:
        return error(101, "Error validating application. Invalid application ID.")
    if p.get("grant_type") == "fb_exchange_token":
        given = p.get("fb_exchange_token", "")
        if given not in state.user_tokens:
            return error(190, "Error validating access token: The session has been invalidated.", 460)
        state.user_tokens.add("user-long-2")
        return 200, {"access_token": "user-long-2", "token_type": "bearer", "expires_in": 5183944}
    short = state.codes.pop(p.get("code", ""), None)
    if short is None or not p.get("redirect_uri"):
        return error(100, "Invalid verification code format.", 36009)
    state.user_tokens.add(short)
    return 200, {"access_token": short, "token_type": "bearer", "expires_in": 5400}


def _page_edge(state: FakeGraph, method: str, edge: str, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if edge == "feed" and method == "POST":
        if p.get("published") == "false" or "scheduled_publish_time" in p:
            return error(100, "(#100) Herald's fake expects every post published now")
        media = [json.loads(v) for k, v in sorted(p.items()) if k.startswith("attached_media[")]
        for item in media:
            photo = state.photos.get(str(item.get("media_fbid")))
            if photo is None or photo["published"]:
                return error(100, "(#100) attached_media must name unpublished photos of this Page")
        if not (p.get("message") or p.get("link") or media):
            return error(100, "(#100) Missing message or attachment")
        post_id = state.add_post(p.get("message", ""))
        state.posts[0].update({"link": p.get("link"), "photos": [m["media_fbid"] for m in media]})
        return _created(state, (200, {"id": post_id}))
    if edge == "photos" and method == "POST":
        if not p.get("url", "").startswith(("http://", "https://")):
            return error(100, "(#100) Requires a photo url or upload file")
        photo_id = state.new_id()
        published = p.get("published", "true") != "false"
        state.photos[photo_id] = {"url": p["url"], "published": published}
        if not published:
            return 200, {"id": photo_id}
        post_id = state.add_post(p.get("caption") or p.get("message") or "")
        state.posts[0]["photos"] = [photo_id]
        return _created(state, (200, {"id": photo_id, "post_id": post_id}))
    if edge == "posts" and method == "GET":
        return 200, _paged([{k: v for k, v in post.items() if k in ("id", "message", "created_time", "permalink_url")}
                            for post in state.posts], p, state.page_size)
    if edge == "conversations" and method == "GET":
        if p.get("platform", "messenger") != "messenger":
            return error(100, "(#100) platform must be messenger or instagram")
        rows = sorted(state.conversations.items(), key=lambda kv: kv[1]["messages"][0]["created_time"], reverse=True)
        out = [{"id": cid, "updated_time": conv["messages"][0]["created_time"],
                "participants": {"data": [conv["person"], {"id": PAGE_ID, "name": PAGE_NAME}]}}
               for cid, conv in rows if p.get("user_id") in (None, conv["person"]["id"])]
        return 200, _paged(out, p, state.page_size)
    if edge == "messages" and method == "POST":
        return _send(state, p)
    return error(100, f"Unsupported request: {method} {edge}")


def _comments(state: FakeGraph, method: str, target: str, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    post_id = next((pid for pid, items in state.comments.items() if any(c["id"] == target for c in items)), None)
    if not any(post["id"] == target for post in state.posts) and post_id is None:
        return error(100, f"(#100) Object with ID '{target}' does not exist", 33)
    if method == "POST":
        if not p.get("message"):
            return error(100, "(#100) Missing message or attachment")
        at_post = post_id is None
        comment_id = state.add_comment(target if at_post else post_id, p["message"],
                                       {"id": PAGE_ID, "name": PAGE_NAME}, time.time(), None if at_post else target)
        return _created(state, (200, {"id": comment_id}))
    if post_id is not None:  # a comment's own comments are the replies to it
        items = [c for c in state.comments[post_id] if c.get("parent", {}).get("id") == target]
    else:
        items = list(state.comments.get(target, []))
    if post_id is None and p.get("filter") != "stream":
        items = [c for c in items if "parent" not in c]
    if p.get("order") == "reverse_chronological":
        items.reverse()
    return 200, _paged(items, p, state.page_size)


def _send(state: FakeGraph, p: dict[str, str]) -> tuple[int, dict[str, Any]]:
    try:
        recipient, message = json.loads(p.get("recipient", "")), json.loads(p.get("message", ""))
    except ValueError:
        return error(100, "(#100) param recipient and message must be JSON objects")
    if p.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        return error(100, "(#100) messaging_type is required")
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(text, str) or not text or len(text) > 2000:
        return error(100, "(#100) Length of param message[text] must be less than or equal to 2000")
    if "comment_id" in recipient:
        return _created(state, (200, {"recipient_id": "private", "message_id": f"m_{state.new_id()}"}))
    conv_id = next((cid for cid, c in state.conversations.items() if c["person"]["id"] == recipient.get("id")), None)
    if conv_id is None:
        return error(100, "(#100) No matching user found", 2018001)
    conv = state.conversations[conv_id]
    last_in = max((m["created_time"] for m in conv["messages"] if m["from"]["id"] != PAGE_ID), default=None)
    if last_in is None or time.time() - calendar.timegm(time.strptime(last_in, "%Y-%m-%dT%H:%M:%S+0000")) > WINDOW_S:
        return error(10, "(#10) This message is sent outside of allowed window.", 2018278)
    mid = state.add_message(conv_id, conv["person"], False, text, time.time())
    return _created(state, (200, {"recipient_id": recipient["id"], "message_id": mid}))


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
