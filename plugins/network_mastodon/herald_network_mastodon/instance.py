"""What an instance allows (``GET /api/v2/instance`` ``configuration``), cached per instance URL,
and how Mastodon counts a status's characters."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from herald.plugins import NetworkError
from herald_network_mastodon.http import MastodonHttp, json_body

#: Mastodon's own defaults, used until (or when) the instance tells its own.
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_MAX_MEDIA = 4
DEFAULT_URL_LENGTH = 23
RETRY_AFTER_FAILURE = 60.0
URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
#: A remote mention counts as its local part only: ``@alice@example.social`` counts as ``@alice``.
MENTION_RE = re.compile(r"(?<![\w/])(@\w+)@[\w.-]+\w", re.UNICODE)


@dataclass(frozen=True)
class InstanceLimits:
    """The limits one instance publishes; ``None`` size limits mean "not told"."""

    max_characters: int = DEFAULT_MAX_CHARACTERS
    max_media: int = DEFAULT_MAX_MEDIA
    url_length: int = DEFAULT_URL_LENGTH
    mime_types: tuple[str, ...] = ()
    image_size_limit: int | None = None
    video_size_limit: int | None = None

    def text_length(self, text: str) -> int:
        """Characters as the instance counts them: each URL as ``url_length``, remote mentions
        without their domain."""
        text = URL_RE.sub("x" * self.url_length, text)
        return len(MENTION_RE.sub(r"\1", text))


# Limits are a fact about a server, not about a tenant: tenants on one instance share the entry.
_cache: dict[str, tuple[float, InstanceLimits]] = {}
_lock = threading.Lock()


def instance_limits(http: MastodonHttp, max_age: float) -> InstanceLimits:
    """The instance's limits, read at most every ``max_age`` seconds; Mastodon's defaults when
    the instance cannot tell (an unreachable instance must not block composing)."""
    now = time.monotonic()
    with _lock:
        cached = _cache.get(http.base)
    if cached is not None and now - cached[0] < max_age:
        return cached[1]
    try:
        body = json_body(http.call("GET", "/api/v2/instance"))
    except NetworkError:
        fallback = cached[1] if cached else InstanceLimits()
        with _lock:  # ask a failing instance again in a minute, not on every keystroke of a composer
            _cache[http.base] = (now - max(max_age - RETRY_AFTER_FAILURE, 0), fallback)
        return fallback
    limits = _parse(body)
    with _lock:
        _cache[http.base] = (now, limits)
    return limits


def _parse(body: object) -> InstanceLimits:
    config = _section(body, "configuration")
    statuses, media = _section(config, "statuses"), _section(config, "media_attachments")
    mimes = media.get("supported_mime_types")
    return InstanceLimits(
        max_characters=_positive(statuses.get("max_characters")) or DEFAULT_MAX_CHARACTERS,
        max_media=_positive(statuses.get("max_media_attachments")) or DEFAULT_MAX_MEDIA,
        url_length=_positive(statuses.get("characters_reserved_per_url")) or DEFAULT_URL_LENGTH,
        mime_types=tuple(m for m in mimes if isinstance(m, str)) if isinstance(mimes, list) else (),
        image_size_limit=_positive(media.get("image_size_limit")),
        video_size_limit=_positive(media.get("video_size_limit")),
    )


def _section(body: object, key: str) -> dict:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, dict) else {}


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
