"""A fake Salesforce for tests: a Flask app served over real HTTP on 127.0.0.1 (ephemeral port),
following Herald's Salesforce contract: the OAuth 2.0 token endpoint (JWT bearer checked against
the connected app's certificate, refresh token, username-password), the Data API under
``/services/data/vNN.N/`` with bearer sessions, sObject create and upsert by External ID
(201/200/204/300), sObject Collections (create, and upsert by External ID), SOQL queries paged
with ``nextRecordsUrl``, Salesforce's error bodies (``errorCode`` arrays, ``statusCode`` in
collection results, OAuth errors) and the ``Sforce-Limit-Info`` header. Behaviours are switched
per test through attributes."""

from __future__ import annotations

import base64
import itertools
import json
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log in test output

CONSUMER_KEY = "3MVG9-herald-connected-app"
CONSUMER_SECRET = "consumer-s3cret"
USERNAME = "integration@acme.example"
PASSWORD = "pass-word" + "SECURITYTOKEN"
ORG_ID = "00Di0000000icUB"
PREFIX = {"Contact": "003", "Lead": "00Q", "Case": "500", "Account": "001"}
REQUIRED = {"Contact": ("LastName",), "Lead": ("LastName", "Company"), "Case": ()}
#: fields each sObject has (anything else is INVALID_FIELD)
FIELDS = {
    "Contact": {"LastName", "FirstName", "Email", "Description", "Title", "RecordTypeId", "Herald_Author_Id__c"},
    "Lead": {"LastName", "FirstName", "Company", "LeadSource", "Description", "Status", "RecordTypeId",
             "Herald_Author_Id__c", "Herald_Record_Id__c", "Social_Handle__c"},
    "Case": {"Subject", "Description", "Origin", "Priority", "Status", "ContactId", "RecordTypeId",
             "Herald_Record_Id__c", "Herald_Link__c"},
}
EXTERNAL_IDS = {"Contact": {"Herald_Author_Id__c"}, "Lead": {"Herald_Author_Id__c", "Herald_Record_Id__c"},
                "Case": {"Herald_Record_Id__c"}}


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _errors(status: int, code: str, message: str, fields: list[str] | None = None) -> Response:
    item: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    response = jsonify([item])
    response.status_code = status
    return response


def _oauth(error: str, description: str, status: int = 400) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


