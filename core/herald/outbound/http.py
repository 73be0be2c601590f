"""HTTP through the outbound policy, with httpx: :func:`http_client` and :class:`PinnedTransport`.

Each request, and each redirect hop, is checked by the policy before anything is sent; the
connection goes to the address that was checked (the URL's host is replaced by it), while the
``Host`` header, TLS SNI and certificate verification keep the original host name (httpx's
``sni_hostname`` request extension). Answers are capped in size and the whole exchange, redirects
included, in time."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx

from herald.outbound.errors import OutboundRefused
from herald.outbound.policy import OutboundPolicy, capitalised, current_policy, is_address, shown

_DEADLINE = "herald.outbound_deadline"


class PinnedTransport(httpx.BaseTransport):
    """An httpx transport that connects only where ``policy`` allows. ``what`` names the setting
    the URLs come from, for refusals. Proxies from the environment are not used: they would
    connect by name, after the check."""

    def __init__(self, *, what: str, policy: OutboundPolicy | None = None,
                 verify: Any = True, cert: Any = None) -> None:
        self.what = what
        self.policy = policy or current_policy()
        self._verify, self._cert = verify, cert
        # one pool per (scheme, host name): a connection opened for one name (its TLS session
        # verified for that name) is never reused for another name on the same address
        self._pools: dict[tuple[str, str], httpx.HTTPTransport] = {}

    def _pool(self, scheme: str, host: str) -> httpx.HTTPTransport:
        key = (scheme, host)
        if key not in self._pools:
            self._pools[key] = httpx.HTTPTransport(verify=self._verify, cert=self._cert, trust_env=False)
        return self._pools[key]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # extensions are handed from hop to hop of one call, so the deadline covers redirects too
        deadline = request.extensions.setdefault(_DEADLINE, time.monotonic() + self.policy.timeout_seconds)
        try:
            dest = self.policy.check_url(str(request.url), what=self.what)
        except socket.gaierror as exc:
            raise httpx.ConnectError(f"{request.url.host} does not resolve", request=request) from exc
        pool = self._pool(request.url.scheme, dest.host)
        failure: Exception | None = None
        for address in dest.addresses:
            pinned = self._pinned(request, dest.host, address, deadline)
            try:
                response = pool.handle_request(pinned)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                failure = exc  # nothing was sent: the next address may answer
                continue
            encoding = response.headers.get("content-encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                response.close()
                raise OutboundRefused(f"{capitalised(self.what)} answered with a compressed body ({shown(encoding)}) "
                                      "Herald did not ask for.", setting=self.what)
            response.stream = CappedStream(response.stream, self.policy.max_bytes, deadline, self.what)
            return response
        assert failure is not None
        raise failure

    def _pinned(self, request: httpx.Request, host: str, address: Any, deadline: float) -> httpx.Request:
        left = deadline - time.monotonic()
        if left <= 0:
            raise OutboundRefused(f"{capitalised(self.what)} took longer than {self.policy.timeout_seconds:g} s.",
                                  setting=self.what)
        extensions = {k: v for k, v in request.extensions.items() if k not in (_DEADLINE, "sni_hostname")}
        timeout = dict(extensions.get("timeout") or {})
        extensions["timeout"] = {k: min(v, left) if v is not None else left
                                 for k, v in {**dict.fromkeys(("connect", "read", "write", "pool")), **timeout}.items()}
        if request.url.scheme == "https" and not is_address(host):
            extensions["sni_hostname"] = host
        return httpx.Request(request.method, request.url.copy_with(host=str(address)), headers=request.headers,
                             stream=request.stream, extensions=extensions)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()


class CappedStream(httpx.SyncByteStream):
    """A response body that stops with :class:`OutboundRefused` past ``max_bytes`` or ``deadline``."""

    def __init__(self, inner: Any, max_bytes: int, deadline: float, what: str) -> None:
        self._inner, self._max, self._deadline, self._what = inner, max_bytes, deadline, what

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._inner:
            seen += len(chunk)
            if seen > self._max:
                raise OutboundRefused(f"{capitalised(self._what)} answered with more than {self._max} bytes.",
                                      setting=self._what, answered=True)
            if time.monotonic() > self._deadline:
                raise OutboundRefused(f"{capitalised(self._what)} took too long to answer.", setting=self._what,
                                      answered=True)
            yield chunk

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class OutboundClient(httpx.Client):
    """``httpx.Client`` whose URLs httpx itself cannot read (``http://0177.0.0.1/``) are refused
    like the others, with :class:`OutboundRefused`."""

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        super().__init__(**kwargs)

    def build_request(self, method: str, url: Any, **kwargs: Any) -> httpx.Request:
        try:
            return super().build_request(method, url, **kwargs)
        except httpx.InvalidURL as exc:
            raise OutboundRefused(f"{capitalised(self.what)} {shown(str(url))} is not a valid URL.",
                                  setting=self.what) from exc


def http_client(*, what: str, policy: OutboundPolicy | None = None, timeout: Any = None,
                follow_redirects: bool = False, verify: Any = True, **kwargs: Any) -> OutboundClient:
    """An ``httpx.Client`` whose every request and redirect hop follows the outbound policy
    (at most ``policy.max_redirects`` redirects, and only when ``follow_redirects``). ``what``
    names the setting its URLs come from, e.g. ``"the X API URL"``."""
    policy = policy or current_policy()
    headers = {"Accept-Encoding": "identity", **dict(kwargs.pop("headers", None) or {})}
    transport = PinnedTransport(what=what, policy=policy, verify=verify)
    return OutboundClient(what=what, transport=transport, headers=headers,
                          timeout=timeout if timeout is not None else policy.timeout_seconds,
                          follow_redirects=follow_redirects, max_redirects=policy.max_redirects, trust_env=False,
                          **kwargs)
