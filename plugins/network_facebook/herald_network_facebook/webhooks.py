"""Meta's Page webhook for one tenant: ``/plugins/network_facebook/webhook/<tenant_id>``.

GET answers the subscription handshake when ``hub.verify_token`` matches the tenant's
``webhook_verify_token``. POST accepts a delivery only with a valid ``X-Hub-Signature-256``
(HMAC-SHA256 of the raw body with the tenant's ``app_secret``) and records, once each, every
``changes[]`` item as ``facebook.<field>`` (keyed by the change without its time, since Meta
redelivers) and every ``messaging[]`` message as ``facebook.messages`` (keyed by its ``mid``).
Event data: ``{account_remote_id, field, value, time}``."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from flask import Blueprint, Response, request

from herald.plugins import RequestBodyRefused, read_request_json, record_inbound_event, tenant_plugin_settings
from herald_network_facebook.values import as_dict, as_id, as_text

PLUGIN = "network_facebook"
FIELD_RE = re.compile(r"^[a-z][a-z0-9_]{0,60}$")

bp = Blueprint("network_facebook_webhook", __name__, url_prefix=f"/plugins/{PLUGIN}")


def problem(status: int, title: str, detail: str, slug: str) -> Response:
    body = {"type": f"https://herald.dev/problems/{slug}", "title": title, "status": status, "detail": detail,
            "instance": request.path}
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """``header`` is ``sha256=<hex>``; compared in constant time over the raw bytes."""
    scheme, _, received = header.partition("=")
    if scheme.strip().lower() != "sha256" or not received or not secret:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), received.strip().lower().encode("utf-8", "replace"))


@bp.get("/webhook/<tenant_id>")
def verify(tenant_id: str) -> Response:
    settings = tenant_plugin_settings(PLUGIN, tenant_id)
    if settings is None:
        return problem(404, "Not found", f"No resource at {request.path}.", "not-found")
    expected, given = str(settings.get("webhook_verify_token") or ""), request.args.get("hub.verify_token", "")
    challenge = request.args.get("hub.challenge", "")
    if (request.args.get("hub.mode") != "subscribe" or not expected or not challenge
            or not hmac.compare_digest(expected.encode(), given.encode())):
        return problem(403, "Verification refused", "hub.mode must be 'subscribe' and hub.verify_token must "
                       "match this tenant's token.", "webhook-verification-refused")
    return Response(challenge, status=200, mimetype="text/plain")


@bp.post("/webhook/<tenant_id>")
def receive(tenant_id: str) -> Response:
    settings = tenant_plugin_settings(PLUGIN, tenant_id)
    if settings is None:
        return problem(404, "Not found", f"No resource at {request.path}.", "not-found")
    raw, header = request.get_data(cache=False), request.headers.get("X-Hub-Signature-256", "")
    if not header:
        return problem(401, "Signature missing", "The X-Hub-Signature-256 header is required.",
                       "webhook-signature-missing")
    if not signature_valid(str(settings.get("app_secret") or ""), raw, header):
        return problem(403, "Signature invalid", "X-Hub-Signature-256 does not match the body signed with this "
                       "tenant's app secret.", "webhook-signature-invalid")
    try:  # Herald's strict reader: UTF-8, no NUL or lone surrogates, no NaN, bounded depth and numbers
        payload = read_request_json(raw)
    except RequestBodyRefused as exc:
        return problem(exc.status, exc.title, exc.detail, exc.slug)
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return problem(400, "Bad request", 'Expected {"object": "page", "entry": [...]}.', "bad-request")
    counts = {"recorded": 0, "duplicates": 0}
    for type_, data, key in events(payload):
        counts["recorded" if record_inbound_event(tenant_id, type_, data, key) else "duplicates"] += 1
    return Response(json.dumps(counts), status=200, mimetype="application/json")


def events(payload: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(type, data, de-duplication key) of every change and message of one delivery, in order."""
    out = []
    for entry in payload["entry"]:
        entry = as_dict(entry)
        page = as_id(entry.get("id")) or ""
        for change in entry.get("changes") if isinstance(entry.get("changes"), list) else []:
            field = as_dict(change).get("field")
            if isinstance(field, str) and FIELD_RE.match(field):
                keyed = {"account_remote_id": page, "field": field, "value": change.get("value")}
                key = json.dumps(keyed, sort_keys=True, separators=(",", ":"))
                out.append((f"facebook.{field}", {**keyed, "time": entry.get("time")}, key))
        for item in entry.get("messaging") if isinstance(entry.get("messaging"), list) else []:
            message = as_dict(as_dict(item).get("message"))
            mid = as_text(message.get("mid"))
            if mid:  # read receipts, deliveries and postbacks carry no message
                side = "sender" if message.get("is_echo") is True else "recipient"
                account = as_id(as_dict(item.get(side)).get("id")) or page
                data = {"account_remote_id": account, "field": "messages", "value": item, "time": entry.get("time")}
                out.append(("facebook.messages", data, f"facebook.messages:{account}:{mid}"))
    return out