@dataclass
class FakeSalesforce:
    """The org's state and the switches tests turn."""

    login_url: str = ""
    public_key: rsa.RSAPublicKey | None = None
    refresh_tokens: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {k: {} for k in PREFIX})
    #: (sobject, fields) -> message: FIELD_CUSTOM_VALIDATION_EXCEPTION when it answers a message
    validation_rules: list[Any] = field(default_factory=list)
    #: sobject -> field whose equal values the duplicate rule blocks (DUPLICATES_DETECTED)
    duplicate_rules: dict[str, str] = field(default_factory=dict)
    #: the org's answer to a successful update by upsert: 200 (v46+) or 204 (older)
    update_status: int = 200
    #: sObject Collections upsert exists (v46+); off: 404 as an older version answers
    collections_upsert: bool = True
    #: the next N Data API / token requests answer 503
    down: int = 0
    #: the next N writes are applied but their answer is a 502 (the answer is lost)
    lose_answers: int = 0
    #: grant refused for good (revoked user approval)
    revoked: bool = False
    api_used: int = 0
    api_limit: int = 5000
    page_size: int = 2000
    token_requests: int = 0
    data_requests: list[tuple[str, str]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    assertions: list[dict[str, Any]] = field(default_factory=list)
    _seq: Any = field(default_factory=lambda: itertools.count(1))
    _case_numbers: Any = field(default_factory=lambda: itertools.count(1001))
    _cursors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # ------------------------------------------------------------------ helpers for tests
    def expire_sessions(self) -> None:
        self.sessions.clear()

    def of(self, sobject: str) -> list[dict[str, Any]]:
        return list(self.records[sobject].values())

    def set_case(self, case_id: str, *, status: str | None = None, owner: str | None = None) -> None:
        case = self.records["Case"][case_id]
        if status:
            case["Status"] = status
        if owner:
            case["_owner"] = owner

    def new_id(self, sobject: str) -> str:
        return f"{PREFIX[sobject]}{next(self._seq):012d}AAA"

    # ------------------------------------------------------------------ record rules
    def problems(self, sobject: str, values: dict[str, Any], *, existing: dict[str, Any] | None = None
                 ) -> tuple[str, str, list[str]] | None:
        """(statusCode, message, fields) of the first rule ``values`` break; None when valid."""
        unknown = [k for k in values if k not in FIELDS[sobject] and k != "attributes"]
        if unknown:
            return "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {sobject}", [unknown[0]]
        merged = {**(existing or {}), **values}
        missing = [f for f in REQUIRED[sobject] if not merged.get(f)]
        if missing:
            return "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
        for rule in self.validation_rules:
            message = rule(sobject, merged)
            if message:
                return "FIELD_CUSTOM_VALIDATION_EXCEPTION", message, []
        dup_field = self.duplicate_rules.get(sobject)
        if dup_field and merged.get(dup_field):
            for other in self.records[sobject].values():
                if other is not existing and other.get(dup_field) == merged[dup_field]:
                    return ("DUPLICATES_DETECTED", "Use one of these records?", [])
        return None

    def resolve_references(self, sobject: str, values: dict[str, Any]) -> tuple[str, str, list[str]] | None:
        """``"Contact": {"Ext__c": "v"}`` becomes ``ContactId``; an unknown key is refused."""
        ref = values.pop("Contact", None)
        if ref is None:
            return None
        if sobject != "Case" or not isinstance(ref, dict) or len(ref) != 1:
            return "INVALID_FIELD", "Invalid relationship reference", ["Contact"]
        (ext, value), = ref.items()
        match = [r for r in self.records["Contact"].values() if r.get(ext) == value]
        if ext not in EXTERNAL_IDS["Contact"] or not match:
            return ("INVALID_FIELD", f"Foreign key external ID: {value} not found for field {ext} in entity Contact",
                    ["Contact"])
        values["ContactId"] = match[0]["Id"]
        return None

    def upsert(self, sobject: str, ext: str, value: str, values: dict[str, Any]
               ) -> tuple[int, dict[str, Any] | list[Any] | None]:
        """(status, body) of one upsert, as ``PATCH /sobjects/{type}/{ext}/{value}`` answers it."""
        values = {k: v for k, v in values.items() if k != "attributes"}
        problem = self.resolve_references(sobject, values)
        matches = [r for r in self.records[sobject].values() if r.get(ext) == value]
        if len(matches) > 1:
            return 300, [f"/services/data/v59.0/sobjects/{sobject}/{r['Id']}" for r in matches]
        existing = matches[0] if matches else None
        problem = problem or self.problems(sobject, values, existing=existing)
        if problem:
            code, message, fields = problem
            return 400, [{"message": message, "errorCode": code, "fields": fields}]
        if existing is not None:
            existing.update(values)
            return self.update_status, {"id": existing["Id"], "success": True, "errors": [], "created": False}
        record = self._insert(sobject, {**values, ext: value})
        return 201, {"id": record["Id"], "success": True, "errors": [], "created": True}

    def _insert(self, sobject: str, values: dict[str, Any]) -> dict[str, Any]:
        record = {**values, "Id": self.new_id(sobject)}
        if sobject == "Case":
            record["CaseNumber"] = f"{next(self._case_numbers):08d}"
            record.setdefault("Status", "New")
            record["_owner"] = "Integration User"
        self.records[sobject][record["Id"]] = record
        return record

    def create(self, sobject: str, values: dict[str, Any]) -> tuple[int, dict[str, Any] | list[Any]]:
        values = {k: v for k, v in values.items() if k != "attributes"}
        problem = self.resolve_references(sobject, values) or self.problems(sobject, values)
        if problem:
            code, message, fields = problem
            return 400, [{"message": message, "errorCode": code, "fields": fields}]
        record = self._insert(sobject, values)
        return 201, {"id": record["Id"], "success": True, "errors": []}


class FakeSalesforceServer:
    """Serves a :class:`FakeSalesforce` on loopback; the login host and the instance are one URL."""

    def __init__(self, fake: FakeSalesforce) -> None:
        self.fake = fake
        self.app = self._build()
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        fake.login_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> FakeSalesforceServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------ app
    def _build(self) -> Flask:
        app = Flask("fake-salesforce")
        fake = self.fake

        def limited(response: Response) -> Response:
            response.headers["Sforce-Limit-Info"] = f"api-usage={fake.api_used}/{fake.api_limit}"
            return response

        @app.post("/services/oauth2/token")
        def token() -> Response:
            with fake.lock:
                fake.token_requests += 1
                if fake.down > 0:
                    fake.down -= 1
                    return _oauth("server_error", "Service unavailable", 503)
                form = request.form
                kind = form.get("grant_type")
                if kind == "urn:ietf:params:oauth:grant-type:jwt-bearer":
                    refused = self._check_assertion(form.get("assertion", ""))
                    if refused:
                        return refused
                elif kind == "refresh_token":
                    if form.get("client_id") != CONSUMER_KEY:
                        return _oauth("invalid_client_id", "client identifier invalid")
                    if form.get("client_secret") not in (None, CONSUMER_SECRET):
                        return _oauth("invalid_client", "invalid client credentials")
                    if form.get("refresh_token") not in fake.refresh_tokens:
                        return _oauth("invalid_grant", "expired access/refresh token")
                elif kind == "password":
                    if form.get("client_id") != CONSUMER_KEY:
                        return _oauth("invalid_client_id", "client identifier invalid")
                    if form.get("client_secret") != CONSUMER_SECRET:
                        return _oauth("invalid_client", "invalid client credentials")
                    if form.get("username") != USERNAME or form.get("password") != PASSWORD:
                        return _oauth("invalid_grant", "authentication failure")
                else:
                    return _oauth("unsupported_grant_type", "grant type not supported")
                if fake.revoked:
                    return _oauth("invalid_grant", "user hasn't approved this consumer")
                access = f"{ORG_ID}!{secrets.token_urlsafe(24)}"
                fake.sessions.add(access)
                return jsonify({"access_token": access, "scope": "web api", "instance_url": self.url,
                                "id": f"{self.url}/id/{ORG_ID}/005i00000008UYO", "token_type": "Bearer",
                                "issued_at": str(int(time.time() * 1000)), "signature": "c2lnbmF0dXJl"})

        @app.route("/services/data/<version>/<path:rest>", methods=["GET", "POST", "PATCH", "DELETE"])
        def data(version: str, rest: str) -> Response:
            with fake.lock:
                fake.data_requests.append((request.method, f"/{rest}"))
                if not re.fullmatch(r"v\d{2,3}\.\d", version):
                    return _errors(404, "NOT_FOUND", "The requested resource does not exist")
                if fake.down > 0:
                    fake.down -= 1
                    return _errors(503, "SERVER_UNAVAILABLE", "Server unavailable")
                auth = request.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in fake.sessions:
                    return _errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
                fake.api_used += 1
                if fake.api_used > fake.api_limit:
                    return limited(_errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."))
                response = self._route(version, rest)
                if request.method in ("POST", "PATCH") and fake.lose_answers > 0 and response.status_code < 300:
                    fake.lose_answers -= 1
                    return limited(_errors(502, "SERVER_UNAVAILABLE", "Bad gateway"))
                return limited(response)

        return app

    def _check_assertion(self, assertion: str) -> Response | None:
        fake = self.fake
        parts = assertion.split(".")
        if len(parts) != 3 or fake.public_key is None:
            return _oauth("invalid_grant", "invalid assertion")
        try:
            header = json.loads(_b64decode(parts[0]))
            claims = json.loads(_b64decode(parts[1]))
            fake.public_key.verify(_b64decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(),
                                   hashes.SHA256())
        except (ValueError, InvalidSignature):
            return _oauth("invalid_grant", "invalid assertion")
        fake.assertions.append({"header": header, "claims": claims})
        if header.get("alg") != "RS256":
            return _oauth("invalid_grant", "invalid assertion algorithm")
        if claims.get("iss") != CONSUMER_KEY:
            return _oauth("invalid_client_id", "client identifier invalid")
        if claims.get("aud") != fake.login_url:
            return _oauth("invalid_grant", "audience is invalid")
        if claims.get("sub") != USERNAME:
            return _oauth("invalid_grant", "user hasn't approved this consumer")
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp < time.time() or exp > time.time() + 300:
            return _oauth("invalid_grant", "expired authorization code")
        return None

    def _route(self, version: str, rest: str) -> Response:
        fake, method = self.fake, request.method
        parts = rest.strip("/").split("/")
        body = request.get_json(silent=True)
        if parts[0] == "sobjects" and len(parts) == 2 and method == "POST":
            if parts[1] not in FIELDS:
                return _errors(404, "NOT_FOUND", "The requested resource does not exist")
            status, answer = fake.create(parts[1], dict(body or {}))
            return self._answer(status, answer)
        if parts[0] == "sobjects" and len(parts) == 4 and method in ("PATCH", "GET"):
            sobject, ext, value = parts[1], parts[2], parts[3]
            if sobject not in FIELDS:
                return _errors(404, "NOT_FOUND", "The requested resource does not exist")
            if ext not in EXTERNAL_IDS[sobject]:
                return _errors(400, "INVALID_FIELD", f"Field {ext} is not an External ID or indexed field")
            if method == "GET":
                matches = [r for r in fake.records[sobject].values() if r.get(ext) == value]
                if not matches:
                    return _errors(404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible")
                return jsonify({"attributes": {"type": sobject}, "Id": matches[0]["Id"]})
            if not isinstance(body, dict):
                return _errors(400, "JSON_PARSER_ERROR", "The request body is not an object")
            if ext in body:
                return _errors(400, "INVALID_FIELD", f"The field {ext} is in the URL and may not be in the body")
            status, answer = fake.upsert(sobject, ext, value, body)
            if status == 204:
                return Response(status=204)
            return self._answer(status, answer)
        if parts[0] == "composite" and len(parts) >= 2 and parts[1] == "sobjects":
            return self._collections(parts, body)
        if parts[0] == "query" and method == "GET":
            if len(parts) == 2:
                return self._page(version, parts[1])
            return self._query(version, request.args.get("q", ""))
        return _errors(404, "NOT_FOUND", "The requested resource does not exist")

    @staticmethod
    def _answer(status: int, answer: Any) -> Response:
        response = jsonify(answer)
        response.status_code = status
        return response

    def _collections(self, parts: list[str], body: Any) -> Response:
        fake = self.fake
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            return _errors(400, "JSON_PARSER_ERROR", "records is required")
        records = body["records"]
        if len(records) > 200:
            return _errors(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records "
                                                     "into this call")
        if body.get("allOrNone") is not False:
            return _errors(400, "INVALID_FIELD", "this fake expects allOrNone: false")
        results: list[dict[str, Any]] = []
        if request.method == "POST" and len(parts) == 2:
            for rec in records:
                sobject = (rec.get("attributes") or {}).get("type")
                status, answer = fake.create(sobject, dict(rec)) if sobject in FIELDS else (
                    400, [{"message": "sObject type is required", "errorCode": "INVALID_TYPE", "fields": []}])
                results.append(self._result(status, answer))
            return jsonify(results)
        if request.method == "PATCH" and len(parts) == 4:
            if not fake.collections_upsert:
                return _errors(404, "NOT_FOUND", "The requested resource does not exist")
            sobject, ext = parts[2], parts[3]
            if sobject not in FIELDS or ext not in EXTERNAL_IDS[sobject]:
                return _errors(400, "INVALID_FIELD", f"Field {ext} is not an External ID field of {sobject}")
            for rec in records:
                values = {k: v for k, v in rec.items() if k != ext}
                if (rec.get("attributes") or {}).get("type") != sobject or not rec.get(ext):
                    results.append({"success": False, "errors": [{"statusCode": "INVALID_FIELD", "message":
                                    f"every record needs type {sobject} and a value for {ext}", "fields": [ext]}]})
                    continue
                status, answer = fake.upsert(sobject, ext, str(rec[ext]), values)
                if status == 300:
                    results.append({"success": False, "errors": [{"statusCode": "DUPLICATE_EXTERNAL_ID", "message":
                                    f"Duplicate external id specified: {rec[ext]}", "fields": [ext]}]})
                    continue
                results.append(self._result(status, answer))
            return jsonify(results)
        return _errors(404, "NOT_FOUND", "The requested resource does not exist")

    @staticmethod
    def _result(status: int, answer: Any) -> dict[str, Any]:
        if status < 300:
            out = {"id": answer["id"], "success": True, "errors": []}
            if "created" in answer:
                out["created"] = answer["created"]
            return out
        return {"success": False, "errors": [{"statusCode": e["errorCode"], "message": e["message"],
                                              "fields": e.get("fields", [])} for e in answer]}

    def _query(self, version: str, soql: str) -> Response:
        fake = self.fake
        fake.queries.append(soql)
        match = re.fullmatch(r"SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+Id\s+IN\s+\(([^)]*)\))?\s*", soql, re.I)
        if not match or match.group(2) not in FIELDS:
            return _errors(400, "MALFORMED_QUERY", "unexpected token")
        sobject = match.group(2)
        rows = list(fake.records[sobject].values())
        if match.group(3) is not None:
            wanted = {v.strip().strip("'") for v in match.group(3).split(",")}
            rows = [r for r in rows if r["Id"] in wanted or r["Id"][:15] in wanted]
        columns = [c.strip() for c in match.group(1).split(",")]
        out = [self._select(sobject, version, r, columns) for r in rows]
        locator = f"01g{secrets.token_hex(6)}"
        fake._cursors[locator] = out
        return self._page(version, f"{locator}-0")

    def _page(self, version: str, cursor: str) -> Response:
        fake = self.fake
        locator, _, offset = cursor.rpartition("-")
        rows = fake._cursors.get(locator)
        if rows is None or not offset.isdigit():
            return _errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        start = int(offset)
        chunk = rows[start:start + fake.page_size]
        done = start + fake.page_size >= len(rows)
        body: dict[str, Any] = {"totalSize": len(rows), "done": done, "records": chunk}
        if not done:
            body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{start + fake.page_size}"
        return jsonify(body)

    @staticmethod
    def _select(sobject: str, version: str, row: dict[str, Any], columns: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": sobject, "url": f"/services/data/{version}/sobjects/"
                                                                     f"{sobject}/{row['Id']}"}}
        for column in columns:
            if column == "Owner.Name":
                out["Owner"] = {"attributes": {"type": "User"}, "Name": row.get("_owner")}
            else:
                out[column] = row.get(column)
        return out
