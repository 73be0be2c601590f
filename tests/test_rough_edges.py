"""Rough edges of daily use: an invitation sent while e-mail is off says so and gives the link,
browsers get Herald's icon, a throttled sign-in says how long to wait (in the person's
language), and the password-token answer names the tenant the next calls need."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from html import unescape

from console_world import PASSWORD, console_world_fixture, sign_in  # noqa: F401  (the world fixture)
from identity_helpers import Clock

from herald.clock import set_clock, utcnow

EMAIL_SETTINGS = {"host": "127.0.0.1", "port": 2525, "security": "none", "from_address": "herald@acme.test"}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


# ----------------------------------------------------------------------------- invitations
def test_an_invitation_while_email_is_off_says_it_was_not_sent_and_gives_the_link(app, world, client):
    admin, csrf = sign_in(app, world, "admin")
    page = text(admin.get("/console/admin/people"))
    assert "E-mail is not enabled for this organisation" in page
    r = admin.post("/console/admin/people/invite", data={"csrf_token": csrf, "email": "Ola@acme.test",
                                                         "display_name": "  Ola  "})
    body = text(r)
    assert r.status_code == 200
    assert "The invitation was sent." not in body and "the invitation was not sent" in body
    link = re.search(r'id="invitation-link" class="secret" value="([^"]+)"', body).group(1)
    assert "/sign-in/acme/invitation?token=" in link and r.headers["Cache-Control"] == "no-store"
    token = link.split("token=", 1)[1]
    accepted = client.post("/api/v1/auth/invitations/accept", json={"token": token, "password": "a new passphrase 42"})
    assert accepted.status_code == 204
    users = {u["email"]: u for u in world.admin.get(f"tenants/{world.tid}/users").get_json()["items"]}
    assert users["ola@acme.test"]["display_name"] == "Ola" and users["ola@acme.test"]["status"] == "active"


def test_the_invitation_api_says_whether_it_was_emailed_and_gives_the_link(world):
    off = world.admin.post(f"tenants/{world.tid}/invitations", {"email": "one@acme.test", "display_name": "One"})
    assert off.status_code == 201
    assert off.get_json()["emailed"] is False and "/invitation?token=" in off.get_json()["url"]
    on = world.admin.patch(f"tenants/{world.tid}/plugins/email_notifier", {"enabled": True,
                                                                            "settings": EMAIL_SETTINGS})
    assert on.status_code == 200, on.get_json()
    sent = world.admin.post(f"tenants/{world.tid}/invitations", {"email": "two@acme.test", "display_name": "Two"})
    assert sent.status_code == 201 and sent.get_json()["emailed"] is True


def test_with_email_on_the_console_says_the_invitation_was_sent_and_shows_no_link(app, world):
    world.admin.patch(f"tenants/{world.tid}/plugins/email_notifier", {"enabled": True, "settings": EMAIL_SETTINGS})
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/people/invite", data={"csrf_token": csrf, "email": "three@acme.test",
                                                         "display_name": "Three"}, follow_redirects=True)
    assert "The invitation was sent." in text(r) and 'id="invitation-link"' not in text(r)


def test_an_invitation_with_a_blank_name_is_refused_next_to_the_field(app, world):
    admin, csrf = sign_in(app, world, "admin")
    r = admin.post("/console/admin/people/invite", data={"csrf_token": csrf, "email": "four@acme.test",
                                                         "display_name": "   "})
    assert r.status_code == 422 and 'id="inv-name-problem"' in text(r)
    assert 'value="four@acme.test"' in text(r)  # what was typed stays
    emails = [u["email"] for u in world.admin.get(f"tenants/{world.tid}/users").get_json()["items"]]
    assert "four@acme.test" not in emails


# ----------------------------------------------------------------------------- the icon
def test_favicon_ico_answers_the_icon_the_console_links_to(app, world, client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and b"<svg" in r.data
    admin, _csrf = sign_in(app, world, "admin")
    page = admin.get("/console/").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    assert client.get(href).data == r.data


# ----------------------------------------------------------------------------- lockout
@contextmanager
def clock_from_now() -> Iterator[Clock]:
    """A clock that stands still from now on (the people of the world were made just now)."""
    clock = Clock(utcnow())
    set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(None)


def _throttle(herald_runtime) -> None:  # type: ignore[no-untyped-def]
    herald_runtime.settings = replace(herald_runtime.settings, signin_max_failures_per_account=2,
                                      signin_failure_window_minutes=5)


def test_a_throttled_api_sign_in_says_how_many_minutes_to_wait(world, client, herald_runtime):
    _throttle(herald_runtime)
    body = {"tenant": "acme", "email": world.emails["viewer"], "password": "wrong wrong wrong"}
    with clock_from_now() as clock:
        for _ in range(2):
            assert client.post("/api/v1/auth/password", json=body).status_code == 401
            clock.advance(seconds=30)
        r = client.post("/api/v1/auth/password", json={**body, "password": PASSWORD})
    assert r.status_code == 429 and r.headers["Retry-After"] == "240"
    assert r.get_json()["detail"] == "Too many failed sign-ins; try again in 4 minutes."
    arabic = client.post("/api/v1/auth/password", json=body, headers={"Accept-Language": "ar"})
    assert arabic.status_code == 429 and "4 minutes" not in arabic.get_json()["detail"]
    assert "دقائق" in arabic.get_json()["detail"] or "دقيقة" in arabic.get_json()["detail"]


def test_the_sign_in_page_says_how_long_to_wait_in_the_persons_language(world, client, herald_runtime):
    _throttle(herald_runtime)
    form_token = re.compile(r'name="form_token" value="([^"]+)"')
    with clock_from_now():
        for _ in range(3):
            token = form_token.search(client.get("/sign-in/acme?lang=hi").get_data(as_text=True)).group(1)
            r = client.post("/sign-in/acme?lang=hi", data={"form_token": token, "email": world.emails["viewer"],
                                                           "password": "wrong wrong wrong"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) == 300
    page = text(r)
    assert "5 मिनट" in page and "Too many" not in page


# ----------------------------------------------------------------------------- the password token
def test_the_password_token_answer_names_the_tenant(world, client):
    r = client.post("/api/v1/auth/password", json={"tenant": "acme", "email": world.emails["viewer"],
                                                   "password": PASSWORD})
    assert r.status_code == 201
    issued = r.get_json()
    assert issued["tenant_id"] == world.tid
    posts = client.get(f"/api/v1/tenants/{issued['tenant_id']}/posts",
                       headers={"Authorization": f"Bearer {issued['token']}"})
    assert posts.status_code == 200
