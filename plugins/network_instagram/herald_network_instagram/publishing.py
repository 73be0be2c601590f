"""Instagram's two-step publishing: create media containers, wait until Meta has processed them,
then publish. Every step is one Graph API request; waits use an injectable sleep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from herald.plugins import (
    MediaFile,
    NetworkError,
    PermanentError,
    PublishRequest,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald_network_instagram.error_map import CONTAINER_EXPIRED, NOT_READY, is_
from herald_network_instagram.graph import GraphClient, GraphError

MAX_CAROUSEL = 10


class ContainerExpired(Exception):
    """A container was not published within 24 h; it has to be made again."""


@dataclass(frozen=True)
class Container:
    """One container and how to make it again (for recreating after EXPIRED)."""

    id: str
    params: dict[str, Any]


class Publisher:
    """Publishes one request for one account. ``fail`` turns a :class:`GraphError` into a
    Herald error (the connector's mapping); ``sleep`` waits between status checks."""

    def __init__(self, graph: GraphClient, user_id: str, token: str, *, poll_interval: float,
                 poll_limit: int, sleep: Callable[[float], None],
                 fail: Callable[..., NetworkError]) -> None:
        self.graph, self.user_id, self.token = graph, user_id, token
        self.poll_interval, self.poll_limit, self.sleep, self.fail = poll_interval, poll_limit, sleep, fail
        #: the container last handed to media_publish: what find_published looks up afterwards.
        self.container_id: str | None = None

    # ------------------------------------------------------------------ containers
    def plan(self, request: PublishRequest) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """(child container parameters, parent container parameters) for ``request``; no
        children for a single image, reel or story."""
        media = request.media
        options = dict(request.options.get("instagram") or {})
        if not media:
            raise PermanentError("Instagram needs at least one image or video.", code="no_media")
        for item in media:
            if not item.url:
                raise PermanentError("Instagram fetches media by URL and this item has none.", code="no_media_url")
            if item.kind not in ("image", "video"):
                raise PermanentError(f"Instagram does not accept {item.kind!r} media.", code="unsupported_media")
        caption = request.text
        if len(media) == 1:
            params = self._single(media[0], options)
            if options.get("media_type") != "STORIES":
                params["caption"] = caption
            return [], params
        if len(media) > MAX_CAROUSEL:
            raise PermanentError(f"A carousel holds at most {MAX_CAROUSEL} items.", code="too_many_media")
        children = []
        for item in media:
            child: dict[str, Any] = {"is_carousel_item": True}
            if item.kind == "video":
                child.update(media_type="VIDEO", video_url=item.url)
            else:
                child["image_url"] = item.url
                if item.alt_text:
                    child["alt_text"] = item.alt_text
            children.append(child)
        parent = {"media_type": "CAROUSEL", "caption": caption}
        if options.get("location_id"):
            parent["location_id"] = options["location_id"]
        return children, parent

    @staticmethod
    def _single(item: MediaFile, options: dict[str, Any]) -> dict[str, Any]:
        story = options.get("media_type") == "STORIES"
        params: dict[str, Any] = {}
        if item.kind == "video":
            params.update(media_type="STORIES" if story else "REELS", video_url=item.url)
            for key in ("share_to_feed", "cover_url", "thumb_offset"):
                if options.get(key) is not None and not story:
                    params[key] = options[key]
        else:
            params["image_url"] = item.url
            if story:
                params["media_type"] = "STORIES"
            elif item.alt_text:
                params["alt_text"] = item.alt_text
            if options.get("user_tags") and not story:
                params["user_tags"] = options["user_tags"]
        if options.get("location_id") and not story:
            params["location_id"] = options["location_id"]
        return params

    def create(self, params: dict[str, Any]) -> Container:
        try:
            body = self.graph.post(f"{self.user_id}/media", self.token, params)
        except GraphError as err:
            raise self.fail(err) from err
        container_id = str(body.get("id") or "")
        if not container_id:
            raise TransientError("Instagram did not return a container id.", code="no_container_id")
        return Container(container_id, params)

    def wait_until_ready(self, container: Container) -> None:
        """Check the container until FINISHED. ERROR fails for good with Meta's words; EXPIRED
        raises :class:`ContainerExpired`; still processing after the limit is transient."""
        for attempt in range(self.poll_limit):
            if attempt:
                self.sleep(self.poll_interval)
            try:
                body = self.graph.get(container.id, self.token, {"fields": "status_code,status"})
            except GraphError as err:
                if is_(err, NOT_READY):
                    continue
                if is_(err, CONTAINER_EXPIRED):
                    raise ContainerExpired(container.id) from err
                raise self.fail(err) from err
            status = str(body.get("status_code") or "").upper()
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status == "ERROR":
                detail = body.get("status") or "Instagram could not process the media."
                raise PermanentError(f"Instagram could not process the media: {detail}", code="container_error")
            if status == "EXPIRED":
                raise ContainerExpired(container.id)
        raise TransientError(f"Instagram was still processing the media after {self.poll_limit} checks.",
                             code="container_in_progress",
                             retry_after=max(self.poll_interval * self.poll_limit, 60.0))

    def build(self, children_params: list[dict[str, Any]], parent_params: dict[str, Any]) -> Container:
        """Create (and wait for) every child, then the parent; returns the ready parent."""
        child_ids = []
        for params in children_params:
            child = self._ready(self.create(params))
            child_ids.append(child.id)
        params = dict(parent_params)
        if child_ids:
            params["children"] = ",".join(child_ids)
        return self._ready(self.create(params))

    def _ready(self, container: Container) -> Container:
        try:
            self.wait_until_ready(container)
            return container
        except ContainerExpired:
            fresh = self.create(container.params)  # recreated once; a second expiry fails
            try:
                self.wait_until_ready(fresh)
            except ContainerExpired as exc:
                raise PermanentError("Instagram let the media container expire twice.",
                                     code="container_expired") from exc
            return fresh

    # ------------------------------------------------------------------ publishing
    def publish(self, container: Container, rebuild: Callable[[], Container]) -> str:
        """media_publish ``container``; the IG media id. Not-ready answers wait and try again
        (within the poll limit); an expired container is rebuilt once."""
        rebuilt = False
        for attempt in range(self.poll_limit):
            if attempt:
                self.sleep(self.poll_interval)
            self.container_id = container.id
            try:
                body = self.graph.post(f"{self.user_id}/media_publish", self.token, {"creation_id": container.id})
            except GraphError as err:
                if is_(err, NOT_READY):
                    continue
                if is_(err, CONTAINER_EXPIRED) and not rebuilt:
                    rebuilt = True
                    container = rebuild()
                    continue
                mapped = self.fail(err, uncertain=True)
                if isinstance(mapped, UncertainOutcome):
                    mapped = uncertain(mapped, container.id)
                raise mapped from err
            media_id = str(body.get("id") or "")
            if not media_id:
                raise uncertain(UncertainOutcome("Instagram accepted the publication but returned no media id.",
                                                 code="no_media_id"), container.id)
            return media_id
        raise TransientError("Instagram kept saying the media is not ready for publishing.",
                             code="9007/2207027", retry_after=60.0)


#: The lookup hint naming the container handed to media_publish.
CONTAINER_HINT = "instagram_container_id"


def uncertain(exc: UncertainOutcome, container_id: str) -> UncertainOutcome:
    """Hint the container id, which :meth:`InstagramConnector.find_published` needs to tell
    whether the post went out: the engine hands it back in ``request.lookup_hints``."""
    exc.hints = {**exc.hints, CONTAINER_HINT: container_id}
    exc.message = f"{exc.message} (container {container_id})"
    exc.args = (exc.message,)
    return exc


def quota_reset(recent_timestamps: list[datetime], now: datetime, duration_s: int, used: int,
                total: int, fallback_s: float) -> datetime:
    """When a used-up rolling quota frees a slot: the oldest post still inside the window ages
    out (the ``used - total + 1``-th oldest when Meta counts more than the limit); the fallback
    when the recent posts do not show it."""
    window_start = now - timedelta(seconds=duration_s)
    inside = sorted(t for t in recent_timestamps if t > window_start)
    index = max(used - total, 0)
    if len(inside) > index:
        return inside[index] + timedelta(seconds=duration_s)
    return now + timedelta(seconds=fallback_s)


def limit_error(message: str, reset_at: datetime, code: str) -> RateLimited:
    return RateLimited(message, reset_at=reset_at, scope="account", code=code)


__all__ = ["CONTAINER_HINT", "Container", "ContainerExpired", "Publisher", "limit_error", "quota_reset",
           "uncertain"]
