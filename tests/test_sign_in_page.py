"""The server-rendered sign-in page: local sign-in, one button per enabled SSO provider, no
external assets, protected against login CSRF."""

from __future__ import annotations

import re

import fake_idp
import pytest
from identity_helpers import PASSWORD, password_user

from herald.auth.sessions import COOKIE


@pytest.fixture
def acme(seed):
    return seed.tenant("acme")


def _form_token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def test_the_page_offers_local_sign_in_and_a_button_per_enabled_sso_provider(client, acme, register_plugin):
    register_plugin(fake_idp.plugin(), "fakeidp")
    r = client.get("/sign-in/acme?next=/posts")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert 'name="password"' in html and "Sign in with Fake IdP" in html
    assert 'action="/auth/sso/acme/fakeidp/login"' in html and 'value="/posts"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no external assets
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]


def test_a_provider_the_tenant_disabled_gets_no_button(client, acme, register_plugin, seed, api):
    register_plugin(fake_idp.plugin(), "fakeidp")
    _, token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    api(token).patch(f"tenants/{acme.id}/plugins/fakeidp", {"enabled": False})
    assert "Fake IdP" not in client.get("/sign-in/acme").get_data(as_text=True)


def test_signing_in_with_the_form_sets_the_session_and_goes_to_next(client, acme, seed):
    password_user(seed, acme, "alice@acme.test")
    token = _form_token(client.get("/sign-in/acme").get_data(as_text=True))
    r = client.post("/sign-in/acme", data={"form_token": token, "email": "alice@acme.test", "password": PASSWORD,
                                           "next": "/posts/1"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/posts/1")
    assert client.get_cookie(COOKIE) is not None
    assert client.get("/api/v1/me").get_json()["email"] == "alice@acme.test"


def test_a_wrong_password_shows_a_general_message(client, acme, seed):
    password_user(seed, acme, "alice@acme.test")
    token = _form_token(client.get("/sign-in/acme").get_data(as_text=True))
    r = client.post("/sign-in/acme", data={"form_token": token, "email": "alice@acme.test", "password": "nope"})
    assert r.status_code == 401 and "Those credentials are not valid" in r.get_data(as_text=True)
    assert client.get_cookie(COOKIE) is None


def test_a_form_posted_from_elsewhere_without_the_pages_token_is_refused(app, acme, seed):
    password_user(seed, acme, "alice@acme.test")
    attacker_page = app.test_client()  # never loaded the sign-in page: no form cookie
    r = attacker_page.post("/sign-in/acme", data={"form_token": "guess", "email": "alice@acme.test",
                                                  "password": PASSWORD})
    assert r.status_code == 400 and attacker_page.get_cookie(COOKIE) is None


def test_an_unknown_tenant_has_no_page(client):
    assert client.get("/sign-in/nope").status_code == 404
