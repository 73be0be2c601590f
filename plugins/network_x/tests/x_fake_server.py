"""A fake X API v2 for tests: a Flask app served over real HTTP on 127.0.0.1 (ephemeral port),
following Herald's X contract (paths, bearer/basic auth, status codes, problem bodies,
rate-limit headers), direct messages included (``/2/dm_events``, ``/2/dm_conversations/…``,
OAuth 2.0 user context with the ``dm.*`` scopes). Behaviours are switched per test through
attributes and queued failures."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.serving import make_server

#: The client and account the tests register with the fake.
CLIENT_ID = "herald-client"
CLIENT_SECRET = "s3cret-value"
USER_ID = "1072250532645998596"
HANDLE = "heraldhq"

MAX_CHUNK = 5 * 1024 * 1024
WINDOW = 900
LIMITS = {"create": 200, "delete": 50, "mentions": 450, "search": 450, "read": 900, "media": 500, "token": 900,
          "dm_read": 15, "dm_send": 15}
#: Scopes a token made with :meth:`FakeX.add_user` has unless told otherwise.
ALL_SCOPES = frozenset({"tweet.read", "tweet.write", "users.read", "offline.access", "media.write", "dm.read",
                        "dm.write"})
DM_READ = frozenset({"dm.read", "tweet.read", "users.read"})
DM_WRITE = DM_READ | {"dm.write"}
DM_RETENTION = timedelta(days=30)
DM_MAX_TEXT = 10_000
EVENT_TYPES = ("MessageCreate", "ParticipantsJoin", "ParticipantsLeave")


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"title": title, "type": "about:blank", "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def _oauth_error(status: int, error: str, description: str) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


def one_to_one(first: str, second: str) -> str:
    """X's id of the conversation between two users."""
    low, high = sorted((first, second), key=int)
    return f"{low}-{high}"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Upload:
    total_bytes: int
    media_type: str
    category: str
    chunks: dict[int, bytes] = field(default_factory=dict)
    finalized: bool = False
    states: list[str] = field(default_factory=list)
    data: bytes = b""

    @property
    def state(self) -> str:
        return self.states[0] if self.states else "succeeded"


