"""The outbound policy: where Herald may connect on a tenant's behalf, and the operator's
allow-list (``HERALD_OUTBOUND_ALLOW``) that lets chosen internal destinations through.

A destination is checked by resolving its host name once (``getaddrinfo``, which also reads every
numeric spelling of an IPv4 address: ``2130706433``, ``0x7f.1``, ``017700000001``, ``127.1``) and
refusing it if any address it resolves to is refused (:mod:`herald.outbound.addresses`) and not
allowed by the operator. The addresses that were checked are the ones the clients of this package
connect to, so a second, different DNS answer cannot move the connection elsewhere.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from herald.outbound.addresses import IPAddress, refusal_reason
from herald.outbound.errors import OutboundRefused

ALLOW_ENV = "HERALD_OUTBOUND_ALLOW"
DEFAULT_MAX_REDIRECTS = 3
DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_MAX_BYTES = 10 * 2**20
#: What a refusal tells the tenant admin to ask for.
HINT = f"an operator can allow it in {ALLOW_ENV}"


@dataclass(frozen=True)
class AllowRule:
    """One entry of the allow-list: a host name (``sso.corp.example``, ``*.corp.example``), an
    address or network (``10.1.2.3``, ``10.0.0.0/8``, ``fd12::/64``), each optionally with a
    port (``proxy.corp:3128``, ``[::1]:8080``, ``127.0.0.1:2525``)."""

    text: str
    name: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    @classmethod
    def parse(cls, raw: str) -> AllowRule:
        """The rule ``raw`` spells; ValueError says what is wrong with it."""
        text = raw.strip()
        if not text:
            raise ValueError("an empty entry")
        host, port = text, None
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            if rest:
                if not rest.startswith(":"):
                    raise ValueError(f"{text!r} is not [address]:port")
                port = _port(rest[1:], text)
        elif text.count(":") == 1:
            host, _, raw_port = text.partition(":")
            port = _port(raw_port, text)
        try:
            return cls(text, network=ipaddress.ip_network(host, strict=False), port=port)
        except ValueError:
            pass
        name = host.lower().rstrip(".")
        label = name[2:] if name.startswith("*.") else name
        if not label or not all(part and all(c.isalnum() or c == "-" for c in part) for part in label.split(".")):
            raise ValueError(f"{text!r} is neither a host name, an address nor a network")
        return cls(text, name=name, port=port)

    def allows_name(self, host: str, port: int) -> bool:
        if self.name is None or (self.port is not None and self.port != port):
            return False
        host = host.lower().rstrip(".")
        if self.name.startswith("*."):
            return host.endswith(self.name[1:])
        return host == self.name

    def allows_address(self, address: IPAddress, port: int) -> bool:
        if self.network is None or (self.port is not None and self.port != port):
            return False
        return address.version == self.network.version and address in self.network


def _port(raw: str, text: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"{text!r} has no valid port")
    return int(raw)


def parse_allow_list(raw: str | Iterable[str]) -> tuple[AllowRule, ...]:
    """Rules from a comma-separated string or a list of entries; ValueError names a bad one."""
    entries = raw.split(",") if isinstance(raw, str) else list(raw)
    return tuple(AllowRule.parse(e) for e in entries if e.strip())


@dataclass(frozen=True)
class Destination:
    """A checked destination: connect to ``addresses`` (in order), speak to ``host``."""

    host: str
    port: int
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class OutboundPolicy:
    """The rules every outbound connection follows. ``allow_private`` (only for the deprecated
    ``HERALD_SAML_METADATA_ALLOW_PRIVATE_HOSTS``) lets loopback and private networks through but
    never a cloud metadata endpoint."""

    allow: tuple[AllowRule, ...] = ()
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES
    allow_private: bool = False
    resolver: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Any) -> OutboundPolicy:
        return cls(allow=parse_allow_list(getattr(settings, "outbound_allow", ())),
                   max_redirects=getattr(settings, "outbound_max_redirects", DEFAULT_MAX_REDIRECTS),
                   timeout_seconds=getattr(settings, "outbound_timeout_seconds", DEFAULT_TIMEOUT_SECONDS),
                   max_bytes=getattr(settings, "outbound_max_bytes", DEFAULT_MAX_BYTES))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OutboundPolicy:
        """For code running without a Herald runtime (a plugin's unit tests, a script)."""
        return cls(allow=parse_allow_list(env.get(ALLOW_ENV, "")))

    # ------------------------------------------------------------------ checking
    def check_url(self, url: str, *, what: str, schemes: tuple[str, ...] = ("http", "https")) -> Destination:
        """The destination of ``url``; :class:`OutboundRefused` if Herald may not connect to it.
        ``what`` names the setting in the message, e.g. ``"the webhook URL"``."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise OutboundRefused(f"{capitalised(what)} {shown(url)} is not a valid URL.", setting=what) from exc
        if parts.scheme.lower() not in schemes or not parts.hostname:
            allowed = " or ".join(f"{s}://" for s in schemes)
            raise OutboundRefused(f"{capitalised(what)} {shown(url)} must be an {allowed} URL with a host.",
                                  setting=what)
        if parts.username is not None or parts.password is not None:
            raise OutboundRefused(f"{capitalised(what)} {shown(url)} must not carry a user name or password.",
                                  setting=what)
        default = 443 if parts.scheme.lower() == "https" else 80
        return self.check_host(parts.hostname, port or default, what=f"{what} {shown(url)}")

    def check_host(self, host: str, port: int, *, what: str) -> Destination:
        """Resolve ``host`` once and check every address; :class:`OutboundRefused` if any is refused.
        An unresolvable name raises :class:`socket.gaierror` (a network failure, worth retrying)."""
        host = host.strip("[]")
        if not 0 < port < 65536:
            raise OutboundRefused(f"{capitalised(what)}: port {port} is not a valid port.", setting=what)
        resolve = self.resolver or socket.getaddrinfo
        infos = resolve(host, port, type=socket.SOCK_STREAM)
        addresses: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} has no address")
        by_name = any(rule.allows_name(host, port) for rule in self.allow)
        for address in addresses:
            reason = refusal_reason(address)
            if reason is None or by_name or any(rule.allows_address(address, port) for rule in self.allow):
                continue
            if self.allow_private and "cloud metadata" not in reason and reason not in ("unspecified", "multicast"):
                continue
            raise OutboundRefused(f"Herald does not connect to {what}: {shown(host)} is not on the public "
                                  f"internet ({reason}); {HINT}.", setting=what, reason=reason)
        return Destination(host=host, port=port, addresses=tuple(addresses))

    def allowing_private(self) -> OutboundPolicy:
        return OutboundPolicy(self.allow, self.max_redirects, self.timeout_seconds, self.max_bytes, True,
                              self.resolver)


def shown(value: str, limit: int = 200) -> str:
    """``value`` quoted and shortened, for messages."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-case (a setting's name opening a message)."""
    return text[:1].upper() + text[1:]


def is_address(host: str) -> bool:
    """Whether ``host`` is an IP address literal rather than a name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


_cache: dict[int, tuple[Any, OutboundPolicy]] = {}


def current_policy() -> OutboundPolicy:
    """The policy of this process: the Herald runtime's instance settings, or (without a runtime)
    ``HERALD_OUTBOUND_ALLOW`` from the environment."""
    from herald import runtime  # late: the runtime loads the built-in plugins, which import this

    try:
        settings = runtime.current().settings
    except RuntimeError:
        return OutboundPolicy.from_env(os.environ)
    cached = _cache.get(id(settings))
    if cached is None or cached[0] is not settings:
        _cache.clear()
        cached = (settings, OutboundPolicy.from_settings(settings))
        _cache[id(settings)] = cached
    return cached[1]
