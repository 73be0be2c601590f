"""What a person is told when a network refused something Herald asked on their behalf.

A connector's message may carry whatever the other side answered, and the other side is only as
trustworthy as the base URL it was reached at. So the answer to the person is Herald's own
sentence for the kind of refusal, plus the connector's error code when it is a plain token; the
connector's words go to the log, never into the response."""

from __future__ import annotations

import logging
import re

from herald.errors import HeraldError
from herald.networks.errors import (
    AuthExpired,
    AuthRevoked,
    NetworkError,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
)

log = logging.getLogger(__name__)
#: an error code worth repeating: a short identifier, never free text.
PLAIN_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


class NetworkRefused(HeraldError):
    """The network refused an operation Herald asked for on a person's behalf."""

    status = 502
    title = "The network refused"
    slug = "network-refused"


def _reason(exc: NetworkError) -> str:
    if isinstance(exc, AuthRevoked | AuthExpired):
        return "it does not accept the account's sign-in; reconnect the account"
    if isinstance(exc, RateLimited):
        return "the account is over the network's rate limit; try again later"
    if isinstance(exc, TransientError | UncertainOutcome):
        return "it could not be reached or did not answer in time; try again later"
    if isinstance(exc, PermanentError):
        return "it refused the request"
    return "it answered with an error"


def network_refusal(exc: NetworkError, doing: str) -> NetworkRefused:
    """The error to raise for ``exc``, met while ``doing`` (e.g. "connecting the account")."""
    log.info("network refused %s: %s (code %r, status %r)", doing, exc.message, exc.code, exc.status)
    code = exc.code if exc.code and PLAIN_CODE.fullmatch(exc.code) else None
    suffix = f" (network code {code})" if code else ""
    extra = {"network_code": code} if code else {}
    return NetworkRefused(f"The network refused {doing}: {_reason(exc)}{suffix}.", **extra)
