"""Meta's error codes → Herald's connector errors, per the contract's table."""

from __future__ import annotations

from datetime import datetime, timedelta

from herald.plugins import (
    AuthExpired,
    NetworkError,
    PermanentError,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald_network_instagram.graph import GraphError

THROTTLE_CODES = {4: "app", 17: "account", 32: "account", 613: "account"}
PUBLISH_LIMIT = (9, 2207042)
NOT_READY = (9007, 2207027)
CONTAINER_EXPIRED = (-2, 2207020)
DOWNLOAD_TIMEOUT = (-2, 2207003)
IMAGE_TOO_LARGE = (36000, 2207004)
POLICY_BLOCK = 368
#: a regain time beyond a day is not believed (a hostile or broken header must not park an
#: account for years)
MAX_REGAIN_MINUTES = 24 * 60


class PermissionMissing(PermanentError):
    """The token lacks a permission (codes 10, 200–299): a person must reconnect the account
    granting it, so the post needs attention rather than a retry."""

    needs_attention = True


def is_(err: GraphError, pair: tuple[int, int]) -> bool:
    """Whether ``err`` is the (code, subcode) pair. The subcode alone identifies it (Meta has
    sent the same subcode under more than one code); without a subcode the code decides, except
    for -2, which covers several unrelated problems."""
    if err.subcode is not None:
        return err.subcode == pair[1]
    return err.code == pair[0] and pair[0] != -2


def to_herald(err: GraphError, *, now: datetime, throttle_fallback_s: float, quota_fallback_s: float,
              uncertain: bool = False) -> NetworkError:
    """The Herald error for one failed request. ``uncertain`` marks a request that may have
    created something (``media_publish``): a timeout or 5xx then means "maybe published"."""
    code = err.label
    if err.refused:  # the outbound policy said no: only an answer cut short may hide a post
        if uncertain and err.sent:
            return UncertainOutcome(f"Instagram may have published the post: {err.message}", code=code)
        return PermanentError(err.message, code=code)
    if err.code is None:  # transport failure or an answer without Meta's envelope
        # a timeout, a 5xx, a dropped connection or a 2xx Herald cannot read may all hide a post
        if uncertain and err.sent and (err.timeout or err.status is None or err.status >= 500
                                       or 200 <= err.status < 300):
            return UncertainOutcome(f"Instagram may have published the post: {err.message}",
                                    code=code, status=err.status)
        if err.status is not None and 400 <= err.status < 500 and err.status not in (408, 429):
            return PermanentError(err.message, code=code, status=err.status)
        return TransientError(err.message, code=code, status=err.status)
    if err.code == 190:
        return AuthExpired(err.message, code=code, status=err.status)
    if err.code == 10 or 200 <= err.code <= 299:
        return PermissionMissing(f"Instagram refused for lack of a permission: {err.message}",
                                 code=code, status=err.status)
    if err.code in THROTTLE_CODES:
        return RateLimited(err.message, reset_at=throttle_reset(err, now, throttle_fallback_s),
                           scope=THROTTLE_CODES[err.code], code=code, status=err.status)
    if is_(err, PUBLISH_LIMIT):
        return RateLimited(f"The account's publishing limit is used up: {err.message}",
                           reset_at=now + timedelta(seconds=quota_fallback_s), code=code, status=err.status)
    if is_(err, DOWNLOAD_TIMEOUT):
        return TransientError(f"Instagram could not download the media in time: {err.message}",
                              code=code, status=err.status)
    if err.code in (36000, POLICY_BLOCK) or is_(err, IMAGE_TOO_LARGE):
        return PermanentError(err.message, code=code, status=err.status)
    if err.code == 100:
        return PermanentError(err.message, code=code, status=err.status)
    if uncertain and (err.status or 0) >= 500:
        return UncertainOutcome(f"Instagram may have published the post: {err.message}",
                                code=code, status=err.status)
    if is_(err, NOT_READY) or is_(err, CONTAINER_EXPIRED):
        return TransientError(err.message, code=code, status=err.status)
    if err.is_transient or err.code in (-2, 1, 2) or (err.status or 0) >= 500:
        return TransientError(err.message, code=code, status=err.status)
    return PermanentError(err.message, code=code, status=err.status)


def throttle_reset(err: GraphError, now: datetime, fallback_s: float) -> datetime:
    """When a throttled account may call again: the usage header's regain time, else the
    fallback."""
    if err.usage is not None and err.usage.regain_minutes > 0:
        return now + timedelta(minutes=min(err.usage.regain_minutes, MAX_REGAIN_MINUTES))
    return now + timedelta(seconds=fallback_s)
