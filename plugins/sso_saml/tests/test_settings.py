"""Per-tenant SAML settings: validated when saved through Herald's API, secrets write-only, and
IdP metadata fetched from a URL once, by the admin's save, behind an SSRF guard."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from herald_sso_saml import SamlSettings
from herald_sso_saml.idp_metadata import ALLOW_PRIVATE_ENV, MetadataError, fetch_metadata, parse_idp_metadata
from herald_sso_saml.testing import FakeIdp


@pytest.fixture
def idp(tmp_path, keys) -> FakeIdp:
    return FakeIdp("https://idp.acme.test/saml/metadata", keys["idp"], tmp_path / "idp", [])


class MetadataServer:
    """Serves ``body`` at /metadata on 127.0.0.1 and counts the requests."""

    def __init__(self, body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.body, self.status, self.headers, self.hits = body, status, headers or {}, 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits += 1
                self.send_response(owner.status)
                for k, v in owner.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/samlmetadata+xml")
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/metadata"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator:
    servers: list[MetadataServer] = []

    def start(body: bytes, **kw) -> MetadataServer:
        servers.append(MetadataServer(body, **kw))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


# ------------------------------------------------------------------------- validation
def test_settings_need_idp_metadata_or_its_url_and_default_to_the_safe_choices(idp):
    assert "idp_metadata_xml" in SamlSettings().validate({})
    loaded = SamlSettings().load({"idp_metadata_xml": idp.metadata()})
    assert (loaded["allow_idp_initiated"], loaded["refuse_sha1"], loaded["want_assertions_signed"]) == (
        False, True, True)
    assert loaded["clock_skew_seconds"] == 120


def test_clock_skew_above_five_minutes_is_refused(idp):
    errors = SamlSettings().validate({"idp_metadata_xml": idp.metadata(), "clock_skew_seconds": 301})
    assert "clock_skew_seconds" in errors


def test_metadata_that_is_not_an_identity_provider_is_refused(idp):
    sp_only = ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.test">'
               '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'
               "</md:EntityDescriptor>")
    assert SamlSettings().validate({"idp_metadata_xml": sp_only}) == {"idp_metadata_xml": [
        "The metadata has no IDPSSODescriptor: it does not describe an identity provider."]}
    assert "well-formed" in SamlSettings().validate({"idp_metadata_xml": "<not xml"})["idp_metadata_xml"][0]


def test_metadata_past_its_valid_until_is_refused(idp):
    past = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    errors = SamlSettings().validate({"idp_metadata_xml": idp.metadata(valid_until=past)})
    assert errors["idp_metadata_xml"][0].startswith("The metadata expired at ")


def test_an_sp_key_needs_its_own_certificate(idp, keys):
    md = idp.metadata()
    assert "sp_certificate_pem" in SamlSettings().validate({"idp_metadata_xml": md,
                                                            "sp_private_key_pem": keys["sp"].key_pem})
    mismatched = SamlSettings().validate({"idp_metadata_xml": md, "sp_private_key_pem": keys["sp"].key_pem,
                                          "sp_certificate_pem": keys["attacker"].cert_pem})
    assert mismatched == {"sp_certificate_pem": ["The SP certificate does not belong to this private key."]}


def test_at_most_two_pinned_idp_certificates_and_each_must_be_a_certificate(idp, keys):
    md = idp.metadata()
    three = [keys["idp"].cert_pem, keys["idp-next"].cert_pem, keys["other-idp"].cert_pem]
    assert "idp_certificates" in SamlSettings().validate({"idp_metadata_xml": md, "idp_certificates": three})
    assert SamlSettings().validate({"idp_metadata_xml": md, "idp_certificates": ["hello"]}) == {
        "idp_certificates": ["#1: Not a PEM X.509 certificate."]}


def test_expired_metadata_stored_earlier_stops_sign_in(make_tenant, clock):
    tenant = make_tenant(idp_metadata=lambda idp: idp.metadata(
        valid_until=(datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")))
    clock.offset = timedelta(days=2)
    from herald.plugins import SsoRefused

    with pytest.raises(SsoRefused, match="metadata cannot be used: The metadata expired at"):
        tenant.provider.begin(tenant.ctx, None)


# ------------------------------------------------------------------------- through Herald's API
def test_a_tenant_admin_enables_saml_with_idp_metadata_and_the_sp_key_stays_write_only(
        seed, api, herald_runtime, idp, keys):
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    bad = admin.patch(f"tenants/{acme.id}/plugins/sso_saml", {"enabled": True, "settings": {
        "idp_metadata_xml": idp.metadata(), "clock_skew_seconds": 3600}})
    assert bad.status_code == 422
    assert "clock_skew_seconds" in str(bad.get_json())
    assert admin.get(f"tenants/{acme.id}/plugins/sso_saml").get_json()["enabled"] is False

    ok = admin.patch(f"tenants/{acme.id}/plugins/sso_saml", {"enabled": True, "settings": {
        "idp_metadata_xml": idp.metadata(), "want_response_signed": True,
        "sp_certificate_pem": keys["sp"].cert_pem, "sp_private_key_pem": keys["sp"].key_pem}})
    assert ok.status_code == 200, ok.get_json()
    shown = admin.get(f"tenants/{acme.id}/plugins/sso_saml").get_json()
    assert shown["enabled"] is True
    assert "auth_provider:saml" in shown["provides"]
    assert shown["secrets_set"] == ["sp_private_key_pem"]
    assert "sp_private_key_pem" not in shown["settings"]
    assert keys["sp"].key_pem.strip().splitlines()[1] not in str(shown)
    assert shown["settings"]["want_response_signed"] is True
    field = {f["name"]: f for f in shown["settings_schema"]["fields"]}["sp_private_key_pem"]
    assert field["secret"] is True

    with herald_runtime.db.transaction() as s:
        provider = herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_auth_providers", "saml")
    assert provider is not None and provider.redirects is True
    assert provider.settings["sp_private_key_pem"] == keys["sp"].key_pem
    assert provider.idp().entity_id == "https://idp.acme.test/saml/metadata"


def test_saving_a_metadata_url_fetches_it_once_and_sign_ins_do_not_fetch(
        seed, api, herald_runtime, idp, serve, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    server = serve(idp.metadata().encode())
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    r = api(token).patch(f"tenants/{acme.id}/plugins/sso_saml",
                         {"enabled": True, "settings": {"idp_metadata_url": server.url}})
    assert r.status_code == 200, r.get_json()
    assert server.hits == 1
    assert r.get_json()["settings"]["idp_metadata_xml"] == idp.metadata()
    with herald_runtime.db.transaction() as s:
        provider = herald_runtime.plugins.for_tenant(s, acme.id).instance("herald_auth_providers", "saml")
    from herald.plugins import SsoContext
    from herald_sso_saml.testing import DictReplayCache

    ctx = SsoContext(acme.id, "acme", "https://herald.test/auth/sso/acme/saml", DictReplayCache(
        lambda: datetime.now(UTC)))
    assert provider.begin(ctx, None).redirect_url.startswith("https://idp.acme.test/saml/sso?")
    assert server.hits == 1


def test_a_metadata_url_that_fails_leaves_the_settings_unchanged(seed, api, serve, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    server = serve(b"gone", status=404)
    acme = seed.tenant("acme")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    r = api(token).patch(f"tenants/{acme.id}/plugins/sso_saml",
                         {"enabled": True, "settings": {"idp_metadata_url": server.url}})
    assert r.status_code == 422
    assert "The metadata URL answered HTTP 404." in str(r.get_json())
    shown = api(token).get(f"tenants/{acme.id}/plugins/sso_saml").get_json()
    assert shown["enabled"] is False and shown["settings"] == {}


# ------------------------------------------------------------------------- the fetch guard
def test_only_http_and_https_metadata_urls_are_fetched():
    for url in ("file:///etc/passwd", "ftp://idp.test/md.xml", "gopher://x", "http:///nohost"):
        with pytest.raises(MetadataError, match="must be an http:// or https:// URL"):
            fetch_metadata(url)
    assert "idp_metadata_url" in SamlSettings().validate({"idp_metadata_url": "file:///etc/passwd"})


def test_metadata_hosts_on_loopback_or_private_networks_are_refused_unless_the_operator_allows(
        idp, serve, monkeypatch):
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    monkeypatch.delenv("HERALD_OUTBOUND_ALLOW", raising=False)
    server = serve(idp.metadata().encode())
    with pytest.raises(MetadataError, match="is on a private or local network"):
        fetch_metadata(server.url)
    for url in ("http://10.0.0.8/md", "http://169.254.169.254/latest/meta-data", "http://[::1]/md"):
        with pytest.raises(MetadataError, match="is on a private or local network"):
            fetch_metadata(url)
    assert server.hits == 0
    assert parse_idp_metadata(fetch_metadata(server.url, allow_private=True)).entity_id == idp.entity_id


def test_oversized_metadata_is_refused(serve):
    server = serve(b"<x>" + b" " * 2000 + b"</x>")
    with pytest.raises(MetadataError, match="larger than 1000 bytes"):
        fetch_metadata(server.url, max_bytes=1000, allow_private=True)


def test_a_metadata_url_that_redirects_is_refused(serve):
    server = serve(b"", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"})
    with pytest.raises(MetadataError, match="redirects"):
        fetch_metadata(server.url, allow_private=True)


def test_a_metadata_url_that_does_not_answer_in_time_is_refused():
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(MetadataError, match="could not be fetched"):
            fetch_metadata(f"http://127.0.0.1:{silent.getsockname()[1]}/md", timeout=0.2, allow_private=True)
    finally:
        silent.close()
