"""What a connector raises to tell the publishing engine how an attempt ended.

The engine maps each to a publication state: retry with backoff (:class:`TransientError`),
wait for the network's own reset (:class:`RateLimited`), refresh once then flag "reconnect
needed" (:class:`AuthExpired`, :class:`AuthRevoked`), fail with the network's message
(:class:`PermanentError`), or reconcile before anything else (:class:`UncertainOutcome`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypeAlias

#: A value that survives ``json.dumps`` and a round trip through the database.
JSON: TypeAlias = "dict[str, JSON] | list[JSON] | str | int | float | bool | None"


class NotSupported(Exception):
    """The network (or this connector) does not offer this operation."""


class NetworkError(Exception):
    """Base of every failure a connector reports. ``message`` is shown to people as is, so it
    carries the network's own words where there are any."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class TransientError(NetworkError):
    """Nothing was created and a later attempt may succeed (connection refused before sending,
    a 5xx on a read, a media download timeout). ``retry_after`` in seconds, if the network said."""

    def __init__(self, message: str, *, retry_after: float | None = None, code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class RateLimited(NetworkError):
    """The network refused for rate or quota reasons; nothing was created. ``reset_at`` is when
    the network says the account may try again (from its own headers)."""

    def __init__(self, message: str, *, reset_at: datetime | None, scope: str = "account",
                 code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code, status=status)
        self.reset_at = reset_at
        self.scope = scope


class AuthExpired(NetworkError):
    """The access token is no longer accepted; a refresh may fix it."""


class AuthRevoked(NetworkError):
    """The network says the grant is revoked or invalid: the account needs reconnecting."""


class PermanentError(NetworkError):
    """The network refused the content for good (duplicate, media rejected, policy): retrying
    the same request cannot help."""


class DuplicateContent(PermanentError):
    """The network refused the post as a duplicate of one already there. After an uncertain
    earlier attempt this means "probably already posted": the engine reconciles first."""


class UncertainOutcome(NetworkError):
    """The request may have created the post (timeout after sending, 5xx on a create). The
    engine must not blindly retry: it looks the post up or marks the publication for attention.

    ``hints`` is what the connector learnt before the outcome became uncertain and needs to
    find the post again: the id of a container handed to a two-step publish, the ids of the
    parts of a thread that were created. Keys are the connector's own (prefix them with its
    key); values must be JSON (they are stored on the publication). The engine merges the hints
    of successive uncertain attempts and passes them back to ``find_published`` as
    :attr:`PublishRequest.lookup_hints`."""

    def __init__(self, message: str, *, hints: Mapping[str, JSON] | None = None, code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message, code=code, status=status)
        self.hints: dict[str, JSON] = dict(hints or {})
