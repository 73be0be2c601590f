"""A fake Microsoft Teams on loopback, following the public contract of both kinds of webhook:

- a Workflows trigger (``POST /workflows/<id>/triggers/manual/paths/invoke?…&sig=<sig>``):
  ``202`` with an empty body whatever happens to the message afterwards; ``401`` with a JSON
  error for a wrong signature, ``400`` for a body that is not JSON, ``429`` with
  ``Retry-After`` when throttled;
- a legacy Office 365 connector (``POST /webhookb2/<…>/IncomingWebhook/<…>``): ``200`` with
  ``1`` on success, ``400`` for a payload it cannot read, and — as Teams does — ``200`` with
  ``Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error
  <n> …`` when throttled (above about four messages a second) or for a message over 28 KB.

Both take ``{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": <AdaptiveCard>}]}``."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BYTES = 28 * 1024
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
ELEMENTS = {"TextBlock", "Image", "Container", "ColumnSet", "FactSet"}


def failed(status: int) -> str:
    return (f"Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error {status} "
            "with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=Hq2bx0RaS0WoAYRyEPzl5A.0..")


@dataclass
class Webhook:
    kind: str  # workflow | connector
    sig: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    scripted: list[tuple[int, str, dict[str, str], float]] = field(default_factory=list)
    last_at: float | None = None
    throttled: int = 0


def card_problem(body: Any) -> str | None:
    """Why Teams could not read this message, or None."""
    if not isinstance(body, dict) or body.get("type") != "message":
        return "type"
    attachments = body.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return "attachments"
    for attachment in attachments:
        if not isinstance(attachment, dict) or attachment.get("contentType") != ADAPTIVE:
            return "contentType"
        card = attachment.get("content")
        if not isinstance(card, dict) or card.get("type") != "AdaptiveCard" or not isinstance(card.get("version"), str):
            return "card"
        for element in card.get("body") or []:
            if not isinstance(element, dict) or element.get("type") not in ELEMENTS:
                return "element"
            if element["type"] == "TextBlock" and not isinstance(element.get("text"), str):
                return "text"
        for action in card.get("actions") or []:
            if not isinstance(action, dict) or action.get("type") != "Action.OpenUrl" \
                    or not isinstance(action.get("url"), str) or not action.get("title"):
                return "action"
    return None


class FakeTeams:
    """Webhooks by path; ``min_gap`` is the least time between two messages to one webhook before
    it throttles (0: never)."""

    def __init__(self, min_gap: float = 0.0) -> None:
        self.webhooks: dict[str, Webhook] = {}
        self.min_gap = min_gap
        self.lock = threading.Lock()

    def add_workflow(self, name: str) -> str:
        sig = f"s1g{name}"
        self.webhooks[f"/workflows/{name}/triggers/manual/paths/invoke"] = Webhook("workflow", sig)
        return (f"/workflows/{name}/triggers/manual/paths/invoke?api-version=2016-06-01"
                f"&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={sig}")

    def add_connector(self, name: str) -> str:
        path = f"/webhookb2/0000-{name}@tenant/IncomingWebhook/s3cr3t{name}/1111"
        self.webhooks[path] = Webhook("connector")
        return path

    def hook(self, url_path: str) -> Webhook:
        return self.webhooks[urlsplit(url_path).path]

    def answer_next(self, url_path: str, status: int, body: str, headers: dict[str, str] | None = None,
                    delay: float = 0.0) -> None:
        self.hook(url_path).scripted.append((status, body, headers or {}, delay))

    def handle(self, target: str, raw: bytes) -> tuple[int, str, dict[str, str], float]:
        parts = urlsplit(target)
        with self.lock:
            hook = self.webhooks.get(parts.path)
            if hook is None:
                return 404, "", {}, 0.0
            if hook.kind == "workflow" and parse_qs(parts.query).get("sig") != [hook.sig]:
                return 401, json.dumps({"error": {"code": "DirectApiAuthorizationRequired",
                                                  "message": "The request must be authenticated."}}), {}, 0.0
            if hook.scripted:
                return hook.scripted.pop(0)
            now = time.monotonic()
            if self.min_gap and hook.last_at is not None and now - hook.last_at < self.min_gap:
                hook.throttled += 1
                if hook.kind == "workflow":
                    return 429, json.dumps({"error": {"code": "TooManyRequests"}}), {"Retry-After": "1"}, 0.0
                return 200, failed(429), {}, 0.0
            hook.last_at = now
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                if hook.kind == "workflow":
                    return 400, json.dumps({"error": {"code": "InvalidRequestContent"}}), {}, 0.0
                return 400, "Bad payload received by generic incoming webhook.", {}, 0.0
            if hook.kind == "workflow":
                if not card_problem(body):  # delivery is asynchronous: a bad card is silently lost
                    hook.received.append(body)
                return 202, "", {}, 0.0
            if card_problem(body):
                return 400, "Bad payload received by generic incoming webhook.", {}, 0.0
            if len(raw) > MAX_BYTES:
                return 200, failed(413), {}, 0.0
            hook.received.append(body)
            return 200, "1", {}, 0.0


class FakeTeamsServer:
    """Serves a :class:`FakeTeams` on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, fake: FakeTeams) -> None:
        self.fake = fake
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body, headers, delay = outer.fake.handle(self.path, raw)
                if delay:
                    time.sleep(delay)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if body.startswith("{") else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FakeTeamsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
