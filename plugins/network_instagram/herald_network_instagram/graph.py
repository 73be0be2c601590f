"""One Graph API request at a time: the access token as a parameter, Meta's error envelope
parsed into :class:`GraphError`, and the usage headers parsed into :class:`Usage`."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from herald.plugins import OutboundRefused, outbound_http_client


@dataclass(frozen=True)
class Usage:
    """What Meta's rate-limit headers said on the last answer. Figures are percentages of the
    allowance; ``regain_minutes`` is the longest ``estimated_time_to_regain_access`` given."""

    app: dict[str, float] = field(default_factory=dict)
    business: dict[str, float] = field(default_factory=dict)
    regain_minutes: float = 0.0

    @property
    def highest_percent(self) -> float:
        """The largest figure across both headers (0 when none was sent)."""
        return max([*self.app.values(), *self.business.values(), 0.0])

    def near_limit(self, threshold: float = 90.0) -> bool:
        """True when an engine should slow down before Meta throttles."""
        return self.highest_percent >= threshold


_FIGURES = ("call_count", "total_cputime", "total_time")


def parse_usage(headers: httpx.Headers) -> Usage | None:
    """The usage headers of one answer, or None if it had none. Malformed headers are ignored:
    they only ever make Herald slow down, never fail a request."""
    app: dict[str, float] = {}
    business: dict[str, float] = {}
    regain = 0.0
    seen = False
    raw_app = headers.get("x-app-usage")
    if raw_app:
        seen = True
        data = _loads(raw_app)
        if isinstance(data, dict):
            app = {k: float(data[k]) for k in _FIGURES if _number(data.get(k))}
    raw_buc = headers.get("x-business-use-case-usage")
    if raw_buc:
        seen = True
        data = _loads(raw_buc)
        if isinstance(data, dict):
            for entries in data.values():
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, dict):
                        continue
                    for k in _FIGURES:
                        if _number(entry.get(k)):
                            business[k] = max(business.get(k, 0.0), float(entry[k]))
                    if _number(entry.get("estimated_time_to_regain_access")):
                        regain = max(regain, float(entry["estimated_time_to_regain_access"]))
    return Usage(app, business, regain) if seen else None


def _loads(raw: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class GraphError(Exception):
    """Meta's error envelope (or a transport failure, ``code`` None). ``sent`` is False when
    the request certainly never reached Meta (connection refused, connect timeout)."""

    def __init__(self, message: str, *, status: int | None, code: int | None = None,
                 subcode: int | None = None, type_: str = "", is_transient: bool = False,
                 usage: Usage | None = None, sent: bool = True, timeout: bool = False,
                 refused: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.subcode = subcode
        self.type = type_
        self.is_transient = is_transient
        self.usage = usage
        self.sent = sent
        self.timeout = timeout
        #: the outbound policy refused the URL (or the answer): retrying will not help
        self.refused = refused

    @property
    def label(self) -> str:
        """``code/subcode`` for error records, e.g. ``9007/2207027``."""
        if self.refused:
            return "outbound_refused"
        if self.code is None:
            return "transport" if self.status is None else f"http_{self.status}"
        return f"{self.code}/{self.subcode}" if self.subcode is not None else str(self.code)


class GraphClient:
    """A thin Graph API client for one base URL. ``last_usage`` keeps the latest usage headers
    seen, so that callers can slow down as a figure nears 100 %."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.last_usage: Usage | None = None
        self._http: httpx.Client | None = None
        self._mine = threading.local()

    def thread_usage(self) -> Usage | None:
        """The latest usage headers answered to this thread (one connector instance serves
        concurrent publications, each in a thread of its own)."""
        return getattr(self._mine, "usage", None)

    def forget_thread_usage(self) -> None:
        self._mine.usage = None

    @property
    def http(self) -> httpx.Client:
        # one client (and TLS context) per connector instance; connectors live for one use
        if self._http is None:
            self._http = outbound_http_client(what="the Instagram API URL", timeout=self.timeout)
        return self._http

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def same_origin(self, url: str) -> bool:
        """Whether ``url`` points at our own API host (paging links are only followed then, so
        a token is never sent anywhere else)."""
        ours, theirs = urlsplit(self.base_url), urlsplit(url)
        return (ours.scheme, ours.netloc) == (theirs.scheme, theirs.netloc)

    def get(self, path_or_url: str, token: str | None, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("GET", path_or_url, token, params)

    def post(self, path_or_url: str, token: str | None, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("POST", path_or_url, token, params)

    def request(self, method: str, path_or_url: str, token: str | None,
                params: dict[str, Any] | None = None) -> dict[str, Any]:
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.url(path_or_url)
        # a paging link carries its own query; httpx would drop it in favour of ``params``
        url, _, query = url.partition("?")
        values = dict(parse_qsl(query))
        values.update({k: _param(v) for k, v in (params or {}).items() if v is not None})
        if token is not None:
            values["access_token"] = token
        try:
            # GET carries parameters in the query, POST as a form, as Meta documents
            resp = (self.http.get(url, params=values) if method == "GET"
                    else self.http.request(method, url, data=values))
        except OutboundRefused as exc:
            raise GraphError(exc.detail, status=None, sent=bool(exc.extra.get("answered")),
                             refused=True) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise GraphError(f"Could not reach Instagram: {type(exc).__name__}", status=None, sent=False) from exc
        except httpx.TimeoutException as exc:
            raise GraphError("Instagram did not answer in time.", status=None, timeout=True) from exc
        except httpx.HTTPError as exc:
            raise GraphError(f"The connection to Instagram failed: {type(exc).__name__}", status=None) from exc
        usage = parse_usage(resp.headers)
        if usage is not None:
            self.last_usage = self._mine.usage = usage
        body = _json(resp)
        if 200 <= resp.status_code < 300 and isinstance(body, dict) and "error" not in body:
            return body
        raise _error(resp.status_code, body, usage)


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except (ValueError, RecursionError):
        return None


def _error(status: int, body: Any, usage: Usage | None) -> GraphError:
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return GraphError(f"Instagram answered HTTP {status} without an error description.",
                          status=status, usage=usage)
    message = str(err.get("error_user_msg") or err.get("message") or f"HTTP {status}")
    if err.get("error_user_msg") and err.get("message") and err["message"] not in message:
        message = f"{message} ({err['message']})"
    return GraphError(message, status=status, code=_int(err.get("code")), subcode=_int(err.get("error_subcode")),
                      type_=str(err.get("type") or ""), is_transient=err.get("is_transient") is True, usage=usage)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
