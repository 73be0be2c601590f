"""Browser sessions: server-side, rotated at sign-in, CSRF-protected, timed out when idle and
after an absolute lifetime, and ended everywhere on request."""

from __future__ import annotations

from dataclasses import replace

import pytest
from identity_helpers import frozen_clock, password_user, sign_in

from herald.auth.sessions import COOKIE


@pytest.fixture
def acme(seed):
    return seed.tenant("acme", {"coffee": None})


@pytest.fixture
def alice(seed, acme):
    return password_user(seed, acme, "alice@acme.test", [("tenant_admin", "root")])


def _cookie(client):
    found = client.get_cookie(COOKIE)
    return found.value if found else None


def test_signing_in_sets_a_secure_httponly_lax_cookie_naming_a_server_side_session(client, alice):
    r = sign_in(client, "acme", "alice@acme.test")
    assert r.status_code == 201, r.get_json()
    header = r.headers["Set-Cookie"]
    assert header.startswith(f"{COOKIE}=") and "Secure" in header and "HttpOnly" in header
    assert "SameSite=Lax" in header
    body = r.get_json()
    assert body["csrf_token"] and body["user_id"] == alice[0].id and body["via"] == "password"
    assert client.get("/api/v1/me").get_json()["email"] == "alice@acme.test"


def test_the_secure_flag_can_be_turned_off_for_plain_http_development(client, alice, herald_runtime):
    herald_runtime.settings = replace(herald_runtime.settings, session_cookie_secure=False)
    r = sign_in(client, "acme", "alice@acme.test")
    assert "Secure" not in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]


def test_a_wrong_password_sets_no_cookie_and_says_nothing_specific(client, alice):
    r = sign_in(client, "acme", "alice@acme.test", "wrong password!!")
    assert r.status_code == 401 and "Set-Cookie" not in r.headers
    assert r.get_json()["detail"] == "Those credentials are not valid for this tenant."


def test_a_session_id_planted_before_sign_in_is_replaced_and_useless(client, alice):
    sign_in(client, "acme", "alice@acme.test")
    planted = _cookie(client)  # an attacker's own session, planted in the victim's browser
    r = sign_in(client, "acme", "alice@acme.test")
    fresh = _cookie(client)
    assert r.status_code == 201 and fresh != planted
    assert fresh.split(".")[0] != planted.split(".")[0]  # a new session id, not just a new secret
    client.set_cookie(COOKIE, planted)
    assert client.get("/api/v1/me").status_code == 401
    client.set_cookie(COOKIE, "ses_made_up_by_attacker.secret")
    assert client.get("/api/v1/me").status_code == 401


def test_a_state_changing_request_by_cookie_without_the_csrf_token_is_refused(client, alice, acme):
    sign_in(client, "acme", "alice@acme.test")
    r = client.post(f"/api/v1/tenants/{acme.id}/org-units", json={"parent_id": acme.root.id, "name": "Tea"})
    assert r.status_code == 403 and r.get_json()["type"].endswith("/csrf-refused")
    r = client.post(f"/api/v1/tenants/{acme.id}/org-units", json={"parent_id": acme.root.id, "name": "Tea"},
                    headers={"X-CSRF-Token": "not-the-token"})
    assert r.status_code == 403


