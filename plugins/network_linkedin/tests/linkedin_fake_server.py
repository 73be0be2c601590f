"""A fake LinkedIn for tests: a Flask app served over real HTTP on 127.0.0.1 (ephemeral port),
following docs/contracts/linkedin.md: OAuth 2.0 (authorization, accessToken), the versioned
``/rest`` API (LinkedIn-Version, X-Restli-Protocol-Version 2.0.0, Rest.li 2.0 encoded URNs),
posts, images and documents, comments, organisation share statistics, and LinkedIn's error
envelope. ``post_failures`` queues what the next ``POST /rest/posts`` calls do instead:
``429``, ``429_day``, ``401``, ``422_duplicate``, ``500_created``, ``500_not_created``,
``slow_created``, ``no_id``."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.serving import make_server

CLIENT_ID = "li-client"
CLIENT_SECRET = "li-s3cret"
ORG_ID = "2414183"
ORG_URN = f"urn:li:organization:{ORG_ID}"
MEMBER = "urn:li:person:8675309"
ACTIVE_VERSIONS = frozenset({"202510", "202511", "202512"})
ACCESS_TTL, REFRESH_TTL = 5_184_000, 31_536_000


def error(status: int, message: str, code: str | None = None, service: int | None = None) -> Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service is not None:
        body["serviceErrorCode"] = service
    response = jsonify(body)
    response.status_code = status
    return response


def now_ms() -> int:
    return int(time.time() * 1000)


class FakeLinkedIn:
    """State and switches of the fake (see the module docstring)."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}  # access token -> member
        self.refresh_tokens: dict[str, str] = {}
        self.codes: dict[str, str] = {}  # code -> redirect_uri
        self.admin_of: list[str] = [ORG_ID]
        self.posts: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.stats: dict[str, dict[str, Any]] = {}
        self.post_failures: list[str] = []
        self.processing_reads = 0  # how many status reads an upload answers PROCESSING
        self.fail_processing = False
        self.requests: list[dict[str, Any]] = []
        self._ids = itertools.count(6844785523593134080)
        self._lock = threading.Lock()

    def issue_token(self, member: str = MEMBER) -> str:
        token = "AQX" + secrets.token_urlsafe(24)
        self.tokens[token] = member
        return token

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def add_comment(self, post_urn: str, actor: str, text: str, *, at: int | None = None,
                    parent: str | None = None, activity: str | None = None) -> dict[str, Any]:
        activity = activity or f"urn:li:activity:{post_urn.rsplit(':', 1)[-1]}"
        cid = str(self.next_id())
        element = {"id": cid, "actor": actor, "object": activity, "message": {"text": text, "attributes": []},
                   "created": {"actor": actor, "time": at or now_ms()},
                   "commentUrn": f"urn:li:comment:({activity},{cid})"}
        element["$URN"] = element["commentUrn"]
        if parent:
            element["parentComment"] = parent
        self.comments.setdefault(parent or post_urn, []).append(element)
        return element


