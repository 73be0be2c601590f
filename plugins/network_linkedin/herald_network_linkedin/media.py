"""Images and documents for a post: initializeUpload, PUT the bytes, wait until available."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from herald.plugins import MediaFile, PermanentError, TransientError
from herald_network_linkedin.http import LinkedInHttp, as_dict, json_body

#: Herald's media kind -> (LinkedIn's API, the key of the URN in its initializeUpload answer).
APIS = {"image": ("images", "image"), "document": ("documents", "document")}
POLL_SECONDS = 2.0


class MediaUploader:
    """Uploads media owned by one organisation; ``sleep`` is injectable (tests do not wait)."""

    def __init__(self, http: LinkedInHttp, token: str, *, api_base: str, owner: str, timeout: float,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._http, self._token, self._api, self._owner = http, token, api_base, owner
        self._timeout, self._sleep = timeout, sleep

    def upload(self, media: MediaFile) -> str:
        """The URN of ``media`` on LinkedIn, ready to be referenced by a post."""
        api, key = APIS[media.kind]
        r = self._http.call("POST", f"{self._api}/rest/{api}?action=initializeUpload", token=self._token,
                            json={"initializeUploadRequest": {"owner": self._owner}})
        value = as_dict(as_dict(json_body(r)).get("value"))
        urn, upload_url = value.get(key), value.get("uploadUrl")
        if not isinstance(urn, str) or not isinstance(upload_url, str) \
                or not upload_url.startswith(("https://", "http://")):
            raise TransientError(f"LinkedIn's answer to an {api} upload had no upload address.", code="bad_response")
        self._http.call("PUT", upload_url, token=self._token, content=media.read(),
                        headers={"Content-Type": media.mime_type})
        self._wait_available(api, urn)
        return urn

    def _wait_available(self, api: str, urn: str) -> None:
        deadline = time.monotonic() + self._timeout
        while True:
            r = self._http.call("GET", f"{self._api}/rest/{api}/{quote(urn, safe='')}", token=self._token)
            status: Any = as_dict(json_body(r)).get("status")
            if status == "AVAILABLE":
                return
            if status == "PROCESSING_FAILED":
                raise PermanentError(f"LinkedIn could not process the uploaded {api[:-1]}.", code="processing_failed")
            if time.monotonic() >= deadline:
                raise TransientError(f"LinkedIn was still processing the uploaded {api[:-1]}.", code="processing")
            self._sleep(POLL_SECONDS)
