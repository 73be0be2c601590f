"""One tenant's conversation with Salesforce: a session from the token endpoint, Data API
calls with Salesforce's error mapping, and the org's API usage from every answer.

An expired session (401, ``INVALID_SESSION_ID``) gets one new session and one retry. Every
URL — the tenant's login host and the instance URL Salesforce names — passes Herald's
outbound policy. Transport failures never quote the socket error (it would tell a tenant what
listens where); since every write is an upsert, a write whose answer was lost is safe to send
again and is reported as :class:`TransientError`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from herald.plugins import OutboundRefused, PermanentError, TransientError, outbound_http_client
from herald_crm_salesforce import auth
from herald_crm_salesforce.errors import body_of, error_for
from herald_crm_salesforce.limits import ApiUsage


class SalesforceClient:
    """Use as a context manager; it owns its connection pool."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        timeout = float(settings.get("timeout_seconds") or 30.0)
        self._http = outbound_http_client(what="the Salesforce URL", follow_redirects=False,
                                          timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))
        self.session: auth.Session | None = None
        self.usage: ApiUsage | None = None
        self.token_requests = 0

    def __enter__(self) -> SalesforceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ transport
    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except OutboundRefused as exc:
            raise PermanentError(exc.detail, code="outbound_refused") from exc
        except httpx.TimeoutException as exc:
            raise TransientError("Salesforce did not answer in time.", code="timeout") from exc
        except httpx.TransportError as exc:
            raise TransientError("Salesforce could not be reached.", code="unreachable") from exc
        usage = ApiUsage.from_header(response.headers.get("Sforce-Limit-Info"))
        if usage is not None:
            self.usage = usage
        return response

    # ------------------------------------------------------------------ auth
    def authenticate(self) -> auth.Session:
        """A new session from the token endpoint."""
        form = auth.grant(self.settings)
        self.token_requests += 1
        response = self._send("POST", f"{auth.login_host(self.settings)}/services/oauth2/token", data=form,
                              headers={"Accept": "application/json"})
        body = body_of(response)
        if response.status_code == 200:
            self.session = auth.session_from(body)
            return self.session
        if 400 <= response.status_code < 500 and response.status_code != 429:
            raise auth.refusal(body, response.status_code)
        raise TransientError(f"Salesforce's token endpoint answered {response.status_code}.",
                             code=f"http_{response.status_code}", status=response.status_code)

    # ------------------------------------------------------------------ data API
    def url(self, path: str) -> str:
        """``path`` under the instance: absolute (``/services/data/…``, a ``nextRecordsUrl``) or
        relative to the configured API version (``sobjects/Case``)."""
        assert self.session is not None
        if path.startswith("/services/"):
            return f"{self.session.instance_url}{path}"
        return f"{self.session.instance_url}/services/data/{self.settings['api_version']}/{path.lstrip('/')}"

    def call(self, method: str, path: str, *, ok: tuple[int, ...] = (), **kwargs: Any) -> httpx.Response:
        """The answer if it is a 2xx (or one of ``ok``); else the matching typed error. An
        expired session is renewed once and the call sent once more."""
        if self.session is None:
            self.authenticate()
        response = self._authorized(method, path, **kwargs)
        if response.status_code == 401:
            self.authenticate()
            response = self._authorized(method, path, **kwargs)
        if response.is_success or response.status_code in ok:
            return response
        raise error_for(response)

    def _authorized(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        assert self.session is not None
        headers = {"Authorization": f"Bearer {self.session.access_token}", "Accept": "application/json",
                   **dict(kwargs.pop("headers", {}) or {})}
        return self._send(method, self.url(path), headers=headers, **kwargs)