def build_app(fake: FakeLinkedIn) -> Flask:
    app = Flask("fake_linkedin")

    @app.before_request
    def log_and_check() -> Response | None:
        fake.requests.append({"method": request.method, "path": request.path, "args": dict(request.args),
                              "headers": dict(request.headers), "json": request.get_json(silent=True)})
        if not request.path.startswith("/rest/"):
            return None
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in fake.tokens:
            return error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
        version = request.headers.get("LinkedIn-Version")
        if not version:
            return error(400, "A version must be present. Please specify a version by adding the LinkedIn-Version "
                              "header.", "VERSION_MISSING")
        if version not in ACTIVE_VERSIONS:
            return error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
        if request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return error(400, "Rest.li protocol version 2.0.0 is required", "ILLEGAL_ARGUMENT")
        if b"urn:li:" in request.query_string:  # Rest.li 2.0: URNs in queries are percent-encoded
            return error(400, "Invalid query parameter: URN values must be encoded", "ILLEGAL_ARGUMENT")
        return None

    @app.get("/oauth/v2/authorization")
    def authorize() -> Response:
        if request.args.get("client_id") != CLIENT_ID or request.args.get("response_type") != "code":
            return error(400, "invalid client")
        code = secrets.token_urlsafe(12)
        fake.codes[code] = request.args["redirect_uri"]
        return redirect(f"{request.args['redirect_uri']}?{urlencode({'code': code, 'state': request.args['state']})}")

    @app.post("/oauth/v2/accessToken")
    def access_token() -> Response:
        form = request.form
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return oauth_error(401, "invalid_client", "Client authentication failed")
        if form.get("grant_type") == "authorization_code":
            if fake.codes.pop(form.get("code", ""), None) != form.get("redirect_uri"):
                return oauth_error(400, "invalid_request", "Unable to retrieve access token: appid/redirect uri/code "
                                                           "verifier does not match authorization code.")
            refresh = "AQW" + secrets.token_urlsafe(24)
            fake.refresh_tokens[refresh] = MEMBER
            refresh_ttl = REFRESH_TTL
        elif form.get("grant_type") == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in fake.refresh_tokens:
                return oauth_error(400, "invalid_grant", "The provided authorization grant or refresh token is "
                                                         "invalid, expired or revoked.")
            refresh_ttl = REFRESH_TTL - 86_400  # counts down: a refresh does not extend it
        else:
            return oauth_error(400, "unsupported_grant_type", "grant_type is not supported")
        return jsonify({"access_token": fake.issue_token(), "expires_in": ACCESS_TTL, "refresh_token": refresh,
                        "refresh_token_expires_in": refresh_ttl,
                        "scope": "r_organization_social,w_organization_social,rw_organization_admin"})

    def oauth_error(status: int, code: str, description: str) -> Response:
        response = jsonify({"error": code, "error_description": description})
        response.status_code = status
        return response

    @app.get("/rest/organizationAcls")
    def acls() -> Response:
        if request.args.get("q") != "roleAssignee":
            return error(400, "Invalid finder", "ILLEGAL_ARGUMENT")
        return jsonify({"paging": {"start": 0, "count": 10, "links": []}, "elements": [
            {"roleAssignee": MEMBER, "state": "APPROVED", "role": "ADMINISTRATOR",
             "organization": f"urn:li:organization:{org}"} for org in fake.admin_of]})

    @app.get("/rest/organizations/<org_id>")
    def organization(org_id: str) -> Response:
        return jsonify({"id": int(org_id), "localizedName": "Devtestco", "vanityName": "devtestco"})

    @app.post("/rest/posts")
    def create_post() -> Response:
        body = request.get_json(silent=True) or {}
        failure = fake.post_failures.pop(0) if fake.post_failures else None
        if failure == "429":
            return error(429, "Resource level throttle limit for calls to this resource is reached.", None, 101)
        if failure == "429_day":
            return error(429, "Too Many Requests: DAY limit for calls to this resource is reached.", None, 101)
        if failure == "401":
            return error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65602)
        if failure == "422_duplicate":
            return error(422, "Content is a duplicate of urn:li:share:6844785523593134079", None)
        if failure == "500_not_created":
            return error(500, "Internal Server Error")
        if body.get("author") != ORG_URN or not isinstance(body.get("commentary"), str) \
                or body.get("lifecycleState") != "PUBLISHED" or "distribution" not in body:
            return error(422, "ERROR :: /author :: is not a valid organization you administer", None, 100)
        for media_id in _media_ids(body.get("content") or {}):
            if fake.uploads.get(media_id, {}).get("status") != "AVAILABLE":
                return error(400, f"Media {media_id} is not available", "ILLEGAL_ARGUMENT")
        urn = f"urn:li:share:{fake.next_id()}"
        fake.posts[urn] = {**body, "id": urn, "createdAt": now_ms(), "publishedAt": now_ms(),
                           "lastModifiedAt": now_ms()}
        if failure == "500_created":
            return error(500, "Internal Server Error")
        if failure == "slow_created":
            time.sleep(1.5)
        response = Response(status=201)
        if failure != "no_id":
            response.headers["x-restli-id"] = urn
        return response

    @app.get("/rest/posts")
    def posts_by_author() -> Response:
        if request.args.get("q") != "author" or request.args.get("author") != ORG_URN:
            return error(403, "Not enough permissions to access: GET /posts", "ACCESS_DENIED", 100)
        start, count = int(request.args.get("start", 0)), min(int(request.args.get("count", 10)), 100)
        ordered = sorted(fake.posts.values(), key=lambda p: p["createdAt"], reverse=True)
        return jsonify({"paging": {"start": start, "count": count, "total": len(ordered), "links": []},
                        "elements": ordered[start:start + count]})

    @app.delete("/rest/posts/<path:urn>")
    def delete_post(urn: str) -> Response:
        if request.headers.get("X-RestLi-Method") != "DELETE":
            return error(400, "X-RestLi-Method DELETE is required", "ILLEGAL_ARGUMENT")
        fake.posts.pop(urn, None)
        return Response(status=204)

    @app.post("/rest/<api>")
    def initialize_upload(api: str) -> Response:
        owner = ((request.get_json(silent=True) or {}).get("initializeUploadRequest") or {}).get("owner")
        if api not in ("images", "documents") or request.args.get("action") != "initializeUpload":
            return error(404, "Not found")
        if owner != ORG_URN:
            return error(403, "Not enough permissions to access: owner", "ACCESS_DENIED", 100)
        kind = api[:-1]
        urn = f"urn:li:{kind}:D5510AQ{fake.next_id()}"
        fake.uploads[urn] = {"kind": kind, "status": "WAITING_UPLOAD", "data": b"", "reads": 0}
        return jsonify({"value": {"uploadUrlExpiresAt": now_ms() + 3_600_000, kind: urn,
                                  "uploadUrl": f"{request.host_url}dms-uploads/{urn}"}})

    @app.put("/dms-uploads/<path:urn>")
    def upload_bytes(urn: str) -> Response:
        if urn not in fake.uploads or request.headers.get("Authorization", "")[7:] not in fake.tokens:
            return error(401, "Unauthorized")
        fake.uploads[urn].update(data=request.get_data(), status="PROCESSING")
        return Response(status=201)

    @app.get("/rest/<api>/<path:urn>")
    def upload_status(api: str, urn: str) -> Response:
        upload = fake.uploads.get(urn)
        if upload is None or api not in ("images", "documents"):
            return error(404, "Not found")
        if upload["status"] == "PROCESSING":
            upload["reads"] += 1
            if fake.fail_processing:
                upload["status"] = "PROCESSING_FAILED"
            elif upload["reads"] > fake.processing_reads:
                upload["status"] = "AVAILABLE"
        return jsonify({"id": urn, "status": upload["status"]})

    @app.route("/rest/socialActions/<path:urn>/comments", methods=["GET", "POST"])
    def comments(urn: str) -> Response:
        if request.method == "GET":
            start, count = int(request.args.get("start", 0)), int(request.args.get("count", 10))
            found = fake.comments.get(urn, [])
            return jsonify({"paging": {"start": start, "count": count, "total": len(found), "links": []},
                            "elements": found[start:start + count]})
        body = request.get_json(silent=True) or {}
        text = (body.get("message") or {}).get("text")
        if body.get("actor") != ORG_URN or not isinstance(text, str):
            return error(422, "Invalid comment", None, 100)
        if urn.startswith("urn:li:comment:") and body.get("parentComment") != urn:
            return error(400, "parentComment must name the comment replied to", "ILLEGAL_ARGUMENT")
        if urn.startswith("urn:li:comment:"):
            element = fake.add_comment(urn, ORG_URN, text, parent=urn, activity=body.get("object"))
        else:
            element = fake.add_comment(urn, ORG_URN, text)
        response = jsonify(element)
        response.status_code = 201
        response.headers["x-restli-id"] = element["id"]
        return response

    @app.get("/rest/organizationalEntityShareStatistics")
    def share_statistics() -> Response:
        if request.args.get("q") != "organizationalEntity" or request.args.get("organizationalEntity") != ORG_URN:
            return error(403, "Not enough permissions", "ACCESS_DENIED", 100)
        elements = []
        for param, key in (("shares", "share"), ("ugcPosts", "ugcPost")):
            listed = request.args.get(param)
            if listed is None:
                continue
            if not (listed.startswith("List(") and listed.endswith(")")):
                return error(400, f"Invalid value for {param}", "ILLEGAL_ARGUMENT")
            for urn in filter(None, listed[5:-1].split(",")):
                if urn in fake.posts:
                    stats = {"uniqueImpressionsCount": 0, "shareCount": 0, "engagement": 0.0, "clickCount": 0,
                             "likeCount": 0, "impressionCount": 0, "commentCount": 0, **fake.stats.get(urn, {})}
                    elements.append({"organizationalEntity": ORG_URN, key: urn, "totalShareStatistics": stats})
        return jsonify({"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})

    return app


def _media_ids(content: dict[str, Any]) -> list[str]:
    if "media" in content:
        return [content["media"].get("id")]
    return [i.get("id") for i in (content.get("multiImage") or {}).get("images", [])]


class FakeLinkedInServer:
    """Serves a :class:`FakeLinkedIn` on an ephemeral loopback port in a thread."""

    def __init__(self, fake: FakeLinkedIn) -> None:
        self.fake = fake
        self._server = make_server("127.0.0.1", 0, build_app(fake), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeLinkedInServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
