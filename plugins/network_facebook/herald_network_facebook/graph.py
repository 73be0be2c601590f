"""One Graph API request at a time: the token as a parameter, Meta's error envelope parsed into
:class:`GraphError`, and the usage headers (``X-App-Usage``, ``X-Page-Usage``,
``X-Business-Use-Case-Usage``) into :class:`Usage`."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import httpx

from herald.plugins import OutboundRefused, outbound_http_client

FIGURES = ("call_count", "total_cputime", "total_time")
REGAIN = "estimated_time_to_regain_access"


@dataclass(frozen=True)
class Usage:
    """The highest usage figure of an answer's headers (percent of the allowance) and the longest
    regain time Meta gave (minutes)."""

    percent: float = 0.0
    regain_minutes: float = 0.0


def parse_usage(headers: httpx.Headers) -> Usage | None:
    """None without usage headers. Malformed ones are ignored: they may only slow Herald down."""
    entries: list[Any] = []
    for name in ("x-app-usage", "x-page-usage"):
        if name in headers:
            entries.append(_loads(headers[name]))
    if "x-business-use-case-usage" in headers:
        buc = _loads(headers["x-business-use-case-usage"])
        entries.append({})  # the header was sent, even if empty
        for value in buc.values() if isinstance(buc, dict) else []:
            entries.extend(value if isinstance(value, list) else [])
    if not entries:
        return None
    percent = regain = 0.0
    for entry in entries:
        if isinstance(entry, dict):
            percent = max([percent, *(float(entry[k]) for k in FIGURES if _number(entry.get(k)))])
            regain = max(regain, float(entry[REGAIN]) if _number(entry.get(REGAIN)) else 0.0)
    return Usage(percent, regain)


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1e6


class GraphError(Exception):
    """Meta's error envelope, or a transport failure (``code`` None). ``sent`` is False when the
    request certainly never reached Meta; ``refused`` when the outbound policy stopped it."""

    def __init__(self, message: str, *, status: int | None, code: int | None = None, subcode: int | None = None,
                 usage: Usage | None = None, sent: bool = True, refused: bool = False) -> None:
        super().__init__(message)
        self.message, self.status, self.code, self.subcode = message, status, code, subcode
        self.usage, self.sent, self.refused = usage, sent, refused

    @property
    def label(self) -> str:
        if self.refused:
            return "outbound_refused"
        if self.code is None:
            return "transport" if self.status is None else f"http_{self.status}"
        return f"{self.code}/{self.subcode}" if self.subcode is not None else str(self.code)


class GraphClient:
    """A Graph API client for one versioned base URL; ``last_usage`` is the latest usage answered
    to the calling thread (one connector instance may serve concurrent publications)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._mine = threading.local()
        self._client: httpx.Client | None = None

    @property
    def _http(self) -> httpx.Client:
        # made on first use: connectors are also built just to validate drafts
        if self._client is None:
            self._client = outbound_http_client(what="the Facebook API URL", timeout=self.timeout)
        return self._client

    @property
    def last_usage(self) -> Usage | None:
        return getattr(self._mine, "usage", None)

    def request(self, method: str, path: str, token: str | None,
                params: dict[str, Any] | None = None) -> dict[str, Any]:
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"
        values = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        if token is not None:
            values["access_token"] = token
        try:  # GET and DELETE carry parameters in the query, POST as a form, as Meta documents
            resp = (self._http.request(method, url, data=values) if method == "POST"
                    else self._http.request(method, url, params=values))
        except OutboundRefused as exc:
            raise GraphError(exc.detail, status=None, sent=bool(exc.extra.get("answered")), refused=True) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise GraphError(f"Could not reach Facebook: {type(exc).__name__}", status=None, sent=False) from exc
        except httpx.HTTPError as exc:
            raise GraphError(f"The request to Facebook failed: {type(exc).__name__}", status=None) from exc
        usage = parse_usage(resp.headers)
        self._mine.usage = usage or self.last_usage
        try:
            body = resp.json()
        except (ValueError, RecursionError):
            body = None
        if 200 <= resp.status_code < 300 and isinstance(body, dict) and "error" not in body:
            return body
        err = body.get("error") if isinstance(body, dict) else None
        if not isinstance(err, dict):
            raise GraphError(f"Facebook answered HTTP {resp.status_code} without an error description.",
                             status=resp.status_code, usage=usage)
        message = str(err.get("error_user_msg") or err.get("message") or f"HTTP {resp.status_code}")[:1000]
        raise GraphError(message, status=resp.status_code, code=_int(err.get("code")),
                         subcode=_int(err.get("error_subcode")), usage=usage)


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, separators=(",", ":")) if isinstance(value, list | dict) else str(value)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