class FakeX:
    """State and switches of the fake. ``create_failures`` is a queue of what the next
    ``POST /2/tweets`` calls do instead of (or besides) creating: ``429``, ``429_code88``,
    ``429_user24h``, ``401``, ``5xx_created``, ``5xx_not_created``, ``slow_created``, ``garbage_201``.
    ``list_body`` replaces the body of mentions and search answers (for malformed answers).

    Direct messages: ``dm_events`` (newest id last), ``conversations`` (id → participant ids);
    ``dm_failures`` queues what the next sends do: ``429``, ``5xx_sent``, ``5xx_not_sent``,
    ``slow_sent``, ``garbage_201``, ``no_id_201``; ``dm_list_body`` / ``dm_raw_body`` replace the
    body of DM reads; ``dm_closed`` holds users who accept no direct messages."""

    def __init__(self) -> None:
        self.clients: dict[str, str | None] = {}
        self.users: dict[str, dict[str, str]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.access_tokens: dict[str, str] = {}
        self.token_scopes: dict[str, frozenset[str]] = {}
        self.user_extra: dict[str, dict[str, Any]] = {}
        self.dm_events: list[dict[str, Any]] = []
        self.conversations: dict[str, set[str]] = {}
        self.dm_media: dict[str, dict[str, Any]] = {}
        self.dm_closed: set[str] = set()
        self.dm_failures: list[str] = []
        self.dm_list_body: Any = None
        self.dm_raw_body: str | None = None
        self.omit_rate_headers = False
        self.refresh_tokens: dict[str, str] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, Upload] = {}
        self.requests: list[dict[str, Any]] = []
        self._ids = itertools.count(1456012973835788293)
        self._media_ids = itertools.count(710511363345354753)
        self._lock = threading.Lock()
        self._remaining: dict[tuple[str, str], int] = {}
        self.reset_epoch = int(time.time()) + WINDOW
        # switches
        self.rotate_refresh_tokens = True
        self.omit_refresh_token = False
        self.token_failure: int | None = None
        #: X has been seen answering a revoked refresh token with either error.
        self.revoked_error = "invalid_request"
        self.create_failures: list[str] = []
        self.read_failures: list[int] = []
        self.slow_seconds = 1.0
        self.video_states = ["pending", "in_progress", "succeeded"]
        self.video_error = {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}
        self.page_size: int | None = None
        self.index_posts_in_search = True
        self.list_body: Any = None
        #: every recent-search query received, as sent
        self.search_queries: list[str] = []
        #: when set, every create answers X's 24-hour user-limit headers with this remaining count
        self.user_24h_remaining: int | None = None
        self.app = self._build()

    # ------------------------------------------------------------------ set-up helpers
    def set_remaining(self, user_id: str, family: str, remaining: int) -> None:
        """Calls left in ``family``'s current 15-minute window for ``user_id`` (each call uses one)."""
        self._remaining[(user_id, family)] = remaining

    def add_client(self, client_id: str, secret: str | None) -> None:
        self.clients[client_id] = secret

    def add_user(self, user_id: str, username: str, name: str = "", *, scopes: frozenset[str] = ALL_SCOPES,
                 followers: int | None = None, verified: bool | None = None) -> str:
        """Registers a user and returns a valid access token for it, granted ``scopes``."""
        self.users[user_id] = {"id": user_id, "username": username, "name": name or username}
        self.user_extra[user_id] = {"followers": followers, "verified": verified}
        token = secrets.token_urlsafe(12)
        self.access_tokens[token] = user_id
        self.token_scopes[token] = frozenset(scopes)
        return token

    def add_dm(self, sender_id: str, text: str, *, to: str | None = None, conversation: str | None = None,
               created_at: datetime | None = None, media_keys: list[str] | None = None,
               refers_to: str | None = None) -> str:
        """A message from ``sender_id`` to ``to`` (one-to-one) or into ``conversation``; its event id."""
        with self._lock:
            conv = conversation or one_to_one(sender_id, str(to))
            self.conversations.setdefault(conv, set()).update({sender_id, *([to] if to else [])})
            return self._store_event(sender_id, conv, text, created_at, media_keys, refers_to)

    def add_group(self, conversation: str, participants: list[str]) -> None:
        self.conversations[conversation] = set(participants)

    def _store_event(self, sender_id: str, conv: str, text: str | None, created_at: datetime | None = None,
                     media_keys: list[str] | None = None, refers_to: str | None = None) -> str:
        event_id = str(next(self._ids))
        event: dict[str, Any] = {"id": event_id, "event_type": "MessageCreate", "sender_id": sender_id,
                                 "dm_conversation_id": conv, "created_at": created_at or datetime.now(UTC),
                                 "participant_ids": sorted(self.conversations.get(conv, set()), key=int)}
        if text is not None:
            event["text"] = text
        if media_keys:
            event["attachments"] = {"media_keys": media_keys}
        if refers_to:
            event["referenced_tweets"] = [{"id": refers_to}]
        self.dm_events.append(event)
        return event_id

    def add_post(self, author_id: str, text: str, *, reply_to: str | None = None,
                 created_at: datetime | None = None, lang: str | None = None) -> str:
        with self._lock:
            post_id = self._store_post(author_id, {"text": text, **({"reply": {"in_reply_to_tweet_id": reply_to}}
                                                                     if reply_to else {})}, created_at)
            if lang:
                self.posts[post_id]["lang"] = lang
            return post_id

    def _store_post(self, author_id: str, body: dict[str, Any], created_at: datetime | None = None) -> str:
        post_id = str(next(self._ids))
        refs = []
        if body.get("reply"):
            refs.append({"type": "replied_to", "id": body["reply"]["in_reply_to_tweet_id"]})
        if body.get("quote_tweet_id"):
            refs.append({"type": "quoted", "id": body["quote_tweet_id"]})
        parent = self.posts.get((body.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        self.posts[post_id] = {
            "id": post_id, "text": body["text"], "author_id": author_id,
            "conversation_id": parent["conversation_id"] if parent else post_id,
            "in_reply_to_user_id": parent["author_id"] if parent else None,
            "edit_history_tweet_ids": [post_id],
            "created_at": created_at or datetime.now(UTC), "referenced_tweets": refs,
            "media_ids": list((body.get("media") or {}).get("media_ids") or []),
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
                               "impression_count": 0},
        }
        return post_id

    # ------------------------------------------------------------------ the app
    def _build(self) -> Flask:
        app = Flask("fake_x")
        fake = self

        def limited(family: str, user: str) -> dict[str, str]:
            key = (user, family)
            fake._remaining[key] = fake._remaining.get(key, LIMITS[family]) - 1
            if fake.omit_rate_headers:
                return {}
            return {"x-rate-limit-limit": str(LIMITS[family]),
                    "x-rate-limit-remaining": str(max(fake._remaining[key], 0)),
                    "x-rate-limit-reset": str(fake.reset_epoch)}

        def with_headers(response: Response, headers: dict[str, str]) -> Response:
            for k, v in headers.items():
                response.headers[k] = v
            return response

        def bearer() -> str | None:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return None
            return fake.access_tokens.get(header[len("Bearer "):])

        def granted() -> frozenset[str]:
            return fake.token_scopes.get(request.headers.get("Authorization", "")[len("Bearer "):], frozenset())

        def guarded(family: str, handler: Callable[[str], Response], scopes: frozenset[str] = frozenset()) -> Response:
            user = bearer()
            if user is None:
                return _problem(401, "Unauthorized", "Unauthorized")
            headers = limited(family, user)
            if family != "create" and fake.read_failures:
                status = fake.read_failures.pop(0)
                if status == 429:
                    headers["x-rate-limit-remaining"] = "0"
                    return with_headers(_problem(429, "Too Many Requests", "Too Many Requests"), headers)
                if status == -1:  # no answer in time
                    time.sleep(fake.slow_seconds)
                    return with_headers(jsonify({"meta": {"result_count": 0}}), headers)
                return with_headers(_problem(status, "Service Unavailable", "Service Unavailable"), headers)
            if not scopes <= granted():
                return with_headers(_problem(403, "Forbidden", "You are not permitted to perform this action."),
                                    headers)
            response = handler(user)
            if response.status_code == 429:
                headers["x-rate-limit-remaining"] = "0"
            return with_headers(response, headers)

        @app.before_request
        def log() -> None:
            fake.requests.append({"method": request.method, "path": request.path, "args": request.args.to_dict(),
                                  "headers": dict(request.headers), "json": request.get_json(silent=True)})

        # -------------------------------------------------------------- OAuth
        @app.get("/i/oauth2/authorize")
        def authorize() -> Response:
            a = request.args
            if (a.get("response_type") != "code" or a.get("client_id") not in fake.clients
                    or a.get("code_challenge_method") != "S256" or not a.get("code_challenge")
                    or not a.get("redirect_uri") or not a.get("state")):
                return _problem(400, "Invalid Request", "Bad authorize request")
            user_id = a.get("login_as") or next(iter(fake.users))
            code = secrets.token_urlsafe(16)
            fake.codes[code] = {"challenge": a["code_challenge"], "redirect_uri": a["redirect_uri"],
                                "client_id": a["client_id"], "scope": a.get("scope", ""), "user": user_id}
            return redirect(f"{a['redirect_uri']}?{urlencode({'code': code, 'state': a['state']})}")

        @app.post("/2/oauth2/token")
        def token() -> Response:
            if not request.content_type or not request.content_type.startswith("application/x-www-form-urlencoded"):
                return _oauth_error(400, "invalid_request", "Content-Type must be form-encoded")
            if fake.token_failure:
                return _problem(fake.token_failure, "Service Unavailable", "Service Unavailable")
            form = request.form
            client_id = form.get("client_id")
            if client_id not in fake.clients:
                return _oauth_error(401, "unauthorized_client", "Missing valid authorization header")
            secret = fake.clients[client_id]
            if secret is not None:
                expected = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
                if request.headers.get("Authorization") != expected:
                    return _oauth_error(401, "unauthorized_client", "Missing valid authorization header")
            grant = form.get("grant_type")
            if grant == "authorization_code":
                entry = fake.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if (entry is None or entry["redirect_uri"] != form.get("redirect_uri")
                        or entry["client_id"] != client_id or entry["challenge"] != challenge):
                    return _oauth_error(400, "invalid_request", "Value passed for the authorization code was invalid.")
                return issue(entry["user"], entry["scope"])
            if grant == "refresh_token":
                old = form.get("refresh_token", "")
                user = fake.refresh_tokens.get(old)
                if user is None:
                    return _oauth_error(400, fake.revoked_error, "Value passed for the token was invalid.")
                if fake.rotate_refresh_tokens:
                    del fake.refresh_tokens[old]
                return issue(user, "tweet.write users.read tweet.read offline.access")
            return _oauth_error(400, "unsupported_grant_type", "grant_type not supported")

        def issue(user: str, scope: str) -> Response:
            access = secrets.token_urlsafe(24)
            fake.access_tokens[access] = user
            fake.token_scopes[access] = frozenset(scope.split())
            body: dict[str, Any] = {"token_type": "bearer", "expires_in": 7200, "access_token": access,
                                    "scope": scope}
            if "offline.access" in scope.split() and not fake.omit_refresh_token:
                refresh = secrets.token_urlsafe(24)
                fake.refresh_tokens[refresh] = user
                body["refresh_token"] = refresh
            return jsonify(body)

        # -------------------------------------------------------------- users and posts
        @app.get("/2/users/me")
        def me() -> Response:
            return guarded("read", lambda user: jsonify({"data": fake.users[user]}))

        @app.post("/2/tweets")
        def create() -> Response:
            user = bearer()
            if user is None:
                return _problem(401, "Unauthorized", "Unauthorized")
            headers = limited("create", user)
            if fake.user_24h_remaining is not None:
                headers.update({"x-user-limit-24hour-limit": "17",
                                "x-user-limit-24hour-remaining": str(fake.user_24h_remaining),
                                "x-user-limit-24hour-reset": str(fake.reset_epoch + 86400)})
            failure = fake.create_failures.pop(0) if fake.create_failures else None
            if failure == "401":
                return _problem(401, "Unauthorized", "Unauthorized")
            if failure == "429":
                headers["x-rate-limit-remaining"] = "0"
                return with_headers(_problem(429, "Too Many Requests", "Too Many Requests"), headers)
            if failure == "429_code88":
                headers["x-rate-limit-remaining"] = "0"
                response = jsonify({"errors": [{"code": 88, "message": "Rate limit exceeded"}]})
                response.status_code = 429
                return with_headers(response, headers)
            if failure == "429_user24h":
                headers.update({"x-user-limit-24hour-limit": "17", "x-user-limit-24hour-remaining": "0",
                                "x-user-limit-24hour-reset": str(fake.reset_epoch + 86400)})
                return with_headers(_problem(429, "Too Many Requests", "Too Many Requests"), headers)
            if failure == "garbage_201":
                return with_headers(Response("[]", status=201, mimetype="application/json"), headers)
            if failure == "5xx_not_created":
                return with_headers(_problem(503, "Service Unavailable", "Service Unavailable"), headers)
            body = request.get_json(silent=True)
            problem = fake._check_create(user, body)
            if problem is not None:
                return with_headers(problem, headers)
            with fake._lock:
                post_id = fake._store_post(user, body)
            if failure == "5xx_created":
                return with_headers(_problem(503, "Service Unavailable", "Service Unavailable"), headers)
            if failure == "slow_created":
                time.sleep(fake.slow_seconds)
            response = jsonify({"data": {"id": post_id, "text": body["text"], "edit_history_tweet_ids": [post_id]}})
            response.status_code = 201
            response.headers["location"] = f"{request.host_url}2/tweets/{post_id}"
            return with_headers(response, headers)

        @app.delete("/2/tweets/<post_id>")
        def delete(post_id: str) -> Response:
            def handler(user: str) -> Response:
                post = fake.posts.get(post_id)
                if post is None:
                    return _problem(404, "Not Found Error", f"Could not find tweet with id: [{post_id}].")
                if post["author_id"] != user:
                    return _problem(403, "Forbidden", "You are not authorized to delete this Tweet.")
                del fake.posts[post_id]
                return jsonify({"data": {"deleted": True}})
            return guarded("delete", handler)

        @app.get("/2/tweets")
        def lookup() -> Response:
            def handler(user: str) -> Response:
                ids = [i for i in request.args.get("ids", "").split(",") if i]
                if not ids or len(ids) > 100:
                    return _invalid("ids", "The number of values in the `ids` query parameter list must be 1..100")
                found = [fake._render(fake.posts[i]) for i in ids if i in fake.posts]
                missing = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].", "title": "Not Found Error",
                            "resource_type": "tweet", "parameter": "ids", "resource_id": i,
                            "type": "https://api.twitter.com/2/problems/resource-not-found"}
                           for i in ids if i not in fake.posts]
                body: dict[str, Any] = {}
                if found:
                    body["data"] = found
                if missing:
                    body["errors"] = missing
                return jsonify(body)
            return guarded("read", handler)

        @app.get("/2/users/<user_id>/mentions")
        def mentions(user_id: str) -> Response:
            def handler(user: str) -> Response:
                if user_id not in fake.users:
                    return _invalid("id", f"The `id` query parameter value [{user_id}] is not valid")
                handle = "@" + fake.users[user_id]["username"].lower()
                posts = [p for p in fake.posts.values() if handle in p["text"].lower() and p["author_id"] != user_id]
                return fake._list(posts, lo=5, page_param="pagination_token")
            return guarded("mentions", handler)

        @app.get("/2/tweets/search/recent")
        def search() -> Response:
            def handler(user: str) -> Response:
                query = request.args.get("query", "")
                if not query:
                    return _invalid("query", "The `query` query parameter can not be empty")
                if len(query) > 512:
                    return _invalid("query", f"The `query` query parameter value [{query}] is too long")
                fake.search_queries.append(query)
                posts = [p for p in fake.posts.values() if fake.index_posts_in_search and fake._matches(p, query)]
                return fake._list(posts, lo=10, page_param="next_token")
            return guarded("search", handler)

        # -------------------------------------------------------------- direct messages
        @app.get("/2/dm_events")
        def dm_events() -> Response:
            def handler(user: str) -> Response:
                mine = {c for c, people in fake.conversations.items() if user in people}
                return fake._dm_list([e for e in fake.dm_events if e["dm_conversation_id"] in mine])
            return guarded("dm_read", handler, DM_READ)

        @app.get("/2/dm_conversations/with/<participant_id>/dm_events")
        def dm_events_with(participant_id: str) -> Response:
            def handler(user: str) -> Response:
                if participant_id not in fake.users:
                    return _invalid("participant_id", f"The `participant_id` value [{participant_id}] is not valid")
                conv = one_to_one(user, participant_id)
                return fake._dm_list([e for e in fake.dm_events if e["dm_conversation_id"] == conv])
            return guarded("dm_read", handler, DM_READ)

        @app.get("/2/dm_conversations/<conversation_id>/dm_events")
        def dm_events_in(conversation_id: str) -> Response:
            def handler(user: str) -> Response:
                if user not in fake.conversations.get(conversation_id, set()):
                    return _problem(403, "Forbidden", "You are not a participant of this conversation.")
                return fake._dm_list([e for e in fake.dm_events if e["dm_conversation_id"] == conversation_id])
            return guarded("dm_read", handler, DM_READ)

        @app.post("/2/dm_conversations/with/<participant_id>/messages")
        def dm_send_with(participant_id: str) -> Response:
            def handler(user: str) -> Response:
                if participant_id not in fake.users or participant_id == user:
                    return _invalid("participant_id", f"The `participant_id` value [{participant_id}] is not valid")
                return fake._send_dm(user, one_to_one(user, participant_id), {user, participant_id})
            return guarded("dm_send", handler, DM_WRITE)

        @app.post("/2/dm_conversations/<conversation_id>/messages")
        def dm_send_in(conversation_id: str) -> Response:
            def handler(user: str) -> Response:
                people = fake.conversations.get(conversation_id, set())
                if user not in people:
                    return _problem(403, "Forbidden", "You are not a participant of this conversation.")
                return fake._send_dm(user, conversation_id, people)
            return guarded("dm_send", handler, DM_WRITE)

        # -------------------------------------------------------------- media
        @app.route("/1.1/media/upload.json", methods=["GET", "POST"])
        def upload_v1() -> Response:
            return guarded("media", lambda user: fake._media_command(wrap=False))

        @app.route("/2/media/upload", methods=["GET", "POST"])
        def upload_v2() -> Response:
            return guarded("media", lambda user: fake._media_command(wrap=True))

        @app.post("/2/media/upload/initialize")
        def upload_initialize() -> Response:
            body = request.get_json(silent=True) or {}
            return guarded("media", lambda user: fake._init(body.get("total_bytes"), body.get("media_type"),
                                                           body.get("media_category"), wrap=True))

        @app.post("/2/media/upload/<media_id>/append")
        def upload_append(media_id: str) -> Response:
            return guarded("media", lambda user: fake._append(media_id, wrap=True))

        @app.post("/2/media/upload/<media_id>/finalize")
        def upload_finalize(media_id: str) -> Response:
            return guarded("media", lambda user: fake._finalize(media_id, wrap=True))

        return app

    # ------------------------------------------------------------------ behaviour
    def _check_create(self, user: str, body: Any) -> Response | None:
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return _invalid("text", "$.text: is missing but it is required")
        if (reply := body.get("reply")) is not None and reply.get("in_reply_to_tweet_id") not in self.posts:
            return _invalid("reply.in_reply_to_tweet_id", "The tweet you are replying to does not exist.")
        if (quoted := body.get("quote_tweet_id")) is not None and quoted not in self.posts:
            return _invalid("quote_tweet_id", "The quoted tweet does not exist.")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        for mid in media_ids:
            upload = self.uploads.get(mid)
            if not isinstance(mid, str) or upload is None or not upload.finalized or upload.state != "succeeded":
                return _invalid("media.media_ids", f"Your media IDs are invalid. ({mid})")
        if len(media_ids) > 4:
            return _invalid("media.media_ids", "Too many media ids.")
        if any(p["author_id"] == user and p["text"] == body["text"] for p in self.posts.values()):
            return _problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        return None

    def _send_dm(self, user: str, conv: str, people: set[str]) -> Response:
        failure = self.dm_failures.pop(0) if self.dm_failures else None
        if failure == "429":
            response = _problem(429, "Too Many Requests", "Too Many Requests")
            response.headers["x-rate-limit-remaining"] = "0"
            return response
        if failure == "5xx_not_sent":
            return _problem(503, "Service Unavailable", "Service Unavailable")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _invalid("text", "$.text: is missing but it is required")
        text, attachments = body.get("text"), body.get("attachments")
        if text is None and attachments is None:
            return _invalid("text", "One of text or attachments is required")
        if text is not None and (not isinstance(text, str) or not text or len(text) > DM_MAX_TEXT):
            return _invalid("text", f"$.text: must be a string of 1 to {DM_MAX_TEXT} characters")
        if attachments is not None and (not isinstance(attachments, list) or len(attachments) != 1
                                        or not isinstance((attachments[0] or {}).get("media_id"), str)):
            return _invalid("attachments", "$.attachments: exactly one media_id is allowed")
        if any(p in self.dm_closed for p in people - {user}):
            return _problem(403, "Forbidden", "You are not permitted to send a Direct Message to this user.")
        with self._lock:
            self.conversations.setdefault(conv, set()).update(people)
            event_id = self._store_event(user, conv, text)
        if failure == "5xx_sent":
            return _problem(503, "Service Unavailable", "Service Unavailable")
        if failure == "slow_sent":
            time.sleep(self.slow_seconds)
        if failure == "garbage_201":
            return Response("<html>ok</html>", status=201, mimetype="application/json")
        if failure == "no_id_201":
            response = jsonify({"data": {"dm_conversation_id": conv}})
            response.status_code = 201
            return response
        response = jsonify({"data": {"dm_conversation_id": conv, "dm_event_id": event_id}})
        response.status_code = 201
        return response

    def _dm_list(self, events: list[dict[str, Any]]) -> Response:
        """A page of DM events as X lists them: newest first, ``pagination_token`` paging,
        30 days kept, the fields and expansions asked for."""
        if self.dm_raw_body is not None:
            return Response(self.dm_raw_body, status=200, mimetype="application/json")
        if self.dm_list_body is not None:
            return jsonify(self.dm_list_body)
        args = request.args
        try:
            max_results = int(args.get("max_results", "100"))
        except ValueError:
            return _invalid("max_results", "max_results must be a number")
        if not 1 <= max_results <= 100:
            return _invalid("max_results", f"The `max_results` query parameter value [{max_results}] is not "
                                           "between 1 and 100")
        types = [t for t in args.get("event_types", "").split(",") if t]
        if any(t not in EVENT_TYPES for t in types):
            return _invalid("event_types", "The `event_types` query parameter value is not valid")
        cutoff = datetime.now(UTC) - DM_RETENTION
        events = sorted((e for e in events if e["created_at"] >= cutoff and (not types or e["event_type"] in types)),
                        key=lambda e: int(e["id"]), reverse=True)
        token = args.get("pagination_token")
        if token is not None and not token.startswith("dm-page-"):
            return _invalid("pagination_token", "The `pagination_token` query parameter value is not valid")
        offset = int(token[len("dm-page-"):]) if token else 0
        size = min(max_results, self.page_size or max_results)
        page = events[offset:offset + size]
        if not page:
            return jsonify({"meta": {"result_count": 0}})
        fields = {f for f in args.get("dm_event.fields", "").split(",") if f} | {"id", "event_type", "text"}
        data = [{k: (_iso(v) if isinstance(v, datetime) else v) for k, v in e.items() if k in fields} for e in page]
        meta: dict[str, Any] = {"result_count": len(page)}
        if offset + size < len(events):
            meta["next_token"] = f"dm-page-{offset + size}"
        body: dict[str, Any] = {"data": data, "meta": meta}
        expansions = set(args.get("expansions", "").split(","))
        includes: dict[str, Any] = {}
        if "sender_id" in expansions:
            senders = dict.fromkeys(e["sender_id"] for e in page)
            includes["users"] = [self._render_user(u) for u in senders if u in self.users]
        if "attachments.media_keys" in expansions:
            keys = [k for e in page for k in (e.get("attachments") or {}).get("media_keys", [])]
            includes["media"] = [self.dm_media[k] for k in keys if k in self.dm_media]
        if any(v for v in includes.values()):
            body["includes"] = {k: v for k, v in includes.items() if v}
        return jsonify(body)

    def _render_user(self, user_id: str) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.users[user_id])
        wanted = set(request.args.get("user.fields", "").split(","))
        extra = self.user_extra.get(user_id, {})
        if "public_metrics" in wanted and extra.get("followers") is not None:
            out["public_metrics"] = {"followers_count": extra["followers"], "following_count": 3, "tweet_count": 10,
                                     "listed_count": 0, "like_count": 4}
        if "verified" in wanted:
            out["verified"] = bool(extra.get("verified"))
        return out

    def _render(self, post: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": post["id"], "text": post["text"],
                               "edit_history_tweet_ids": post.get("edit_history_tweet_ids", [post["id"]])}
        wanted = set(request.args.get("tweet.fields", "").split(","))
        if "conversation_id" in wanted:
            out["conversation_id"] = post["conversation_id"]
        if "in_reply_to_user_id" in wanted and post.get("in_reply_to_user_id"):
            out["in_reply_to_user_id"] = post["in_reply_to_user_id"]
        if "lang" in wanted and post.get("lang"):
            out["lang"] = post["lang"]
        if "created_at" in wanted:
            out["created_at"] = _iso(post["created_at"])
        if "author_id" in wanted:
            out["author_id"] = post["author_id"]
        if "referenced_tweets" in wanted and post["referenced_tweets"]:
            out["referenced_tweets"] = post["referenced_tweets"]
        if "public_metrics" in wanted:
            out["public_metrics"] = post["public_metrics"]
        return out

    def _matches(self, post: dict[str, Any], query: str) -> bool:
        """X's recent-search operators, as the contract lists them: keywords (matched as
        substrings, case-insensitively), "phrases", OR, brackets, -negation, #hashtag (exact),
        @mention, from:, lang:; AND binds tighter than OR."""
        return _XQuery(query).matches(post, self.users.get(post["author_id"], {}))

    def _list(self, posts: list[dict[str, Any]], *, lo: int, page_param: str) -> Response:
        if self.list_body is not None:
            return jsonify(self.list_body)
        args = request.args
        try:
            max_results = int(args.get("max_results", "10"))
        except ValueError:
            return _invalid("max_results", "max_results must be a number")
        if not lo <= max_results <= 100:
            return _invalid("max_results", f"The `max_results` query parameter value [{max_results}] is not "
                                           f"between {lo} and 100")
        posts = sorted(posts, key=lambda p: int(p["id"]), reverse=True)
        if args.get("since_id"):
            posts = [p for p in posts if int(p["id"]) > int(args["since_id"])]
        size = min(max_results, self.page_size or max_results)
        offset = int(args[page_param][len("page-"):]) if args.get(page_param, "").startswith("page-") else 0
        page = posts[offset:offset + size]
        if not page:
            return jsonify({"meta": {"result_count": 0}})
        meta: dict[str, Any] = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"], "result_count": len(page)}
        if offset + size < len(posts):
            meta["next_token"] = f"page-{offset + size}"
        body: dict[str, Any] = {"data": [self._render(p) for p in page], "meta": meta}
        if "author_id" in args.get("expansions", "").split(","):
            authors = dict.fromkeys(p["author_id"] for p in page)
            body["includes"] = {"users": [self._render_user(a) for a in authors if a in self.users]}
        return jsonify(body)

    # ------------------------------------------------------------------ media
    def _media_command(self, *, wrap: bool) -> Response:
        source = request.args if request.method == "GET" else request.form
        command = source.get("command")
        if request.method == "GET":
            if command != "STATUS":
                return _invalid("command", "Only STATUS may be read")
            return self._status(source.get("media_id", ""), wrap=wrap)
        if command == "INIT":
            return self._init(source.get("total_bytes"), source.get("media_type"), source.get("media_category"),
                              wrap=wrap)
        if command == "APPEND":
            return self._append(source.get("media_id", ""), wrap=wrap)
        if command == "FINALIZE":
            return self._finalize(source.get("media_id", ""), wrap=wrap)
        return _invalid("command", f"Unknown command {command!r}")

    def _media_body(self, media_id: str, upload: Upload, wrap: bool, **extra: Any) -> dict[str, Any]:
        if wrap:
            return {"data": {"id": media_id, "media_key": f"13_{media_id}", "expires_after_secs": 86400, **extra}}
        return {"media_id": int(media_id), "media_id_string": media_id, "expires_after_secs": 86400, **extra}

    def _init(self, total: Any, media_type: Any, category: Any, *, wrap: bool) -> Response:
        try:
            total_bytes = int(total)
        except (TypeError, ValueError):
            return _invalid("total_bytes", "total_bytes is required")
        if category not in ("tweet_image", "tweet_video", "tweet_gif") or not media_type:
            return _invalid("media_category", "media_category and media_type are required")
        media_id = str(next(self._media_ids))
        states = list(self.video_states) if category in ("tweet_video", "tweet_gif") else []
        self.uploads[media_id] = upload = Upload(total_bytes, str(media_type), category, states=states)
        response = jsonify(self._media_body(media_id, upload, wrap))
        response.status_code = 200 if wrap else 202
        return response

    def _append(self, media_id: str, *, wrap: bool) -> Response:
        upload = self.uploads.get(media_id)
        chunk = request.files.get("media")
        if upload is None or upload.finalized:
            return _invalid("media_id", "Unknown or finalized media id")
        if chunk is None:
            return _invalid("media", "media is required")
        data = chunk.read()
        if len(data) > MAX_CHUNK:
            return _invalid("media", "Segment is larger than 5 MB")
        upload.chunks[int(request.form.get("segment_index", "-1"))] = data
        return Response(status=204)

    def _finalize(self, media_id: str, *, wrap: bool) -> Response:
        upload = self.uploads.get(media_id)
        if upload is None:
            return _invalid("media_id", "Unknown media id")
        indices = sorted(upload.chunks)
        data = b"".join(upload.chunks[i] for i in indices)
        if indices != list(range(len(indices))) or len(data) != upload.total_bytes:
            return _invalid("media", "Segments do not add up to total_bytes")
        upload.data, upload.finalized = data, True
        extra: dict[str, Any] = {"size": len(data)}
        if upload.states:
            extra["processing_info"] = {"state": upload.state, "check_after_secs": 5}
        response = jsonify(self._media_body(media_id, upload, wrap, **extra))
        response.status_code = 200 if wrap else 201
        return response

    def _status(self, media_id: str, *, wrap: bool) -> Response:
        upload = self.uploads.get(media_id)
        if upload is None or not upload.finalized:
            return _invalid("media_id", "Unknown media id")
        if len(upload.states) > 1:
            upload.states.pop(0)
        info: dict[str, Any] = {"state": upload.state}
        if upload.state == "failed":
            info["error"] = self.video_error
        elif upload.state != "succeeded":
            info.update(check_after_secs=5, progress_percent=50)
        return jsonify(self._media_body(media_id, upload, wrap, processing_info=info))


