"""Test helpers of the sso_keycloak plugin: a real OpenID Connect provider on Keycloak's paths
(node's oidc-provider, ``oidc_server/``), and a minimal browser that signs in through its login and
consent pages with plain HTTP."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import requests

from herald.plugins import SsoContext
from herald.testing.npm import npm_ci_once

SERVER_DIR = Path(__file__).parent / "oidc_server"
CALLBACK_BASE = "https://herald.test/auth/sso/acme/keycloak"
SIGNED_OUT = "https://herald.test/signed-out"
REALM = "herald"


class MemoryReplayCache:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def first_use(self, key: str, expires_at: Any) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def sso_context() -> SsoContext:
    return SsoContext(tenant_id="tnt_acme", tenant_slug="acme", base_url=CALLBACK_BASE, replay=MemoryReplayCache())


@dataclass
class IdpServer:
    """One running provider: ``server_url`` is what a tenant enters as Keycloak's base URL."""

    process: subprocess.Popen[str]
    issuer: str
    port: int

    @property
    def server_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def rotate_keys(self) -> str:
        """Sign with a new key from now on (the old one stays published); the new kid."""
        return requests.post(f"{self.server_url}__control/rotate", timeout=10).json()["kid"]

    def certs_fetched(self) -> int:
        return requests.get(f"{self.server_url}__control/stats", timeout=10).json()["certs"]

    def settings(self, **overrides: Any) -> dict[str, Any]:
        from herald_sso_keycloak import KeycloakSettings

        values = {"server_url": self.server_url, "realm": REALM, "client_id": "herald",
                  "client_secret": "herald-secret", **overrides}
        return KeycloakSettings().load({k: v for k, v in values.items() if v is not None})

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _node_available() -> bool:
    if shutil.which("node") and shutil.which("npm"):
        return True
    if os.environ.get("HERALD_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail("node and npm are needed to run the OpenID Connect provider these tests sign in with")
    pytest.skip("node and npm are not installed")
    return False


def _install() -> None:
    failed = npm_ci_once(SERVER_DIR, SERVER_DIR / "node_modules" / "oidc-provider")
    if failed:
        pytest.fail(f"npm ci failed in {SERVER_DIR}:\n{failed}")


def start_idp(tmp_dir: Path, *, redirect_uris: tuple[str, ...] = (f"{CALLBACK_BASE}/callback",),
              post_logout_redirect_uris: tuple[str, ...] = (SIGNED_OUT,)) -> IdpServer:
    _node_available()
    _install()
    env = {**os.environ, "PORT": "0", "REALM": REALM, "REDIRECT_URIS": ",".join(redirect_uris),
           "POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris)}
    log = (tmp_dir / "oidc-server.log").open("w")
    process = subprocess.Popen(["node", "server.js"], cwd=SERVER_DIR, env=env, stdout=subprocess.PIPE,
                               stderr=log, text=True)
    ready: dict[str, Any] = {}
    got_line = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:  # keep draining so the pipe never fills
            if not ready and line.startswith("{"):
                ready.update(json.loads(line))
                got_line.set()
        got_line.set()

    threading.Thread(target=read, daemon=True).start()
    if not got_line.wait(timeout=60) or not ready:
        process.kill()
        pytest.fail(f"the OpenID Connect test server did not start; see {log.name}")
    return IdpServer(process=process, issuer=ready["issuer"], port=ready["port"])


@dataclass
class Browser:
    """Follows the provider's redirects and submits its devInteractions forms, as a person's
    browser would, and stops at Herald's callback (which it returns as query parameters)."""

    callback: str = f"{CALLBACK_BASE}/callback"
    http: requests.Session = field(default_factory=requests.Session)

    def sign_in(self, authorize_url: str, login: str = "dana", *, cancel: bool = False) -> dict[str, str]:
        response = self.http.get(authorize_url, allow_redirects=False, timeout=10)
        for _ in range(10):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["location"])
                if location.startswith(self.callback):
                    return dict(parse_qsl(urlsplit(location).query))
                response = self.http.get(location, allow_redirects=False, timeout=10)
                continue
            assert response.status_code == 200, response.text[:500]
            page = response.text
            if cancel:
                abort = re.search(r'<a href="([^"]+/abort)"', page)
                assert abort, page[:500]
                response = self.http.get(urljoin(response.url, html.unescape(abort.group(1))),
                                         allow_redirects=False, timeout=10)
                continue
            action = re.search(r'<form[^>]*action="([^"]+)"', page)
            assert action, page[:500]
            form = {m.group(1): html.unescape(m.group(2))
                    for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}
            if form.get("prompt") == "login":
                form.update(login=login, password="any password")
            response = self.http.post(urljoin(response.url, html.unescape(action.group(1))), data=form,
                                      allow_redirects=False, timeout=10)
        raise AssertionError("the sign-in did not come back to Herald's callback")

    def sign_out(self, logout_url: str) -> str:
        """Confirms the provider's sign-out page; where the provider sends the browser after."""
        page = self.http.get(logout_url, allow_redirects=False, timeout=10)
        assert page.status_code == 200, page.text[:500]
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
        assert action and xsrf, page.text[:500]
        done = self.http.post(urljoin(page.url, html.unescape(action.group(1))),
                              data={"xsrf": xsrf.group(1), "logout": "yes"}, allow_redirects=False, timeout=10)
        assert done.is_redirect, done.text[:500]
        return done.headers["location"]

    def has_provider_session(self, authorize_url: str) -> bool:
        """Whether the provider still knows this browser (it skips its login page)."""
        response = self.http.get(authorize_url, allow_redirects=False, timeout=10)
        while response.is_redirect and not response.headers["location"].startswith(self.callback):
            response = self.http.get(urljoin(response.url, response.headers["location"]),
                                     allow_redirects=False, timeout=10)
        return 'name="login"' not in response.text
