"""SMTP through the outbound policy: the server's host is checked and the connection goes to
the checked address, while EHLO, STARTTLS and implicit TLS keep the host name (SNI and
certificate verification)."""

from __future__ import annotations

import smtplib
import socket
import ssl
from typing import Any

from herald.outbound.policy import Destination, OutboundPolicy, current_policy


class PinnedSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that connects to the addresses of a checked :class:`Destination`."""

    def __init__(self, destination: Destination, **kwargs: Any) -> None:
        self._destination = destination
        super().__init__(destination.host, destination.port, **kwargs)

    # smtplib opens its socket here (for SMTP, and for SMTP_SSL before wrapping it): the one
    # place to connect to the checked address instead of resolving the name again
    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        failure: OSError | None = None
        for address in self._destination.addresses:
            try:
                return socket.create_connection((str(address), port), timeout, self.source_address)
            except OSError as exc:
                failure = exc
        assert failure is not None
        raise failure


class PinnedSMTPSSL(smtplib.SMTP_SSL, PinnedSMTP):
    """Implicit TLS: ``SMTP_SSL`` wraps the pinned socket, verifying the host name."""

    def __init__(self, destination: Destination, **kwargs: Any) -> None:
        self._destination = destination
        smtplib.SMTP_SSL.__init__(self, destination.host, destination.port, **kwargs)


def smtp_connection(host: str, port: int, *, implicit_tls: bool = False, timeout: float = 15,
                    context: ssl.SSLContext | None = None, what: str = "the SMTP server",
                    policy: OutboundPolicy | None = None) -> smtplib.SMTP:
    """A connected ``smtplib.SMTP`` (``SMTP_SSL`` when ``implicit_tls``) to ``host``:``port``;
    :class:`~herald.outbound.errors.OutboundRefused` before connecting if the policy refuses it."""
    policy = policy or current_policy()
    destination = policy.check_host(host, port, what=f"{what} {host}:{port}")
    timeout = min(timeout, policy.timeout_seconds)
    if implicit_tls:
        return PinnedSMTPSSL(destination, timeout=timeout, context=context or ssl.create_default_context())
    return PinnedSMTP(destination, timeout=timeout)
