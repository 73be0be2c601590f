"""HTTP through the outbound policy for libraries built on ``requests`` (python-keycloak):
:func:`pin_session` mounts :class:`PinnedAdapter` on a ``requests.Session``.

As with :mod:`herald.outbound.http`, each request and each redirect hop is checked, the
connection goes to the checked address (the URL's host is replaced by it, the ``Host`` header
keeps the name), and TLS keeps SNI and certificate verification on the host name (urllib3's
``server_hostname`` and ``assert_hostname`` pool settings)."""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from herald.outbound.errors import OutboundRefused
from herald.outbound.policy import OutboundPolicy, capitalised, current_policy, is_address


class PinnedAdapter(HTTPAdapter):
    """A transport adapter that connects only where ``policy`` allows; ``what`` names the
    setting the URLs come from."""

    def __init__(self, *, what: str, policy: OutboundPolicy | None = None, **kwargs: Any) -> None:
        self.what = what
        self.policy = policy or current_policy()
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        started = time.monotonic()
        url = str(request.url)
        try:
            dest = self.policy.check_url(url, what=self.what)
        except socket.gaierror as exc:
            raise requests.ConnectionError(f"{urlsplit(url).hostname} does not resolve", request=request) from exc
        parts = urlsplit(url)
        failure: Exception | None = None
        for address in dest.addresses:
            pinned = request.copy()
            host = f"[{address}]" if address.version == 6 else str(address)
            pinned.url = urlunsplit((parts.scheme, f"{host}:{dest.port}", parts.path, parts.query, parts.fragment))
            pinned.headers["Host"] = parts.netloc
            pinned.herald_host_name = dest.host  # type: ignore[attr-defined]  # read by the pool key below
            try:
                response = super().send(pinned, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=None)
            except requests.ConnectionError as exc:
                failure = exc
                continue
            response.url = url
            response.request = request
            if not stream:
                self._read_capped(response, started)
            return response
        assert failure is not None
        raise failure

    def _read_capped(self, response: requests.Response, started: float) -> None:
        chunks: list[bytes] = []
        seen = 0
        for chunk in response.iter_content(65536):
            seen += len(chunk)
            if seen > self.policy.max_bytes:
                response.close()
                raise OutboundRefused(
                    f"{capitalised(self.what)} answered with more than {self.policy.max_bytes} bytes.",
                    setting=self.what)
            if time.monotonic() - started > self.policy.timeout_seconds:
                response.close()
                raise OutboundRefused(f"{capitalised(self.what)} took too long to answer.", setting=self.what)
            chunks.append(chunk)
        # what requests itself does when it reads a body: keep it as the response's content
        response._content = b"".join(chunks)
        response._content_consumed = True  # type: ignore[attr-defined]

    def build_connection_pool_key_attributes(self, request: requests.PreparedRequest, verify: Any,
                                             cert: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name = getattr(request, "herald_host_name", None)
        if name and host_params.get("scheme") == "https" and not is_address(name):
            pool_kwargs["server_hostname"] = name
            pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs


def pin_session(session: requests.Session, *, what: str, policy: OutboundPolicy | None = None,
                max_retries: int = 0) -> requests.Session:
    """Route every request of ``session`` through the outbound policy (redirects capped at the
    policy's limit; proxies from the environment are not used, they would connect by name)."""
    policy = policy or current_policy()
    adapter = PinnedAdapter(what=what, policy=policy, max_retries=max_retries)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.max_redirects = policy.max_redirects
    session.trust_env = False
    session.proxies.clear()
    return session
