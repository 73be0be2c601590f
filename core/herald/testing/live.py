"""Herald served over real HTTP on a loopback port, and an HTTP client that keeps cookies the way
a browser does, for end-to-end tests (single sign-on through a real identity provider).

One server runs for the whole test session on a fixed port, so that an identity provider can be
told Herald's callback URL once; each test points it at its own ``app``."""

from __future__ import annotations

import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests
from werkzeug.serving import BaseWSGIServer, make_server

LOOPBACK = ("127.0.0.1", "localhost")


class LiveServer:
    """A threaded WSGI server on 127.0.0.1 that forwards every request to the current ``app``."""

    def __init__(self) -> None:
        self.app: Any = None
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="herald-live-server", daemon=True)
        self.thread.start()

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no Herald app is being served"]
        return self.app(environ, start_response)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class _BrowserCookiePolicy(DefaultCookiePolicy):
    # Browsers treat http://127.0.0.1 as a secure context and send it Secure cookies; the
    # standard library does not, which would hide Herald's production cookie attributes.
    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        if urlsplit(request.get_full_url()).hostname in LOOPBACK:
            return True
        return super().return_ok_secure(cookie, request)


class _Browser(requests.Session):
    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        prepared = super().prepare_request(request)
        # requests copies the cookies into a jar of the default policy; ask ours instead.
        prepared.headers.pop("Cookie", None)
        header = requests.cookies.get_cookie_header(self.cookies, prepared)
        if header:
            prepared.headers["Cookie"] = header
        return prepared


def browser() -> requests.Session:
    """A ``requests`` session that stores and sends cookies as a browser does on loopback."""
    http = _Browser()
    http.cookies.set_policy(_BrowserCookiePolicy())
    return http
