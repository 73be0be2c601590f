"""A fake Mastodon instance for tests: a Flask app served over real HTTP on 127.0.0.1, following
Herald's Mastodon contract (docs/contracts/mastodon.md): app registration, OAuth 2.0 with PKCE,
bearer tokens, statuses with Idempotency-Key, media v2 (202 then 206 while processing),
notifications and conversations with Link paging, ``{"error": ...}`` bodies and
``X-RateLimit-*`` headers (ISO 8601 reset). Behaviours are switched per test through attributes
and queued failures."""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.serving import make_server

#: the redirect URI the tests register their app with
REDIRECT = "https://herald.example/connect/callback"
ACCOUNT_ID = "109348123456789012"
HANDLE = "heraldhq"
LIMIT = 300
WINDOW = timedelta(minutes=5)
INVALID_GRANT = ("The provided authorization grant is invalid, expired, revoked, does not match the redirection "
                 "URI used in the authorization request, or was issued to another client.")


def error(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


LINK_RE = re.compile(r"(https?://)([^\s<]+)")
MENTION_RE = re.compile(r"@(\w+)@([\w.-]+\w)")


def _render(text: str) -> str:
    """Text as Mastodon renders it: links split into invisible scheme and visible rest, remote
    mentions shown by their local part only."""
    out = html.escape(text, quote=False)
    out = LINK_RE.sub(r'<a href="\1\2" rel="nofollow noopener" target="_blank"><span class="invisible">\1</span>'
                      r'<span class="">\2</span></a>', out)
    return MENTION_RE.sub(r'<span class="h-card"><a href="https://\2/@\1" class="u-url mention">@<span>\1</span>'
                          r'</a></span>', out)


@dataclass
class Account:
    id: str
    username: str
    display_name: str = ""
    followers_count: int = 0

    def entity(self, domain: str | None = None) -> dict[str, Any]:
        acct = f"{self.username}@{domain}" if domain else self.username
        return {"id": self.id, "username": self.username, "acct": acct, "display_name": self.display_name,
                "followers_count": self.followers_count, "url": f"https://fake.social/@{acct}"}


@dataclass
class FakeMastodon:
    """The instance's state and its Flask app."""

    max_characters: int = 500
    max_media: int = 4
    #: GET /api/v1/media/:id answers 206 this many times before 200 (0: the upload answers 200).
    processing_polls: int = 0
    remaining: int = LIMIT
    reset_at: datetime = field(default_factory=lambda: datetime.now(UTC) + WINDOW)
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> account id
    revoked: set[str] = field(default_factory=set)
    accounts: dict[str, Account] = field(default_factory=dict)
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], str] = field(default_factory=dict)
    failures: list[tuple[str, Callable[[], Response]]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    queries: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    instance_reads: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(110000000000000000))

    def __post_init__(self) -> None:
        self._broken_status = 502
        self.app = Flask("fake_mastodon")
        self._lock = threading.Lock()
        self._routes()

    # ------------------------------------------------------------------ arranging
    def next_id(self) -> str:
        return str(next(self._ids))

    def add_account(self, account_id: str = ACCOUNT_ID, username: str = HANDLE, **kw: Any) -> str:
        """An account and a bearer token for it."""
        self.accounts[account_id] = Account(account_id, username, **kw)
        token = secrets.token_urlsafe(16)
        self.tokens[token] = account_id
        return token

    def fail_next(self, path_prefix: str, status: int, message: str = "Fake failure", *, after: int = 0) -> None:
        """The next request to ``path_prefix`` (after ``after`` that pass) answers ``status``."""
        passing = iter(range(after))
        self.failures.append((path_prefix, lambda: Response(status=598) if next(passing, None) is not None
                              else error(status, message)))

    def answer_next(self, path_prefix: str, status: int, body: Any) -> None:
        """The next such request answers ``body`` as JSON, whatever it is (a hostile instance)."""
        self.failures.append((path_prefix, lambda: Response(json.dumps(body), status=status,
                                                            content_type="application/json")))

    def break_answer_next(self, path_prefix: str, status: int = 502) -> None:
        """The next such request is carried out, but its answer is lost: the proxy in front of
        the instance answers ``status`` instead (the status exists)."""
        self.failures.append((path_prefix, lambda: Response(status=599)))
        self._broken_status = status

    def post_as(self, author: Account, text: str, *, visibility: str = "public", in_reply_to_id: str | None = None,
                mention: str | None = ACCOUNT_ID) -> dict[str, Any]:
        """Someone else posts; a mention of the account notifies it (and a direct one joins a conversation)."""
        self.accounts.setdefault(author.id, author)
        status = self._new_status(author.id, {"status": text, "visibility": visibility,
                                              "in_reply_to_id": in_reply_to_id}, remote=True)
        if mention:
            self.notifications.append({"id": self.next_id(), "type": "mention", "created_at": status["created_at"],
                                       "account": author.entity("other.example"), "status_id": status["id"]})
        if visibility == "direct":
            self._converse(status, author.id)
        return status

    # ------------------------------------------------------------------ entities
    def _new_status(self, account_id: str, body: dict[str, Any], remote: bool = False) -> dict[str, Any]:
        text = str(body.get("status") or "")
        status = {
            "id": self.next_id(), "created_at": iso(datetime.now(UTC)), "account_id": account_id,
            "remote": remote, "in_reply_to_id": body.get("in_reply_to_id") or None,
            "visibility": body.get("visibility") or "public", "sensitive": bool(body.get("sensitive")),
            "spoiler_text": str(body.get("spoiler_text") or ""), "language": body.get("language"),
            "text": text, "media_ids": list(body.get("media_ids") or []),
            "favourites_count": 0, "reblogs_count": 0, "replies_count": 0,
        }
        self.statuses[status["id"]] = status
        parent = self.statuses.get(status["in_reply_to_id"] or "")
        if parent:
            parent["replies_count"] += 1
        return status

    def _converse(self, status: dict[str, Any], other: str) -> None:
        conv = next((c for c in self.conversations.values() if other in c["accounts"]), None)
        if conv is None:
            conv = {"id": self.next_id(), "accounts": [other]}
            self.conversations[conv["id"]] = conv
        conv["last_status_id"] = status["id"]

    def entity(self, status: dict[str, Any]) -> dict[str, Any]:
        author = self.accounts[status["account_id"]]
        paragraphs = "".join(f"<p>{_render(p)}</p>" for p in status["text"].split("\n\n") if p)
        return {
            "id": status["id"], "created_at": status["created_at"], "in_reply_to_id": status["in_reply_to_id"],
            "in_reply_to_account_id": (self.statuses.get(status["in_reply_to_id"] or "") or {}).get("account_id"),
            "sensitive": status["sensitive"], "spoiler_text": status["spoiler_text"],
            "visibility": status["visibility"], "language": status["language"],
            "uri": f"https://fake.social/users/{author.username}/statuses/{status['id']}",
            "url": f"https://fake.social/@{author.username}/{status['id']}",
            "replies_count": status["replies_count"], "reblogs_count": status["reblogs_count"],
            "favourites_count": status["favourites_count"], "content": paragraphs,
            "account": author.entity("other.example" if status["remote"] else None),
            "media_attachments": [self._attachment(self.media[m]) for m in status["media_ids"]],
            "mentions": [], "tags": [], "emojis": [],
        }

    def _attachment(self, media: dict[str, Any]) -> dict[str, Any]:
        ready = media["polls_left"] <= 0
        return {"id": media["id"], "type": media["type"], "url": media["url"] if ready else None,
                "preview_url": media["url"], "description": media["description"]}

    # ------------------------------------------------------------------ app
    def _routes(self) -> None:
        app = self.app

        @app.before_request
        def before() -> Response | None:
            self.requests.append((request.method, request.path, dict(request.headers)))
            self.queries.append((request.path, request.args.to_dict(flat=False)))
            for i, (prefix, make) in enumerate(self.failures):
                if request.path.startswith(prefix) or f"{request.method} {request.path}".startswith(prefix):
                    answer = make()
                    if answer.status_code == 598:
                        break
                    del self.failures[i]
                    if answer.status_code != 599:
                        return answer
                    request.environ["fake.drop"] = True
                    break
            if request.path.startswith("/api/") and request.path not in ("/api/v1/apps", "/api/v2/instance"):
                return self._authenticate()
            return None

        @app.after_request
        def after(response: Response) -> Response:
            if request.path.startswith("/api/"):
                response.headers["X-RateLimit-Limit"] = str(LIMIT)
                response.headers["X-RateLimit-Remaining"] = str(max(self.remaining, 0))
                response.headers["X-RateLimit-Reset"] = iso(self.reset_at)
            if request.environ.get("fake.drop"):
                return error(self._broken_status, "Bad gateway")
            return response

        @app.post("/api/v1/apps")
        def create_app() -> Response:
            form = request.get_json(silent=True) or request.form
            uris = form.get("redirect_uris")
            if not form.get("client_name"):
                return error(422, "Validation failed: Application name can't be blank")
            if not uris:
                return error(422, "Validation failed: Redirect URI can't be blank")
            uri_list = uris if isinstance(uris, list) else str(uris).split()
            client_id, secret = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
            self.apps[client_id] = {"secret": secret, "redirect_uris": uri_list,
                                    "scopes": str(form.get("scopes") or "read")}
            return jsonify({"id": self.next_id(), "name": form["client_name"], "website": form.get("website"),
                            "scopes": self.apps[client_id]["scopes"].split(), "redirect_uri": "\n".join(uri_list),
                            "redirect_uris": uri_list, "client_id": client_id, "client_secret": secret,
                            "client_secret_expires_at": 0})

        @app.get("/oauth/authorize")
        def authorize() -> Response:
            # The real instance asks the person to sign in and approve; the fake approves at once.
            args = request.args
            app_ = self.apps.get(args.get("client_id", ""))
            if app_ is None or args.get("redirect_uri") not in app_["redirect_uris"]:
                return error(400, "invalid_client")
            code = secrets.token_urlsafe(12)
            self.codes[code] = {"client_id": args["client_id"], "redirect_uri": args["redirect_uri"],
                                "challenge": args.get("code_challenge"), "scope": args.get("scope", "read"),
                                "account_id": next(iter(self.accounts))}
            return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args.get('state', '')})}")

        @app.post("/oauth/token")
        def token() -> Response:
            form = request.form
            app_ = self.apps.get(form.get("client_id", ""))
            if app_ is None or form.get("client_secret") != app_["secret"]:
                return error(401, "invalid_client", error_description="Client authentication failed due to "
                             "unknown client, no client authentication included, or unsupported authentication "
                             "method.")
            grant = self.codes.pop(form.get("code", ""), None)
            if form.get("grant_type") != "authorization_code" or grant is None \
                    or grant["client_id"] != form["client_id"] or grant["redirect_uri"] != form.get("redirect_uri"):
                return error(400, "invalid_grant", error_description=INVALID_GRANT)
            if grant["challenge"]:
                digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                    return error(400, "invalid_grant", error_description=INVALID_GRANT)
            access = secrets.token_urlsafe(16)
            self.tokens[access] = grant["account_id"]
            return jsonify({"access_token": access, "token_type": "Bearer", "scope": grant["scope"],
                            "created_at": int(datetime.now(UTC).timestamp())})

        @app.get("/api/v2/instance")
        def instance() -> Response:
            self.instance_reads += 1
            return jsonify({"domain": "fake.social", "title": "Fake", "version": "4.3.0", "configuration": {
                "urls": {"streaming": "wss://fake.social"},
                "statuses": {"max_characters": self.max_characters, "max_media_attachments": self.max_media,
                             "characters_reserved_per_url": 23},
                "media_attachments": {"supported_mime_types": ["image/jpeg", "image/png", "image/gif", "video/mp4"],
                                      "image_size_limit": 16777216, "video_size_limit": 103809024,
                                      "description_limit": 1500}}})

        @app.get("/api/v1/accounts/verify_credentials")
        def verify() -> Response:
            return jsonify(self.accounts[request.environ["fake.account"]].entity())

        @app.get("/api/v1/accounts/<account_id>")
        def account(account_id: str) -> Response:
            found = self.accounts.get(account_id)
            return jsonify(found.entity("other.example")) if found else error(404, "Record not found")

        @app.post("/api/v2/media")
        def upload() -> Response:
            file = request.files.get("file")
            if file is None:
                return error(422, "Validation failed: File can't be blank")
            if file.mimetype not in ("image/jpeg", "image/png", "image/gif", "video/mp4"):
                return error(422, "Validation failed: File content type is invalid, File is invalid")
            media = {"id": self.next_id(), "type": "video" if file.mimetype == "video/mp4" else "image",
                     "url": "https://files.fake.social/m.bin", "description": request.form.get("description"),
                     "polls_left": self.processing_polls, "owner": request.environ["fake.account"],
                     "bytes": len(file.read())}
            self.media[media["id"]] = media
            response = jsonify(self._attachment(media))
            response.status_code = 202 if media["polls_left"] > 0 else 200
            return response

        @app.get("/api/v1/media/<media_id>")
        def media_status(media_id: str) -> Response:
            media = self.media.get(media_id)
            if media is None or media["owner"] != request.environ["fake.account"]:
                return error(404, "Record not found")
            media["polls_left"] -= 1
            response = jsonify(self._attachment(media))
            response.status_code = 206 if media["polls_left"] > 0 else 200
            return response

        @app.post("/api/v1/statuses")
        def create_status() -> Response:
            me = request.environ["fake.account"]
            body = request.get_json(silent=True) or {**request.form, "media_ids": request.form.getlist("media_ids[]")}
            key = request.headers.get("Idempotency-Key")
            with self._lock:
                if key and (me, key) in self.idempotency:
                    return jsonify(self.entity(self.statuses[self.idempotency[(me, key)]]))
                problem = self._refuse_status(me, body)
                if problem is not None:
                    return problem
                status = self._new_status(me, body)
                if key:
                    self.idempotency[(me, key)] = status["id"]
            if status["visibility"] == "direct":
                parent = self.statuses.get(status["in_reply_to_id"] or "")
                if parent:
                    self._converse(status, parent["account_id"])
            return jsonify(self.entity(status))

        @app.get("/api/v1/statuses/<status_id>")
        def get_status(status_id: str) -> Response:
            status = self.statuses.get(status_id)
            return jsonify(self.entity(status)) if status else error(404, "Record not found")

        @app.get("/api/v1/statuses/<status_id>/source")
        def source(status_id: str) -> Response:
            status = self.statuses.get(status_id)
            if status is None or status["account_id"] != request.environ["fake.account"]:
                return error(404, "Record not found")
            return jsonify({"id": status_id, "text": status["text"], "spoiler_text": status["spoiler_text"]})

        @app.get("/api/v1/statuses/<status_id>/context")
        def context(status_id: str) -> Response:
            if status_id not in self.statuses:
                return error(404, "Record not found")
            below, frontier = [], {status_id}
            for s in sorted(self.statuses.values(), key=lambda s: int(s["id"])):
                if s["in_reply_to_id"] in frontier:
                    below.append(self.entity(s))
                    frontier.add(s["id"])
            above, parent = [], self.statuses[status_id]["in_reply_to_id"]
            while parent in self.statuses:
                above.insert(0, self.entity(self.statuses[parent]))
                parent = self.statuses[parent]["in_reply_to_id"]
            return jsonify({"ancestors": above, "descendants": below})

        @app.delete("/api/v1/statuses/<status_id>")
        def delete_status(status_id: str) -> Response:
            status = self.statuses.get(status_id)
            if status is None or status["account_id"] != request.environ["fake.account"]:
                return error(404, "Record not found")
            del self.statuses[status_id]
            return jsonify({**self.entity(status), "text": status["text"]})

        @app.get("/api/v1/accounts/<account_id>/statuses")
        def account_statuses(account_id: str) -> Response:
            own = [s for s in self.statuses.values() if s["account_id"] == account_id and s["visibility"] != "direct"]
            return self._page(own, lambda s: s["id"], self.entity, f"/api/v1/accounts/{account_id}/statuses",
                              max_limit=40, default_limit=20)

        @app.get("/api/v1/notifications")
        def notifications() -> Response:
            types = request.args.getlist("types[]")
            chosen = [n for n in self.notifications if not types or n["type"] in types]

            def entity(n: dict[str, Any]) -> dict[str, Any]:
                out = {k: v for k, v in n.items() if k != "status_id"}
                return {**out, "status": self.entity(self.statuses[n["status_id"]])} if n["status_id"] in \
                    self.statuses else out

            return self._page(chosen, lambda n: n["id"], entity, "/api/v1/notifications", max_limit=80,
                              default_limit=40)

        @app.get("/api/v1/conversations")
        def conversations() -> Response:
            def entity(c: dict[str, Any]) -> dict[str, Any]:
                return {"id": c["id"], "unread": True, "accounts": [self.accounts[a].entity("other.example")
                                                                    for a in c["accounts"]],
                        "last_status": self.entity(self.statuses[c["last_status_id"]])}

            return self._page(list(self.conversations.values()), lambda c: c["last_status_id"], entity,
                              "/api/v1/conversations", max_limit=40, default_limit=20)

    # ------------------------------------------------------------------ auth, checks and paging
    def _authenticate(self) -> Response | None:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        if token in self.revoked:
            return error(401, "The access token was revoked")
        if token not in self.tokens:
            return error(401, "The access token is invalid")
        request.environ["fake.account"] = self.tokens[token]
        self.remaining -= 1
        if self.remaining < 0:
            return error(429, "Too many requests")
        return None

    def _refuse_status(self, me: str, body: dict[str, Any]) -> Response | None:
        text, media_ids = str(body.get("status") or ""), list(body.get("media_ids") or [])
        if not text.strip() and not media_ids:
            return error(422, "Validation failed: Text can't be blank")
        if len(text) + len(str(body.get("spoiler_text") or "")) > self.max_characters:
            return error(422, f"Validation failed: Text character limit of {self.max_characters} exceeded")
        if body.get("visibility") not in (None, "public", "unlisted", "private", "direct"):
            return error(422, "Validation failed: Visibility is not included in the list")
        if len(media_ids) > self.max_media:
            return error(422, "Validation failed: Media attachments is too long")
        for media_id in media_ids:
            media = self.media.get(str(media_id))
            if media is None or media["owner"] != me:
                return error(422, "Validation failed: Media attachments are invalid")
            if media["polls_left"] > 0:
                return error(422, "Cannot attach files that have not finished processing. Try again in a moment!")
        if body.get("in_reply_to_id") and str(body["in_reply_to_id"]) not in self.statuses:
            return error(404, "Record not found")
        return None

    def _page(self, rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], str],
              entity: Callable[[dict[str, Any]], dict[str, Any]], path: str, *, max_limit: int,
              default_limit: int) -> Response:
        """Newest first; ``max_id``/``since_id`` bound the page, ``min_id`` gives the page
        immediately newer; ``Link`` names the next (older) and prev (newer) pages."""
        args = request.args
        try:
            limit = min(int(args.get("limit", default_limit)), max_limit)
        except ValueError:
            limit = default_limit
        rows = sorted(rows, key=lambda r: int(key(r)), reverse=True)
        if args.get("max_id"):
            rows = [r for r in rows if int(key(r)) < int(args["max_id"])]
        if args.get("since_id"):
            rows = [r for r in rows if int(key(r)) > int(args["since_id"])]
        if args.get("min_id"):
            rows = [r for r in rows if int(key(r)) > int(args["min_id"])][-limit:]
        page = rows[:limit]
        response = jsonify([entity(r) for r in page])
        if page:
            base = f"{request.host_url.rstrip('/')}{path}"
            extra = "".join(f"&types[]={t}" for t in args.getlist("types[]"))
            response.headers["Link"] = (f'<{base}?max_id={key(page[-1])}{extra}>; rel="next", '
                                        f'<{base}?min_id={key(page[0])}{extra}>; rel="prev"')
        return response


class FakeMastodonServer:
    """Serves a :class:`FakeMastodon` on 127.0.0.1 on an ephemeral port until :meth:`stop`."""

    def __init__(self, fake: FakeMastodon) -> None:
        self.fake = fake
        self._server = make_server("127.0.0.1", 0, fake.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def start(self) -> FakeMastodonServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
