"""Every connection Herald opens on a tenant's behalf goes through one outbound policy (see
docs/operations.md, "Outbound connections"). Plugins reach these helpers through
:mod:`herald.plugins`."""

from herald.outbound.addresses import refusal_reason
from herald.outbound.errors import OutboundRefused
from herald.outbound.http import PinnedTransport, http_client
from herald.outbound.policy import AllowRule, Destination, OutboundPolicy, current_policy, parse_allow_list
from herald.outbound.requests_adapter import PinnedAdapter, pin_session
from herald.outbound.smtp import smtp_connection
from herald.outbound.validation import OutboundUrl, refuse_internal


def check_url(url: str, *, what: str) -> Destination:
    """Check ``url`` against the current policy (resolving its host); :class:`OutboundRefused`
    if Herald may not connect there."""
    return current_policy().check_url(url, what=what)


__all__ = [
    "AllowRule",
    "Destination",
    "OutboundPolicy",
    "OutboundRefused",
    "OutboundUrl",
    "PinnedAdapter",
    "PinnedTransport",
    "check_url",
    "current_policy",
    "http_client",
    "parse_allow_list",
    "pin_session",
    "refusal_reason",
    "refuse_internal",
    "smtp_connection",
]
