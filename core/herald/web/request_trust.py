"""What Herald believes about a request's origin: the client address, scheme and host.

``X-Forwarded-*`` headers are honoured only when the connecting peer is one of the operator's
trusted proxies (``HERALD_TRUSTED_PROXIES``); from anyone else they are removed before any code
can read them. werkzeug's :class:`~werkzeug.middleware.proxy_fix.ProxyFix` does the rewriting.
The ``Host`` header is checked by Flask's ``TRUSTED_HOSTS``; absolute URLs come from
:func:`public_base`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from herald.config import Settings

FORWARDED_HEADERS = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_X_REAL_IP")
#: Host names a Herald without ``HERALD_PUBLIC_URL`` or ``HERALD_ALLOWED_HOSTS`` answers to.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from a trusted proxy, forwarded headers dropped
    for everyone else (a client cannot claim another address, scheme or host)."""

    def __init__(self, wsgi_app: Any, networks: Iterable[str], hops: int) -> None:
        self.wsgi_app = wsgi_app
        self.networks: tuple[Network, ...] = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        # Each proxy appends to X-Forwarded-For; scheme, host, port and prefix are taken from the
        # proxy nearest Herald, which is the one that was asked.
        self.fixed = ProxyFix(wsgi_app, x_for=hops, x_proto=1, x_host=1, x_port=1, x_prefix=1)

    def trusts(self, peer: str | None) -> bool:
        if not peer or not self.networks:
            return False
        try:
            address = ipaddress.ip_address(peer.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for key in FORWARDED_HEADERS:
            environ.pop(key, None)
        return self.wsgi_app(environ, start_response)


def trusted_hosts(settings: Settings) -> list[str] | None:
    """Flask's ``TRUSTED_HOSTS``: the operator's list; else, without a public URL (when the Host
    header would make Herald's links), loopback names only; else any host (links ignore it)."""
    if settings.allowed_hosts:
        return list(settings.allowed_hosts)
    return None if settings.public_url else list(LOOPBACK_HOSTS)


def install(app: Flask, settings: Settings) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(settings)
    app.wsgi_app = TrustedProxies(app.wsgi_app, settings.trusted_proxies, settings.trusted_proxy_hops)  # type: ignore[method-assign]


def public_base() -> str:
    """The origin every absolute URL Herald hands out starts with (OAuth and SSO callbacks, links
    in e-mails, signed media links, SCIM locations): ``HERALD_PUBLIC_URL`` when set, else the
    request's own origin, whose host passed ``TRUSTED_HOSTS``."""
    return current_app.extensions["herald"].settings.public_url or request.host_url.rstrip("/")
