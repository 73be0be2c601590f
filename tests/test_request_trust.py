"""Trust in request headers: absolute URLs come from HERALD_PUBLIC_URL, a foreign Host is refused
when no public URL is set, and X-Forwarded-* counts only from the operator's trusted proxies."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask, jsonify, request
from identity_helpers import password_user
from test_email_links import _link, acme, admin, email_on, smtp  # noqa: F401  (real SMTP fixtures)

from herald.app import create_app
from herald.config import ConfigError, Settings
from herald.web.request_trust import TrustedProxies

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}


def _app_with(herald_runtime, **settings):  # type: ignore[no-untyped-def]
    herald_runtime.settings = replace(herald_runtime.settings, **settings)
    return create_app(runtime=herald_runtime, test_config={"TESTING": True})


def test_an_emailed_reset_link_uses_the_public_url_whatever_host_the_request_names(
        seed, acme, email_on, run_jobs, herald_runtime):  # noqa: F811
    password_user(seed, acme, "alice@acme.test")
    browser = _app_with(herald_runtime, public_url="https://herald.example").test_client()
    r = browser.post("/api/v1/auth/password-reset", json={"tenant": "acme", "email": "alice@acme.test"},
                     headers=EVIL)
    assert r.status_code == 202
    assert run_jobs() == 0
    body = email_on.messages[0][2].get_content()
    assert "https://herald.example/sign-in/acme/reset?token=" in body and "evil.example" not in body
    assert _link(email_on.messages[0][2])


def test_without_a_public_url_a_foreign_host_is_refused_and_nothing_is_sent(
        client, seed, acme, email_on, run_jobs):  # noqa: F811
    password_user(seed, acme, "alice@acme.test")
    r = client.post("/api/v1/auth/password-reset", json={"tenant": "acme", "email": "alice@acme.test"},
                    headers={"Host": "evil.example"})
    assert r.status_code == 400
    assert run_jobs() == 0 and email_on.messages == []
    ok = client.post("/api/v1/auth/password-reset", json={"tenant": "acme", "email": "alice@acme.test"},
                     headers={"Host": "127.0.0.1:8000"})
    assert ok.status_code == 202
    assert run_jobs() == 0
    assert "http://127.0.0.1:8000/sign-in/acme/reset?token=" in email_on.messages[0][2].get_content()


def test_the_operator_names_the_hosts_herald_answers_to(herald_runtime):
    browser = _app_with(herald_runtime, allowed_hosts=("herald.internal",)).test_client()
    assert browser.get("/health", headers={"Host": "herald.internal"}).status_code == 200
    assert browser.get("/health", headers={"Host": "localhost"}).status_code == 400
    assert browser.get("/health", headers={"Host": "evil.example"}).status_code == 400


def test_the_oauth_redirect_uri_comes_from_the_public_url_not_the_host_header(seed, herald_runtime):
    t = seed.tenant("acme", {"coffee": None})
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    browser = _app_with(herald_runtime, public_url="https://herald.example").test_client()
    auth = {"Authorization": f"Bearer {token}", **EVIL}
    assert browser.patch(f"/api/v1/tenants/{t.id}/plugins/network_sandbox", json={"enabled": True},
                         headers=auth).status_code == 200
    r = browser.post(f"/api/v1/tenants/{t.id}/social-accounts", headers=auth,
                     json={"org_unit_id": t.units["coffee"].id, "network": "sandbox", "handle": "acme_sandbox"})
    assert r.status_code == 201, r.get_json()
    start = browser.post(f"/api/v1/tenants/{t.id}/social-accounts/{r.get_json()['id']}/connect", headers=auth)
    assert start.status_code == 201, start.get_json()
    # The sandbox approves at once: its authorize URL is the redirect URI itself.
    url = urlparse(start.get_json()["authorize_url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "herald.example", "/api/v1/connect/callback")
    assert "code" in parse_qs(url.query)


def test_forwarded_addresses_from_an_untrusted_peer_do_not_escape_the_sign_in_throttle(
        client, seed, herald_runtime):
    herald_runtime.settings = replace(herald_runtime.settings, signin_max_failures_per_address=3,
                                      signin_max_failures_per_account=100)
    t = seed.tenant("acme")
    answers = []
    for i in range(5):
        r = client.post("/api/v1/auth/sessions", json={"tenant": "acme", "email": f"u{i}@acme.test",
                                                      "password": "wrong password"},
                        headers={"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"198.51.100.{i}"})
        answers.append(r.status_code)
    assert t and answers[:3] == [401, 401, 401] and answers[3:] == [429, 429]


def test_a_trusted_proxy_speaks_for_each_client_it_forwards(seed, herald_runtime):
    app = _app_with(herald_runtime, trusted_proxies=("10.0.0.0/8",), signin_max_failures_per_address=3,
                    signin_max_failures_per_account=100)
    seed.tenant("acme")
    proxy = app.test_client()
    proxy.environ_base["REMOTE_ADDR"] = "10.1.2.3"

    def attempt(client_ip: str, i: int) -> int:
        return proxy.post("/api/v1/auth/sessions", json={"tenant": "acme", "email": f"u{i}@acme.test",
                                                         "password": "wrong password"},
                          headers={"X-Forwarded-For": client_ip}).status_code

    assert [attempt(f"203.0.113.{i}", i) for i in range(5)] == [401] * 5  # five clients, one failure each
    assert [attempt("198.51.100.7", 10 + i) for i in range(4)] == [401, 401, 401, 429]


def _echo() -> Flask:
    echo = Flask("echo")

    @echo.get("/")
    def show():  # type: ignore[no-untyped-def]
        return jsonify(addr=request.remote_addr, scheme=request.scheme, host=request.host,
                       route=request.access_route, root=request.url_root)

    return echo


FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "herald.example",
             "X-Forwarded-Port": "443", "X-Forwarded-Prefix": "/social"}


def test_forwarded_headers_from_anyone_else_are_dropped_before_any_code_reads_them():
    echo = _echo()
    echo.wsgi_app = TrustedProxies(echo.wsgi_app, ["10.0.0.0/8"], 1)  # type: ignore[method-assign]
    seen = echo.test_client().get("/", headers=FORWARDED, environ_base={"REMOTE_ADDR": "192.0.2.50"}).get_json()
    assert seen == {"addr": "192.0.2.50", "scheme": "http", "host": "localhost", "route": ["192.0.2.50"],
                    "root": "http://localhost/"}


@pytest.mark.parametrize("peer", ["10.9.8.7", "::ffff:10.9.8.7"])
def test_forwarded_headers_from_a_trusted_proxy_set_the_client_scheme_and_host(peer):
    echo = _echo()
    echo.wsgi_app = TrustedProxies(echo.wsgi_app, ["10.0.0.0/8"], 1)  # type: ignore[method-assign]
    seen = echo.test_client().get("/", headers=FORWARDED, environ_base={"REMOTE_ADDR": peer}).get_json()
    assert seen["addr"] == "203.0.113.9" and seen["scheme"] == "https" and seen["host"] == "herald.example"
    assert seen["root"] == "https://herald.example/social/"


def test_with_two_proxies_the_client_is_the_address_the_outer_one_saw():
    echo = _echo()
    echo.wsgi_app = TrustedProxies(echo.wsgi_app, ["10.0.0.0/8"], 2)  # type: ignore[method-assign]
    spoofed = {"X-Forwarded-For": "1.1.1.1, 203.0.113.9, 10.0.0.2"}  # the client claimed 1.1.1.1 itself
    seen = echo.test_client().get("/", headers=spoofed, environ_base={"REMOTE_ADDR": "10.0.0.3"}).get_json()
    assert seen["addr"] == "203.0.113.9"


@pytest.mark.parametrize(("env", "message"), [
    ({"HERALD_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"}, "'proxy.example' is not an IP address or network"),
    ({"HERALD_TRUSTED_PROXY_HOPS": "0"}, "HERALD_TRUSTED_PROXY_HOPS must be a whole number from 1 to 10"),
    ({"HERALD_TRUSTED_PROXY_HOPS": "two"}, "HERALD_TRUSTED_PROXY_HOPS must be a whole number from 1 to 10"),
])
def test_a_wrong_proxy_setting_stops_start_up_with_one_clear_line(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"HERALD_INSTANCE_PATH": str(tmp_path), **env})


def test_proxy_and_host_settings_are_read_from_the_environment(tmp_path):
    s = Settings.from_env({"HERALD_INSTANCE_PATH": str(tmp_path), "HERALD_TRUSTED_PROXIES": "10.0.0.1, fd00::/8",
                           "HERALD_TRUSTED_PROXY_HOPS": "2", "HERALD_ALLOWED_HOSTS": "Herald.Example, .corp.example"})
    assert s.trusted_proxies == ("10.0.0.1/32", "fd00::/8") and s.trusted_proxy_hops == 2
    assert s.allowed_hosts == ("herald.example", ".corp.example")
