"""Chunked media upload (INIT, APPEND in chunks of at most 5 MB, FINALIZE, then STATUS polling
while X processes a video), in the three shapes X offers:

- ``v1.1``: ``{upload_base_url}/1.1/media/upload.json`` with ``command=…`` form fields;
- ``v2``: ``{api_base_url}/2/media/upload`` with the same commands, answers wrapped in ``data``;
- ``v2_routes``: ``{api_base_url}/2/media/upload/initialize`` (JSON), ``…/{id}/append``,
  ``…/{id}/finalize``; STATUS as in ``v2``.

Nothing is posted yet while media uploads, so every failure here is safe to retry: a timeout
or 5xx is a :class:`TransientError`, never an uncertain outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from herald.plugins import MediaFile, PermanentError, TransientError
from herald_network_x.http import XHttp, json_body

CATEGORIES = {"image": "tweet_image", "video": "tweet_video", "gif": "tweet_gif"}


class MediaUploader:
    """Uploads one file and returns X's media id (a string). ``sleep`` waits between STATUS
    polls (injectable so tests never wait)."""

    def __init__(self, http: XHttp, token: str, *, style: str, api_base: str, upload_base: str,
                 chunk_bytes: int, processing_timeout: float, sleep: Callable[[float], None]) -> None:
        self.http, self.token, self.style = http, token, style
        self.chunk_bytes, self.processing_timeout, self.sleep = chunk_bytes, processing_timeout, sleep
        self.command_url = (f"{upload_base}/1.1/media/upload.json" if style == "v1.1"
                            else f"{api_base}/2/media/upload")
        self.routes_base = f"{api_base}/2/media/upload"

    def upload(self, media: MediaFile) -> str:
        data = media.read()
        category = CATEGORIES.get(media.kind)
        if category is None:
            raise PermanentError(f"X does not accept {media.kind!r} media.", code="unsupported_media")
        media_id = self._init(len(data), media.mime_type, category)
        for index, start in enumerate(range(0, len(data), self.chunk_bytes)):
            self._append(media_id, index, data[start:start + self.chunk_bytes], media.mime_type)
        info = self._finalize(media_id)
        self._wait_for_processing(media_id, info)
        return media_id

    # ------------------------------------------------------------------ the commands
    def _init(self, total: int, mime_type: str, category: str) -> str:
        if self.style == "v2_routes":
            r = self.http.call("POST", f"{self.routes_base}/initialize", token=self.token,
                               json={"media_type": mime_type, "total_bytes": total, "media_category": category})
        else:
            r = self.http.call("POST", self.command_url, token=self.token, data={
                "command": "INIT", "total_bytes": str(total), "media_type": mime_type, "media_category": category})
        body = _payload(json_body(r))
        media_id = body.get("media_id_string") or body.get("id") or body.get("media_id")
        if media_id in (None, ""):
            raise TransientError("X's media INIT answer had no media id.", code="bad_media_response")
        return str(media_id)

    def _append(self, media_id: str, index: int, chunk: bytes, mime_type: str) -> None:
        files = {"media": ("blob", chunk, "application/octet-stream")}
        if self.style == "v2_routes":
            self.http.call("POST", f"{self.routes_base}/{media_id}/append", token=self.token,
                           data={"segment_index": str(index)}, files=files)
        else:
            self.http.call("POST", self.command_url, token=self.token, files=files, data={
                "command": "APPEND", "media_id": media_id, "segment_index": str(index)})

    def _finalize(self, media_id: str) -> dict[str, Any]:
        if self.style == "v2_routes":
            r = self.http.call("POST", f"{self.routes_base}/{media_id}/finalize", token=self.token)
        else:
            r = self.http.call("POST", self.command_url, token=self.token,
                               data={"command": "FINALIZE", "media_id": media_id})
        return _payload(json_body(r))

    def _status(self, media_id: str) -> dict[str, Any]:
        r = self.http.call("GET", self.command_url, token=self.token,
                           params={"command": "STATUS", "media_id": media_id})
        return _payload(json_body(r))

    def _wait_for_processing(self, media_id: str, info: dict[str, Any]) -> None:
        waited = 0.0
        while True:
            processing = info.get("processing_info")
            if not isinstance(processing, dict):
                return
            state = processing.get("state")
            if state == "succeeded":
                return
            if state == "failed":
                error = processing.get("error") if isinstance(processing.get("error"), dict) else {}
                message = error.get("message") or error.get("name") or "X could not process the media."
                raise PermanentError(message, code=str(error.get("name") or "media_failed"))
            delay = processing.get("check_after_secs")
            delay = float(delay) if isinstance(delay, int | float) and delay > 0 else 1.0
            if waited + delay > self.processing_timeout:
                raise TransientError("X is still processing the media.", retry_after=delay, code="media_processing")
            self.sleep(delay)
            waited += delay
            info = self._status(media_id)


def _payload(body: Any) -> dict[str, Any]:
    """v2 wraps its answer in ``data``; v1.1 does not."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        return body["data"]
    return body if isinstance(body, dict) else {}
