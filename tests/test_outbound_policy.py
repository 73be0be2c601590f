"""The outbound policy: every URL or host a tenant admin sets is checked before Herald connects.

Each hostile destination is refused before a connection is made (a real listener on loopback
counts what arrives), per setting: webhook URL, SMTP host, Keycloak server URL, X and Instagram
API/token/upload URLs, SAML metadata URL. Redirects are re-checked at each hop, a second DNS answer
cannot move a connection, and the operator's allow-list lets chosen destinations through."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import requests

from herald.builtin.email_notifier import EmailNotifier
from herald.builtin.webhooks import WebhookSubscriber
from herald.config import ConfigError, Settings
from herald.outbound import OutboundPolicy, OutboundRefused, http_client, parse_allow_list, pin_session
from herald.plugins import Event, NetworkError, Notification, SsoRefused, TokenSet

#: Loopback in every spelling, then the other ranges Herald never reaches by default.
LOOPBACK_SPELLINGS = ("127.0.0.1", "localhost", "[::1]", "0.0.0.0", "2130706433", "0x7f.1", "017700000001",
                      "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::127.0.0.1]",
                      "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "loopback.test")
OTHER_INTERNAL = ("169.254.169.254", "[fd00:ec2::254]", "100.64.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1",
                  "[fe80::1]", "[fc00::1]", "224.0.0.1", "[ff02::1]", "255.255.255.255", "192.0.0.192",
                  "internal.test")
HOSTILE_HOSTS = LOOPBACK_SPELLINGS + OTHER_INTERNAL
#: Names the patched resolver answers (standing for a tenant-controlled DNS record).
FAKE_DNS = {"loopback.test": "127.0.0.1", "internal.test": "10.1.2.3", "public.test": "93.184.216.34"}


@pytest.fixture(autouse=True)
def _strict_policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No runtime and no allow-list: the default policy, as a fresh instance has it; the
    patched resolver answers for the ``.test`` names."""
    from herald import runtime

    monkeypatch.delenv("HERALD_OUTBOUND_ALLOW", raising=False)
    monkeypatch.delenv("HERALD_SAML_METADATA_ALLOW_PRIVATE_HOSTS", raising=False)
    previous = runtime._current
    runtime.set_current(None)
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host in FAKE_DNS:
            return real(FAKE_DNS[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    yield
    runtime.set_current(previous)


class Listener:
    """A TCP listener on loopback that counts the connections it accepts (and answers HTTP with
    ``status``/``headers``/``body`` when asked to)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, status: int = 200,
                 headers: dict[str, str] | None = None, body: bytes = b"ok") -> None:
        self.connections = 0
        self.requests: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.requests.append((self.command, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(outer.status)
                for k, v in outer.headers.items():
                    self.send_header(k, v.replace("{port}", str(outer.port)))
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                outer.connections += 1
                return True

        self.status, self.headers, self.body = status, headers or {}, body
        self.server = Server((host, port), Handler)
        self.host, self.port = host, self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listen() -> Iterator[Callable[..., Listener]]:
    started: list[Listener] = []

    def start(**kwargs: Any) -> Listener:
        started.append(Listener(**kwargs))
        return started[-1]

    yield start
    for listener in started:
        listener.stop()


@pytest.fixture
def listener(listen: Callable[..., Listener]) -> Listener:
    return listen()


def hostile_urls(port: int) -> list[str]:
    return [f"http://{host}:{port}/" for host in HOSTILE_HOSTS]


# ------------------------------------------------------------------------- the policy itself
@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_every_internal_address_spelling_is_refused_with_a_message_naming_the_setting(host):
    with pytest.raises(OutboundRefused) as caught:
        OutboundPolicy().check_url(f"https://{host}/hook", what="the webhook URL")
    assert caught.value.status == 422 and caught.value.slug == "outbound-refused"
    assert caught.value.detail.startswith("Herald does not connect to the webhook URL 'https://")
    assert "HERALD_OUTBOUND_ALLOW" in caught.value.detail


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://public.test/", "ftp://public.test/", "http:///x",
                                 "http://user:pw@public.test/", "http://public.test:99999/"])
def test_only_http_urls_with_a_host_and_no_credentials_are_accepted(url):
    with pytest.raises(OutboundRefused):
        OutboundPolicy().check_url(url, what="the webhook URL")


def test_a_public_destination_is_checked_once_and_pinned_to_its_addresses():
    dest = OutboundPolicy().check_url("https://public.test/path", what="the webhook URL")
    assert (dest.host, dest.port, [str(a) for a in dest.addresses]) == ("public.test", 443, ["93.184.216.34"])


def test_the_allow_list_admits_names_ports_addresses_and_networks_and_nothing_else():
    rules = parse_allow_list("sso.corp.test, *.proxy.test, 127.0.0.1:2525, 10.0.0.0/8, [::1]:8080")
    policy = OutboundPolicy(allow=rules)
    policy = replace(policy, resolver=lambda host, port, **kw: socket.getaddrinfo("192.168.9.9" if host.endswith(
        ".test") else host, port, **kw))
    assert policy.check_url("https://sso.corp.test/realms", what="x").addresses
    assert policy.check_url("https://a.proxy.test/", what="x").addresses
    assert policy.check_host("127.0.0.1", 2525, what="x").addresses
    assert policy.check_url("http://10.200.0.1:9000/", what="x").addresses
    assert policy.check_url("http://[::1]:8080/", what="x").addresses
    for refused in ("http://127.0.0.1:2526/", "http://[::1]:8081/", "http://192.168.0.1/", "https://other.test/"):
        with pytest.raises(OutboundRefused):
            policy.check_url(refused, what="x")


@pytest.mark.parametrize("entry", ["http://x", "10.0.0.0/33", "host:port", "[::1]x", "bad_name!"])
def test_a_wrong_allow_list_entry_stops_start_up(entry, tmp_path):
    with pytest.raises(ConfigError, match="HERALD_OUTBOUND_ALLOW"):
        Settings.from_env({"HERALD_INSTANCE_PATH": str(tmp_path), "HERALD_OUTBOUND_ALLOW": entry})


def test_the_instance_settings_carry_the_allow_list_and_the_caps(tmp_path):
    settings = Settings.from_env({"HERALD_INSTANCE_PATH": str(tmp_path), "HERALD_OUTBOUND_ALLOW": "10.0.0.0/8, a.test",
                                  "HERALD_OUTBOUND_MAX_REDIRECTS": "1", "HERALD_OUTBOUND_MAX_BYTES": "4096"})
    policy = OutboundPolicy.from_settings(settings)
    assert [r.text for r in policy.allow] == ["10.0.0.0/8", "a.test"]
    assert (policy.max_redirects, policy.max_bytes) == (1, 4096)
    assert Settings.from_env({"HERALD_INSTANCE_PATH": str(tmp_path)}).outbound_allow == ()


# ------------------------------------------------------------------------- per setting
def test_webhook_urls_that_are_internal_are_never_connected_to(listener):
    for url in hostile_urls(listener.port):
        hook = WebhookSubscriber("ten_1", {"url": url, "secret": "s" * 20})
        hook.deliver(Event(id="ev_1", type="post.created", tenant_id="ten_1", occurred_at=datetime.now(UTC)))
    assert listener.connections == 0


def test_smtp_hosts_that_are_internal_are_never_connected_to(listener):
    note = Notification(tenant_id="ten_1", recipient_id="u1", recipient_email="a@acme.test", kind="k", title="t")
    for host in HOSTILE_HOSTS:
        mailer = EmailNotifier("ten_1", {"host": host.strip("[]"), "port": listener.port, "security": "none",
                                         "from_address": "herald@acme.test", "timeout_seconds": 2})
        with pytest.raises(OutboundRefused, match="the SMTP server"):
            mailer.notify(note)
    assert listener.connections == 0


def test_keycloak_server_urls_that_are_internal_are_never_connected_to(listener):
    from herald_sso_keycloak.provider import KeycloakProvider

    for url in hostile_urls(listener.port):
        provider = KeycloakProvider("ten_1", {"server_url": url, "realm": "acme", "client_id": "herald"})
        with pytest.raises(SsoRefused, match="outbound connection refused: Herald does not connect to the Keycloak"):
            provider.discovery()
        with pytest.raises(Exception, match="outbound connection refused"):
            provider.backchannel_logout("refresh-token")
    assert listener.connections == 0


def test_x_api_token_and_upload_urls_that_are_internal_are_never_connected_to(listener):
    from herald_network_x import XConnector

    for url in hostile_urls(listener.port):
        x = XConnector("ten_1", {"client_id": "c", "api_base_url": url, "upload_base_url": url})
        for call in (lambda x=x: x.profile(TokenSet(access_token="a")),
                     lambda x=x: x.refresh(TokenSet(access_token="a", refresh_token="r")),
                     lambda x=x: x.exchange_code("code", "https://herald.test/cb", "v" * 43)):
            with pytest.raises(NetworkError) as caught:
                call()
            assert caught.value.code == "outbound_refused" and "the x api url" in caught.value.message.lower()
    assert listener.connections == 0


def test_instagram_api_and_token_urls_that_are_internal_are_never_connected_to(listener):
    from herald_network_instagram.connector import InstagramConnector

    for url in hostile_urls(listener.port):
        graph = InstagramConnector("ten_1", {"app_id": "a", "app_secret": "s", "api_base_url": url})
        ig_login = InstagramConnector("ten_1", {"app_id": "a", "app_secret": "s", "login": "instagram",
                                                "instagram_token_url": url})
        for call in (lambda graph=graph: graph.exchange_code("code", "https://herald.test/cb", "v"),
                     lambda graph=graph: graph.refresh(TokenSet(access_token="a")),
                     lambda ig_login=ig_login: ig_login.exchange_code("code", "https://herald.test/cb", "v")):
            with pytest.raises(NetworkError) as caught:
                call()
            assert caught.value.code == "outbound_refused"
    assert listener.connections == 0


def test_saml_metadata_urls_that_are_internal_are_never_fetched(listener):
    from herald_sso_saml.idp_metadata import MetadataError, fetch_metadata

    for url in hostile_urls(listener.port):
        with pytest.raises(MetadataError, match=r"is on a private or local network|is not a valid URL"):
            fetch_metadata(url)
    assert listener.connections == 0


def test_the_deprecated_saml_switch_still_admits_private_hosts_but_never_cloud_metadata(listener, monkeypatch):
    from herald_sso_saml.idp_metadata import MetadataError, fetch_metadata

    monkeypatch.setenv("HERALD_SAML_METADATA_ALLOW_PRIVATE_HOSTS", "1")
    assert fetch_metadata(listener.url + "/md") == "ok"
    with pytest.raises(MetadataError, match="cloud metadata"):
        fetch_metadata("http://169.254.169.254/latest/meta-data")


# ------------------------------------------------------------------------- redirects
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_a_port_the_operator_did_not_allow_is_refused_at_the_hop(listen, status):
    inner = listen()
    outer = listen(status=status, headers={"Location": f"http://127.0.0.1:{inner.port}/admin"})
    policy = OutboundPolicy(allow=parse_allow_list(f"127.0.0.1:{outer.port}"))
    with http_client(what="the webhook URL", policy=policy, follow_redirects=True) as client, \
            pytest.raises(OutboundRefused, match=f"127.0.0.1:{inner.port}"):
        client.post(outer.url + "/hook", content=b"{}")
    assert outer.requests == [("POST", "/hook")] and inner.connections == 0


def test_webhooks_never_follow_redirects(listen, monkeypatch):
    inner = listen()
    outer = listen(status=307, headers={"Location": f"http://127.0.0.1:{inner.port}/"})
    monkeypatch.setenv("HERALD_OUTBOUND_ALLOW", "127.0.0.1")
    hook = WebhookSubscriber("ten_1", {"url": outer.url, "secret": "s" * 20})
    hook.deliver(Event(id="ev_1", type="post.created", tenant_id="ten_1", occurred_at=datetime.now(UTC)))
    assert outer.requests == [("POST", "/")] and inner.connections == 0


def test_keycloak_discovery_redirected_to_an_internal_port_is_refused_at_the_hop(listen, monkeypatch):
    from herald_sso_keycloak.provider import KeycloakProvider

    inner = listen()
    outer = listen(status=302, headers={"Location": f"http://127.0.0.1:{inner.port}/"})
    monkeypatch.setenv("HERALD_OUTBOUND_ALLOW", f"127.0.0.1:{outer.port}")
    provider = KeycloakProvider("ten_1", {"server_url": outer.url + "/", "realm": "acme", "client_id": "herald"})
    with pytest.raises(SsoRefused, match="outbound connection refused"):
        provider.discovery()
    assert len(outer.requests) == 1 and inner.connections == 0


def test_redirect_chains_stop_at_the_policys_limit(listen):
    loop = listen(status=302, headers={"Location": "http://127.0.0.1:{port}/again"})
    policy = OutboundPolicy(allow=parse_allow_list("127.0.0.1"), max_redirects=2)
    with http_client(what="x", policy=policy, follow_redirects=True) as client, pytest.raises(httpx.TooManyRedirects):
        client.get(loop.url)
    assert len(loop.requests) == 3
    session = pin_session(requests.Session(), what="x", policy=policy)
    with pytest.raises(requests.TooManyRedirects):
        session.get(loop.url)


def test_answers_larger_than_the_cap_are_refused(listen):
    big = listen(body=b"x" * 5000)
    policy = OutboundPolicy(allow=parse_allow_list("127.0.0.1"), max_bytes=4096)
    with http_client(what="the metadata URL", policy=policy) as client, \
            pytest.raises(OutboundRefused, match="more than 4096 bytes"):
        client.get(big.url)
    with pytest.raises(OutboundRefused, match="more than 4096 bytes"):
        pin_session(requests.Session(), what="x", policy=policy).get(big.url)


# ------------------------------------------------------------------------- DNS rebinding
def test_a_second_different_dns_answer_cannot_move_the_connection(listen, monkeypatch):
    allowed = listen(host="127.0.0.1")
    elsewhere = listen(host="127.0.0.2", port=allowed.port)
    answers = iter(["127.0.0.1"])
    calls: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            calls.append(host)
            return real(next(answers, "127.0.0.2"), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    policy = OutboundPolicy(allow=parse_allow_list("127.0.0.1"))
    with http_client(what="x", policy=policy) as client:
        assert client.get(f"http://rebind.test:{allowed.port}/").status_code == 200
    session = pin_session(requests.Session(), what="x", policy=OutboundPolicy(allow=parse_allow_list("127.0.0.1")))
    answers = iter(["127.0.0.1"])
    assert session.get(f"http://rebind.test:{allowed.port}/").status_code == 200
    assert len(allowed.requests) == 2 and elsewhere.connections == 0 and calls == ["rebind.test"] * 2
    # without the pinned client the second answer would have won
    answers = iter(["127.0.0.1"])
    policy.check_url(f"http://rebind.test:{allowed.port}/", what="x")
    assert httpx.get(f"http://rebind.test:{allowed.port}/").status_code == 200
    assert elsewhere.connections == 1


def test_the_pinned_request_keeps_the_host_name_in_the_host_header(listen, monkeypatch):
    seen: list[str] = []
    server = listen()
    original = server.server.RequestHandlerClass.do_GET

    def record(handler: Any) -> None:
        seen.append(handler.headers["Host"])
        original(handler)

    server.server.RequestHandlerClass.do_GET = record
    policy = OutboundPolicy(allow=parse_allow_list("loopback.test"))
    with http_client(what="x", policy=policy) as client:
        client.get(f"http://loopback.test:{server.port}/")
    pin_session(requests.Session(), what="x", policy=policy).get(f"http://loopback.test:{server.port}/")
    assert seen == [f"loopback.test:{server.port}"] * 2


# ------------------------------------------------------------------------- the allow-list
def test_the_operators_allow_list_lets_the_test_servers_through(listen, monkeypatch):
    server = listen()
    monkeypatch.setenv("HERALD_OUTBOUND_ALLOW", f"127.0.0.1:{server.port}")
    hook = WebhookSubscriber("ten_1", {"url": server.url + "/hook", "secret": "s" * 20})
    hook.deliver(Event(id="ev_1", type="post.created", tenant_id="ten_1", occurred_at=datetime.now(UTC)))
    from herald_sso_saml.idp_metadata import fetch_metadata

    assert fetch_metadata(server.url + "/md") == "ok"
    assert server.requests == [("POST", "/hook"), ("GET", "/md")]


def test_the_test_instance_allows_its_loopback_servers_explicitly(herald_runtime):
    from herald.outbound import current_policy
    from herald.runtime import set_current

    set_current(herald_runtime)
    assert [r.text for r in current_policy().allow] == ["127.0.0.1", "localhost", "::1"]
    strict = replace(herald_runtime.settings, outbound_allow=())
    herald_runtime.settings = strict
    with pytest.raises(OutboundRefused):
        current_policy().check_url("http://127.0.0.1/", what="x")


def test_the_tenant_sso_login_url_does_not_reach_an_internal_keycloak(listener, seed, api, client, herald_runtime):
    from herald.runtime import set_current

    set_current(herald_runtime)
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    r = api(token).patch(f"tenants/{acme.id}/plugins/sso_keycloak", {"enabled": True, "settings": {
        "server_url": f"http://2130706433:{listener.port}/", "realm": "acme", "client_id": "herald"}})
    assert r.status_code == 200, r.get_json()
    herald_runtime.settings = replace(herald_runtime.settings, outbound_allow=())
    answer = client.get("/auth/sso/acme/keycloak")
    assert answer.status_code < 500 and str(listener.port) not in answer.get_data(as_text=True)
    assert listener.connections == 0


# ------------------------------------------------------------------------- operator-owned URLs
def test_connector_urls_are_the_operators_unless_tenants_may_override_them(seed, api, herald_runtime):
    from herald.plugin_host.instance import InstanceSettings
    from herald.runtime import set_current

    set_current(herald_runtime)
    host = herald_runtime.plugins
    host.instance = InstanceSettings({"HERALD_NETWORK_X__API_BASE_URL": "https://x-proxy.corp.test"}, ())
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    r = api(token).patch(f"tenants/{acme.id}/plugins/network_x", {"settings": {
        "client_id": "cid", "api_base_url": "http://127.0.0.1:6379"}})
    assert r.status_code == 422
    assert "HERALD_NETWORK_X__API_BASE_URL" in str(r.get_json()["errors"]["api_base_url"])
    r = api(token).patch(f"tenants/{acme.id}/plugins/network_x", {"settings": {
        "client_id": "cid", "api_base_url": "https://x-proxy.corp.test", "upload_base_url": "https://upload.twitter.com"}})
    assert r.status_code == 200, r.get_json()
    with herald_runtime.db.transaction() as s:
        assert host.effective_settings(s, acme.id, "network_x")["api_base_url"] == "https://x-proxy.corp.test"
    host.instance = InstanceSettings({}, ("network_x.api_base_url",))
    r = api(token).patch(f"tenants/{acme.id}/plugins/network_x", {"settings": {
        "client_id": "cid", "api_base_url": "https://x.tenant.test"}})
    assert r.status_code == 200, r.get_json()
    with herald_runtime.db.transaction() as s:
        assert host.effective_settings(s, acme.id, "network_x")["api_base_url"] == "https://x.tenant.test"
    host.instance = InstanceSettings({}, ())  # overrides withdrawn: the stored value no longer counts
    with herald_runtime.db.transaction() as s:
        assert host.effective_settings(s, acme.id, "network_x")["api_base_url"] == "https://api.x.com"


def test_a_wrong_operator_plugin_setting_stops_start_up(herald_runtime):
    from herald.errors import PluginError
    from herald.plugin_host.instance import InstanceSettings

    host = herald_runtime.plugins
    for env in ({"HERALD_NETWORK_X__API_BASE_URL": "not a url"}, {"HERALD_NETWORK_X__CLIENT_ID": "c"},
                {"HERALD_NO_SUCH_PLUGIN__URL": "https://a.test"}):
        host.instance = InstanceSettings(env, ())
        with pytest.raises(PluginError):
            host.check_instance_settings()


# ------------------------------------------------------------------------- what errors repeat
def test_a_connect_error_never_repeats_what_a_non_oauth_service_answered(listen, monkeypatch):
    from herald_network_x import XConnector

    internal = listen(status=400, body=b'{"detail": "redis_version:7.2.4 role:master", "error": "WRONGTYPE"}')
    monkeypatch.setenv("HERALD_OUTBOUND_ALLOW", "127.0.0.1")
    x = XConnector("ten_1", {"client_id": "c", "api_base_url": internal.url})
    with pytest.raises(NetworkError) as caught:
        x.exchange_code("code", "https://herald.test/cb", "v" * 43)
    assert "redis" not in caught.value.message and "WRONGTYPE" not in str(caught.value.code)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    x = XConnector("ten_1", {"client_id": "c", "api_base_url": f"http://127.0.0.1:{port}"})
    with pytest.raises(NetworkError) as caught:
        x.refresh(TokenSet(access_token="a", refresh_token="r"))
    assert caught.value.message == "X could not be reached."


# ------------------------------------------------------------------------- TLS on the host name
def _certificate(tmp_path: Any, name: str) -> tuple[str, str]:
    """A self-signed certificate for ``name`` (PEM paths of the certificate and its key)."""
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_tls_is_verified_for_the_host_name_while_connecting_to_the_checked_address(listen, tmp_path):
    import ssl

    cert, key = _certificate(tmp_path, "loopback.test")
    server = listen()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    policy = OutboundPolicy(allow=parse_allow_list("127.0.0.1"))
    trust = ssl.create_default_context(cafile=cert)
    with http_client(what="x", policy=policy, verify=trust) as client:
        assert client.get(f"https://loopback.test:{server.port}/").text == "ok"
        with pytest.raises(httpx.ConnectError, match=r"certificate|hostname"):
            client.get(f"https://127.0.0.1:{server.port}/")  # the certificate does not name the address
    session = pin_session(requests.Session(), what="x", policy=policy)
    assert session.get(f"https://loopback.test:{server.port}/", verify=cert).text == "ok"
    with pytest.raises(requests.exceptions.SSLError):
        session.get(f"https://127.0.0.1:{server.port}/", verify=cert)


# ------------------------------------------------------------------------- when settings are saved
@pytest.mark.parametrize(("plugin", "settings", "field"), [
    ("webhooks", {"url": "http://169.254.169.254/latest/meta-data/", "secret": "s" * 20}, "url"),
    ("webhooks", {"url": "http://0x7f.1:6379/", "secret": "s" * 20}, "url"),
    ("email_notifier", {"host": "2130706433", "port": 25, "from_address": "herald@acme.test"}, "host"),
    ("email_notifier", {"host": "localhost", "port": 6379, "from_address": "herald@acme.test"}, "host"),
    ("sso_keycloak", {"server_url": "http://[::ffff:127.0.0.1]:8080/", "realm": "a", "client_id": "c"},
     "server_url"),
])
def test_a_tenant_admin_saving_an_internal_address_is_refused_at_once(plugin, settings, field, seed, api,
                                                                      herald_runtime):
    from herald.runtime import set_current

    set_current(herald_runtime)
    herald_runtime.settings = replace(herald_runtime.settings, outbound_allow=())
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    if plugin not in herald_runtime.plugins.infos:
        pytest.skip(f"{plugin} is not installed")
    r = api(token).patch(f"tenants/{acme.id}/plugins/{plugin}", {"enabled": True, "settings": settings})
    assert r.status_code == 422, r.get_json()
    assert "HERALD_OUTBOUND_ALLOW" in str(r.get_json()["errors"][field])
    assert api(token).get(f"tenants/{acme.id}/plugins/{plugin}").get_json()["settings"] == {}
