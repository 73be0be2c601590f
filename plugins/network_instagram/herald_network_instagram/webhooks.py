"""Meta's webhook callback for one tenant: ``/plugins/network_instagram/webhook/<tenant_id>``.

GET answers the subscription handshake when ``hub.verify_token`` matches the tenant's
``webhook_verify_token``. POST accepts a delivery only with a valid ``X-Hub-Signature-256``
(HMAC-SHA256 of the raw body with the tenant's ``app_secret``), and records each change once as
a domain event ``instagram.<field>`` (``instagram.comments``, ``instagram.mentions``…) and each
direct message (``messaging[]``, echoes included) once as ``instagram.messages``: Meta
redelivers, so an event seen before is acknowledged and dropped. The events and their keys are
described in :mod:`herald_network_instagram.webhook_events`."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flask import Blueprint, Response, request

from herald.plugins import RequestBodyRefused, read_request_json, record_inbound_event, tenant_plugin_settings
from herald_network_instagram.webhook_events import events

PLUGIN = "network_instagram"
PROBLEM_BASE = "https://herald.dev/problems/"
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
    # Bytes: a header may carry non-ASCII characters, which compare_digest refuses in a str.
    return hmac.compare_digest(expected.encode(), received.strip().lower().encode("utf-8", "replace"))


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
    try:  # Herald's strict reader: UTF-8, no NUL or lone surrogates, no NaN, bounded depth and numbers
        payload = read_request_json(raw)
    except RequestBodyRefused as exc:
        return problem(exc.status, exc.title, exc.detail, exc.slug)
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list) or _too_deep(payload):
        return problem(400, "Bad request", "Expected {\"object\": ..., \"entry\": [...]}.", "bad-request")
    recorded = duplicates = 0
    for event in events(payload):
        if record_inbound_event(tenant_id, event.type, event.data, event.dedup_key):
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
