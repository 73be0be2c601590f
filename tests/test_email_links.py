"""Email over SMTP (a real aiosmtpd server on loopback): the email notifier, invitations and
password resets by single-use, expiring links."""

from __future__ import annotations

import re
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from identity_helpers import PASSWORD, frozen_clock, password_user, sign_in

from herald.builtin.email_notifier import EmailNotifier
from herald.notifications.notifier import Notification

NEW_PASSWORD = "a brand new passphrase 42"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    logins: list[str] = []

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        if ok:
            logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    inbox.port = controller.port  # type: ignore[attr-defined]
    inbox.logins = logins  # type: ignore[attr-defined]
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def acme(seed):
    return seed.tenant("acme")


@pytest.fixture
def admin(seed, acme, api):
    return api(password_user(seed, acme, "admin@acme.test", [("tenant_admin", "root")])[1])


@pytest.fixture
def email_on(admin, acme, smtp):
    r = admin.patch(f"tenants/{acme.id}/plugins/email_notifier", {"enabled": True, "settings": {
        "host": "127.0.0.1", "port": smtp.port, "security": "none", "username": "herald", "password": "s3cret",
        "from_address": "herald@acme.test"}})
    assert r.status_code == 200, r.get_json()
    return smtp


def _link(message) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"token=([A-Za-z0-9_.\-]+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def test_the_email_notifier_sends_through_the_configured_smtp_server(smtp):
    notifier = EmailNotifier("ten_x", {"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                       "username": "herald", "password": "s3cret",
                                       "from_address": "herald@acme.test", "timeout_seconds": 5})
    notifier.notify(Notification("ten_x", "usr_1", "ann@acme.test", "post.failed", "A post failed",
                                 "The post to X failed.", link="https://herald.example/posts/1"))
    assert smtp.logins == ["herald"]
    sender, rcpts, msg = smtp.messages[0]
    assert sender == "herald@acme.test" and rcpts == ["ann@acme.test"]
    assert msg["Subject"] == "A post failed" and "https://herald.example/posts/1" in msg.get_content()


def test_an_unreachable_smtp_server_raises_so_the_delivery_is_retried():
    notifier = EmailNotifier("ten_x", {"host": "127.0.0.1", "port": _free_port(), "security": "none",
                                       "from_address": "h@acme.test", "timeout_seconds": 2})
    with pytest.raises(OSError):
        notifier.notify(Notification("ten_x", "usr_1", "ann@acme.test", "k", "t"))


def test_the_smtp_password_is_a_write_only_secret(admin, acme, email_on):
    shown = admin.get(f"tenants/{acme.id}/plugins/email_notifier").get_data(as_text=True)
    assert "s3cret" not in shown


