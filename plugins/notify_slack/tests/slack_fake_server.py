"""A fake Slack incoming-webhook service on loopback, following Slack's public contract:
``POST /services/<T>/<B>/<secret>`` with a JSON body, ``200 ok`` on success, plain-text error
codes (``invalid_payload``, ``invalid_blocks``, ``action_prohibited``, ``channel_not_found``,
``channel_is_archived``, ``no_service``, ``rollup_error``) and ``429`` with ``Retry-After`` when a
webhook is sent more than about one message a second."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BLOCK_TYPES = {"header", "section", "actions", "context", "divider", "image"}


@dataclass
class Webhook:
    """One webhook: what it received, and how it answers next."""

    status: str = "active"  # active | channel_not_found | channel_is_archived | action_prohibited
    received: list[dict[str, Any]] = field(default_factory=list)
    scripted: list[tuple[int, str, dict[str, str], float]] = field(default_factory=list)
    last_at: float | None = None
    rate_limited: int = 0


def block_problem(blocks: Any) -> str | None:
    """Why Slack would refuse these blocks (``invalid_blocks``), or None."""
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "blocks"
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            return "type"
        text = block.get("text")
        if block["type"] == "header" and (not isinstance(text, dict) or text.get("type") != "plain_text"
                                          or not text.get("text") or len(text["text"]) > 150):
            return "header"
        if block["type"] == "section" and (not isinstance(text, dict)
                                           or text.get("type") not in ("plain_text", "mrkdwn")
                                           or not text.get("text") or len(text["text"]) > 3000):
            return "section"
        if block["type"] == "actions":
            for element in block.get("elements") or [None]:
                if not isinstance(element, dict) or element.get("type") != "button":
                    return "actions"
                label = element.get("text")
                if not isinstance(label, dict) or label.get("type") != "plain_text" or not label.get("text") \
                        or len(label["text"]) > 75:
                    return "button"
                if "url" in element and (not isinstance(element["url"], str) or len(element["url"]) > 3000):
                    return "url"
    return None


class FakeSlack:
    """The state of the fake: webhooks by path. ``min_gap`` is the least time between two
    messages to one webhook before it answers 429 (0: never)."""

    def __init__(self, min_gap: float = 0.0) -> None:
        self.webhooks: dict[str, Webhook] = {}
        self.min_gap = min_gap
        self.lock = threading.Lock()

    def add(self, name: str, status: str = "active") -> str:
        path = f"/services/T0HERALD/B{name.upper()}/s3cr3t{name}"
        self.webhooks[path] = Webhook(status)
        return path

    def answer_next(self, path: str, status: int, body: str, headers: dict[str, str] | None = None,
                    delay: float = 0.0) -> None:
        """Make the next request to ``path`` get this answer (after ``delay`` seconds)."""
        self.webhooks[path].scripted.append((status, body, headers or {}, delay))

    def handle(self, path: str, content_type: str, raw: bytes) -> tuple[int, str, dict[str, str], float]:
        with self.lock:
            hook = self.webhooks.get(path)
            if hook is None:
                return 404, "no_service", {}, 0.0
            if hook.scripted:
                return hook.scripted.pop(0)
            now = time.monotonic()
            if self.min_gap and hook.last_at is not None and now - hook.last_at < self.min_gap:
                hook.rate_limited += 1
                return 429, "rate_limited", {"Retry-After": "1"}, 0.0
            hook.last_at = now
            if hook.status == "channel_not_found":
                return 404, "channel_not_found", {}, 0.0
            if hook.status == "channel_is_archived":
                return 410, "channel_is_archived", {}, 0.0
            if hook.status == "action_prohibited":
                return 403, "action_prohibited", {}, 0.0
            if not content_type.startswith("application/json"):
                return 400, "invalid_payload", {}, 0.0
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return 400, "invalid_payload", {}, 0.0
            if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
                return 400, "invalid_payload", {}, 0.0
            if "blocks" in body and block_problem(body["blocks"]):
                return 400, "invalid_blocks", {}, 0.0
            hook.received.append(body)
            return 200, "ok", {}, 0.0


class FakeSlackServer:
    """Serves a :class:`FakeSlack` on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body, headers, delay = outer.fake.handle(self.path, self.headers.get("Content-Type", ""), raw)
                if delay:
                    time.sleep(delay)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
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

    def start(self) -> FakeSlackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