def test_a_state_changing_request_by_cookie_with_the_sessions_csrf_token_is_accepted(client, alice, acme):
    csrf = sign_in(client, "acme", "alice@acme.test").get_json()["csrf_token"]
    assert client.get("/api/v1/auth/session").get_json()["csrf_token"] == csrf
    r = client.post(f"/api/v1/tenants/{acme.id}/org-units", json={"parent_id": acme.root.id, "name": "Tea"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.get_json()


def test_the_csrf_token_of_another_session_does_not_count(app, alice, acme):
    other = app.test_client()
    foreign = sign_in(other, "acme", "alice@acme.test").get_json()["csrf_token"]
    mine = app.test_client()
    sign_in(mine, "acme", "alice@acme.test")
    r = mine.post(f"/api/v1/tenants/{acme.id}/org-units", json={"parent_id": acme.root.id, "name": "Tea"},
                  headers={"X-CSRF-Token": foreign})
    assert r.status_code == 403


def test_bearer_token_calls_need_no_csrf_token(api, alice, acme):
    r = api(alice[1]).post(f"tenants/{acme.id}/org-units", {"parent_id": acme.root.id, "name": "Tea"})
    assert r.status_code == 201


def test_an_idle_session_ends_after_the_idle_timeout(client, alice, herald_runtime):
    herald_runtime.settings = replace(herald_runtime.settings, session_idle_minutes=30)
    with frozen_clock() as clock:
        sign_in(client, "acme", "alice@acme.test")
        clock.advance(minutes=29)
        assert client.get("/api/v1/me").status_code == 200  # activity resets the idle timer
        clock.advance(minutes=29)
        assert client.get("/api/v1/me").status_code == 200
        clock.advance(minutes=30)
        r = client.get("/api/v1/me")
        assert r.status_code == 401 and "session has ended" in r.get_json()["detail"]
        clock.advance(minutes=1)
        assert client.get("/api/v1/me").status_code == 401  # ended for good, not revived


def test_an_active_session_still_ends_at_the_absolute_timeout(client, alice, herald_runtime):
    herald_runtime.settings = replace(herald_runtime.settings, session_idle_minutes=30, session_absolute_hours=2)
    with frozen_clock() as clock:
        sign_in(client, "acme", "alice@acme.test")
        for _ in range(7):
            clock.advance(minutes=17)
            assert client.get("/api/v1/me").status_code == 200
        clock.advance(minutes=2)  # 2 h 01 min after sign-in, never idle
        assert client.get("/api/v1/me").status_code == 401


def test_signing_out_ends_the_session_and_clears_the_cookie(client, alice):
    csrf = sign_in(client, "acme", "alice@acme.test").get_json()["csrf_token"]
    kept = _cookie(client)
    assert client.delete("/api/v1/auth/session").status_code == 403  # sign-out needs the CSRF token too
    r = client.delete("/api/v1/auth/session", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204 and _cookie(client) is None
    client.set_cookie(COOKIE, kept)
    assert client.get("/api/v1/me").status_code == 401


def test_signing_out_everywhere_ends_every_session_of_the_person(app, alice):
    laptop, phone = app.test_client(), app.test_client()
    csrf = sign_in(laptop, "acme", "alice@acme.test").get_json()["csrf_token"]
    sign_in(phone, "acme", "alice@acme.test")
    listed = laptop.get("/api/v1/me/sessions").get_json()["items"]
    assert len(listed) == 2 and sum(s["current"] for s in listed) == 1
    r = laptop.post("/api/v1/me/sessions/end-all", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.get_json()["ended"] == 2
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401


def test_session_start_and_end_are_audited(client, alice, api, acme):
    csrf = sign_in(client, "acme", "alice@acme.test").get_json()["csrf_token"]
    client.delete("/api/v1/auth/session", headers={"X-CSRF-Token": csrf})
    items = api(alice[1]).get(f"tenants/{acme.id}/audit-events?limit=200").get_json()["items"]
    actions = [e["action"] for e in items]
    assert "session.started" in actions and "session.ended" in actions


def test_an_admin_can_end_a_persons_sessions_without_disabling_them(app, alice, seed, acme, api):
    bob, bob_token = password_user(seed, acme, "bob@acme.test", [("viewer", "root")])
    browser = app.test_client()
    sign_in(browser, "acme", "bob@acme.test")
    assert api(bob_token).post(f"tenants/{acme.id}/users/{alice[0].id}/sessions/end-all").status_code == 403
    r = api(alice[1]).post(f"tenants/{acme.id}/users/{bob.id}/sessions/end-all")
    assert r.status_code == 200 and r.get_json()["ended"] == 1
    assert browser.get("/api/v1/me").status_code == 401
    assert sign_in(browser, "acme", "bob@acme.test").status_code == 201  # still active