def test_an_invited_person_receives_a_link_that_sets_their_password_once(client, admin, acme, email_on, run_jobs):
    r = admin.post(f"tenants/{acme.id}/invitations", {"email": "New@acme.test", "display_name": "Nia"})
    assert r.status_code == 201, r.get_json()
    assert sign_in(client, "acme", "new@acme.test", "anything-at-all").status_code == 401
    assert run_jobs() == 0
    _, rcpts, msg = email_on.messages[0]
    assert rcpts == ["new@acme.test"] and "invited" in msg["Subject"]
    token = _link(msg)
    assert "/sign-in/acme/invitation?token=" in msg.get_content()
    r = client.post("/api/v1/auth/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert r.status_code == 204
    assert sign_in(client, "acme", "new@acme.test", NEW_PASSWORD).status_code == 201
    again = client.post("/api/v1/auth/invitations/accept", json={"token": token, "password": "another passphrase"})
    assert again.status_code == 400


def test_an_invitation_link_expires(client, admin, acme, email_on, run_jobs, herald_runtime):
    with frozen_clock() as clock:
        admin.post(f"tenants/{acme.id}/invitations", {"email": "late@acme.test", "display_name": "Late"})
        run_jobs()
        token = _link(email_on.messages[0][2])
        clock.advance(hours=herald_runtime.settings.invitation_ttl_hours, seconds=1)
        r = client.post("/api/v1/auth/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
        assert r.status_code == 400 and "expired" in r.get_json()["detail"]


def test_a_password_reset_email_arrives_and_its_link_works_once(client, app, seed, acme, email_on, run_jobs):
    password_user(seed, acme, "alice@acme.test")
    other_browser = app.test_client()
    sign_in(other_browser, "acme", "alice@acme.test")
    r = client.post("/api/v1/auth/password-reset", json={"tenant": "acme", "email": "alice@acme.test"})
    assert r.status_code == 202
    assert run_jobs() == 0
    _, rcpts, msg = email_on.messages[0]
    assert rcpts == ["alice@acme.test"] and msg["Subject"] == "Reset your Herald password"
    token = _link(msg)
    r = client.post("/api/v1/auth/password-reset/complete", json={"token": token, "password": NEW_PASSWORD})
    assert r.status_code == 204
    assert other_browser.get("/api/v1/me").status_code == 401  # sessions ended by the reset
    assert sign_in(client, "acme", "alice@acme.test", PASSWORD).status_code == 401
    assert sign_in(client, "acme", "alice@acme.test", NEW_PASSWORD).status_code == 201
    r = client.post("/api/v1/auth/password-reset/complete", json={"token": token, "password": "yet another one!"})
    assert r.status_code == 400


def test_a_reset_link_expires(client, seed, acme, email_on, run_jobs, herald_runtime):
    password_user(seed, acme, "alice@acme.test")
    with frozen_clock() as clock:
        client.post("/api/v1/auth/password-reset", json={"tenant": "acme", "email": "alice@acme.test"})
        run_jobs()
        token = _link(email_on.messages[0][2])
        clock.advance(minutes=herald_runtime.settings.password_reset_ttl_minutes + 1)
        r = client.post("/api/v1/auth/password-reset/complete", json={"token": token, "password": NEW_PASSWORD})
        assert r.status_code == 400


def test_asking_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(client, acme, email_on, run_jobs):
    r = client.post("/api/v1/auth/password-reset", json={"tenant": "acme", "email": "ghost@acme.test"})
    assert r.status_code == 202
    run_jobs()
    assert email_on.messages == []


def test_a_forged_reset_token_is_refused(client, acme):
    r = client.post("/api/v1/auth/password-reset/complete", json={"token": "lnk_x.y", "password": NEW_PASSWORD})
    assert r.status_code == 400


def test_the_emailed_reset_link_opens_a_page_that_sets_the_password(client, seed, acme, email_on, run_jobs):
    password_user(seed, acme, "alice@acme.test")
    page = client.get("/sign-in/acme/forgot")
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    r = client.post("/sign-in/acme/forgot", data={"form_token": form_token, "email": "alice@acme.test"})
    assert r.status_code == 200 and "Check your email" in r.get_data(as_text=True)
    run_jobs()
    msg = email_on.messages[0][2]
    url = re.search(r"(http://localhost/sign-in/acme/reset\?token=\S+)", msg.get_content()).group(1)
    page = client.get(url.removeprefix("http://localhost"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="password"' in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    r = client.post("/sign-in/acme/reset", data={"form_token": form_token, "token": token, "password": NEW_PASSWORD})
    assert r.status_code == 303 and r.headers["Location"].endswith("/sign-in/acme")
    assert sign_in(client, "acme", "alice@acme.test", NEW_PASSWORD).status_code == 201


def _self_signed(tmp_path):  # type: ignore[no-untyped-def]
    """A certificate for 127.0.0.1 and its key, as files and the certificate as PEM."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    (tmp_path / "cert.pem").write_text(pem)
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    return tmp_path / "cert.pem", tmp_path / "key.pem", pem


def test_the_email_notifier_upgrades_to_tls_with_starttls_and_checks_the_certificate(tmp_path):
    import ssl

    cert, key, pem = _self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), tls_context=tls, require_starttls=True)
    controller.start()
    try:
        settings = {"host": "127.0.0.1", "port": controller.port, "security": "starttls",
                    "from_address": "herald@acme.test", "timeout_seconds": 5}
        with pytest.raises(ssl.SSLError):  # an untrusted certificate is refused
            EmailNotifier("ten_x", settings).notify(Notification("ten_x", "u", "ann@acme.test", "k", "Hello"))
        assert inbox.messages == []
        EmailNotifier("ten_x", {**settings, "ca_certificate_pem": pem}).notify(
            Notification("ten_x", "u", "ann@acme.test", "k", "Hello over TLS"))
        assert inbox.messages[0][2]["Subject"] == "Hello over TLS"
    finally:
        controller.stop()


def test_reset_emails_to_one_person_are_limited(client, seed, acme, email_on, run_jobs):
    password_user(seed, acme, "alice@acme.test")
    for _ in range(5):
        r = client.post("/api/v1/auth/password-reset", json={"tenant": "acme", "email": "alice@acme.test"})
        assert r.status_code == 202
    run_jobs()
    assert len(email_on.messages) == 3
