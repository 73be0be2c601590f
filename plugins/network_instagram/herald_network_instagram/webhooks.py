"""Meta's webhook callback for one tenant: ``/plugins/network_instagram/webhook/<tenant_id>``.

GET answers the subscription handshake when ``hub.verify_token`` matches the tenant's
``webhook_verify_token``. POST accepts a delivery only with a valid ``X-Hub-Signature-256``
(HMAC-SHA256 of the raw body with the tenant's ``app_secret``), and records each change once as
a domain event ``instagram.<field>`` (``instagram.comments``, ``instagram.mentions``…): Meta
redelivers, so a change seen before is acknowledged and dropped."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from flask import Blueprint, Response, request

from herald.plugins import record_inbound_event, tenant_plugin_settings

PLUGIN = "network_instagram"
PROBLEM_BASE = "https://herald.dev/problems/"
FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,60}$")
#: Meta's payloads are a few levels deep; anything far deeper is refused rather than stored
MAX_DEPTH = 32

bp = Blueprint("network_instagram_webhook", __name__, url_prefix=f"/plugins/{PLUGIN}")


def problem(status: int, title: str, detail: str, slug: str) -> Response:
    body = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail,
            "instance": request.path}
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def _not_found() -> Response:
    return problem(404, "Not found", f"No resource at {request.path}.", "not-found")


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """``header`` is ``sha256=<hex>``; compared in constant time over the raw bytes."""
    scheme, _, received = header.partition("=")
    if scheme.strip().lower() != "sha256" or not received:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.strip().lower())


@bp.get("/webhook/<tenant_id>")
def verify(tenant_id: str) -> Response:
    settings = tenant_plugin_settings(PLUGIN, tenant_id)
    if settings is None:
        return _not_found()
    expected = settings.get("webhook_verify_token") or ""
    given = request.args.get("hub.verify_token", "")
    challenge = request.args.get("hub.challenge", "")
    if (request.args.get("hub.mode") != "subscribe" or not expected or not challenge
            or not hmac.compare_digest(expected.encode(), given.encode())):
        return problem(403, "Verification refused",
                       "hub.mode must be 'subscribe' and hub.verify_token must match this tenant's token.",
                       "webhook-verification-refused")
    return Response(challenge, status=200, mimetype="text/plain")


@bp.post("/webhook/<tenant_id>")
def receive(tenant_id: str) -> Response:
    settings = tenant_plugin_settings(PLUGIN, tenant_id)
    if settings is None:
        return _not_found()
    raw = request.get_data(cache=False)
    header = request.headers.get("X-Hub-Signature-256", "")
    if not header:
        return problem(401, "Signature missing", "The X-Hub-Signature-256 header is required.",
                       "webhook-signature-missing")
    if not signature_valid(str(settings.get("app_secret") or ""), raw, header):
        return problem(403, "Signature invalid",
                       "X-Hub-Signature-256 does not match the body signed with this tenant's app secret.",
                       "webhook-signature-invalid")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return problem(400, "Bad request", "The body is not JSON.", "bad-request")
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list) or _too_deep(payload):
        return problem(400, "Bad request", "Expected {\"object\": ..., \"entry\": [...]}.", "bad-request")
    recorded = duplicates = 0
    for change, sent_at in _changes(payload):
        key = json.dumps(change, sort_keys=True, separators=(",", ":"))
        if record_inbound_event(tenant_id, f"instagram.{change['field']}", {**change, "time": sent_at}, key):
            recorded += 1
        else:
            duplicates += 1
    return Response(json.dumps({"recorded": recorded, "duplicates": duplicates}), status=200,
                    mimetype="application/json")


def _too_deep(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, dict):
        return any(_too_deep(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_too_deep(v, depth + 1) for v in value)
    return False


def _changes(payload: Any) -> list[tuple[dict[str, Any], Any]]:
    """(change, entry time) per change; the change (the account's id, the field and its value)
    is the de-duplication key, without the time, which a redelivery may change."""
    out: list[tuple[dict[str, Any], Any]] = []
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return out
    obj = str(payload.get("object") or "")
    for entry in payload["entry"]:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or []:
            if not isinstance(change, dict):
                continue
            field = str(change.get("field") or "")
            if not FIELD_RE.match(field):
                continue
            out.append(({"object": obj, "account_remote_id": str(entry.get("id") or ""), "field": field,
                         "value": change.get("value")}, entry.get("time")))
    return out
