"""Image bytes for the enrichers that look at images (``wants_media``).

Media URLs come from the networks (and, through them, from anyone who posts): each is fetched
through the outbound policy, capped in size and time, and at most :data:`MAX_IMAGES` per
payload. A URL that fails or is refused leaves ``data`` as ``None``; the enricher sees that the
image could not be read, and the item is enriched without it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from herald.outbound import OutboundRefused
from herald.outbound.http import http_client

log = logging.getLogger(__name__)

#: at most this many images per payload are read
MAX_IMAGES = 4
#: an image larger than this is not read
MAX_BYTES = 8 * 1024 * 1024
_IMAGE_TYPES = ("image", "photo")


def is_image(media: dict[str, Any]) -> bool:
    mime = str(media.get("mime") or "")
    return mime.startswith("image/") or mime in _IMAGE_TYPES


def load(payloads: Sequence[dict[str, Any]], logos: Sequence[dict[str, Any]] = (), *, timeout: float = 10.0) -> int:
    """Fill ``data`` of each payload's images (in place) and give every payload ``logos``;
    returns how many images were read."""
    read = 0
    with http_client(what="an item's media URL", timeout=timeout, follow_redirects=True) as client:
        for payload in payloads:
            payload["logos"] = list(logos)
            images = [m for m in payload.get("media") or [] if is_image(m) and m.get("url")]
            for media in images[:MAX_IMAGES]:
                media["data"] = _fetch(client, str(media["url"]))
                read += media["data"] is not None
    return read


def _fetch(client: Any, url: str) -> bytes | None:
    try:
        with client.stream("GET", url) as answer:
            if answer.status_code != 200:
                log.info("media %s answered %s; not enriched", url[:200], answer.status_code)
                return None
            declared = answer.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                return None
            chunks: list[bytes] = []
            size = 0
            for chunk in answer.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    return None
                chunks.append(chunk)
            return b"".join(chunks)
    except OutboundRefused as exc:
        log.info("media %s refused by the outbound policy: %s", url[:200], exc)
    except Exception as exc:  # unreachable, timed out, cut: the item is enriched without it
        log.info("media %s could not be read: %s", url[:200], exc)
    return None