class _XQuery:
    """A small reader of X's search syntax for the fake (enough for the contract's operators)."""

    _TOKEN = re.compile(r'\s*(\(|\)|-?"[^"]*"|-?[^\s()"]+)')

    def __init__(self, text: str) -> None:
        self.tokens = [t for t in self._TOKEN.findall(text) if t.strip()]
        self.i = 0
        self.ast = self._or()

    def _or(self) -> Any:
        parts = [self._and()]
        while self.i < len(self.tokens) and self.tokens[self.i] == "OR":
            self.i += 1
            parts.append(self._and())
        return ("or", parts)

    def _and(self) -> Any:
        parts = []
        while self.i < len(self.tokens) and self.tokens[self.i] not in ("OR", ")"):
            parts.append(self._unary())
        return ("and", parts)

    def _unary(self) -> Any:
        token = self.tokens[self.i]
        if token == "(":
            self.i += 1
            inner = self._or()
            self.i += 1  # ")"
            return inner
        self.i += 1
        if token.startswith("-") and len(token) > 1:
            return ("not", ("term", token[1:]))
        return ("term", token)

    def matches(self, post: dict[str, Any], author: dict[str, Any]) -> bool:
        return self._eval(self.ast, post, author)

    def _eval(self, node: Any, post: dict[str, Any], author: dict[str, Any]) -> bool:
        kind, value = node
        if kind == "or":
            return any(self._eval(c, post, author) for c in value)
        if kind == "and":
            return all(self._eval(c, post, author) for c in value)
        if kind == "not":
            return not self._eval(value, post, author)
        text = post["text"].lower()
        term = value.lower()
        if term.startswith('"'):
            return term.strip('"') in text
        if term.startswith("from:"):
            return term[5:] in (author.get("username", "").lower(), post["author_id"])
        if term.startswith("lang:"):
            return (post.get("lang") or "") == term[5:]
        if term.startswith(("is:", "has:")):
            return True
        if term.startswith("#"):
            return re.search(re.escape(term) + r"(?![\w])", text) is not None
        return term in text


def _invalid(parameter: str, message: str) -> Response:
    response = jsonify({"errors": [{"parameters": {parameter: []}, "message": message}], "title": "Invalid Request",
                        "detail": "One or more parameters to your request was invalid.",
                        "type": "https://api.twitter.com/2/problems/invalid-request"})
    response.status_code = 400
    return response


class FakeXServer:
    """Serves a :class:`FakeX` on 127.0.0.1 on an ephemeral port until :meth:`stop`."""

    def __init__(self, fake: FakeX) -> None:
        self.fake = fake
        self._server = make_server("127.0.0.1", 0, fake.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def start(self) -> FakeXServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
