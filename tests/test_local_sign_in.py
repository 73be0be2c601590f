"""Local sign-in hardening: throttling per account and per address, the TOTP second factor, and
SSO enforcement with named break-glass administrators."""

from __future__ import annotations

from dataclasses import replace

import pyotp
import pytest
from identity_helpers import PASSWORD, frozen_clock, password_user, sign_in

from herald.clock import utcnow


@pytest.fixture
def acme(seed):
    return seed.tenant("acme")


@pytest.fixture
def admin_pair(seed, acme):
    return password_user(seed, acme, "admin@acme.test", [("tenant_admin", "root")])


@pytest.fixture
def admin(admin_pair, api):
    return api(admin_pair[1])


@pytest.fixture
def alice(seed, acme):
    return password_user(seed, acme, "alice@acme.test", [("viewer", "root")])


def _audit(admin, acme, action):
    items = admin.get(f"tenants/{acme.id}/audit-events?limit=200").get_json()["items"]
    return [e for e in items if e["action"] == action]


# ----------------------------------------------------------------------------- throttling
def test_too_many_failures_for_one_account_are_throttled_with_retry_after(client, alice, admin, acme,
                                                                          herald_runtime):
    herald_runtime.settings = replace(herald_runtime.settings, signin_max_failures_per_account=3,
                                      signin_failure_window_minutes=10)
    with frozen_clock() as clock:
        for _ in range(3):
            assert sign_in(client, "acme", "alice@acme.test", "wrong-password-1").status_code == 401
            clock.advance(seconds=10)
        r = sign_in(client, "acme", "alice@acme.test")  # even the right password waits
        assert r.status_code == 429 and r.mimetype == "application/problem+json"
        assert r.headers["Retry-After"] == str(10 * 60 - 30) and r.get_json()["retry_after"] == 570
        assert _audit(admin, acme, "auth.sign_in_refused")[0]["context"]["reason"] == "throttled_account"
        clock.advance(seconds=571)
        assert sign_in(client, "acme", "alice@acme.test").status_code == 201


def test_a_successful_sign_in_forgives_the_accounts_failures(client, alice, herald_runtime):
    herald_runtime.settings = replace(herald_runtime.settings, signin_max_failures_per_account=3)
    for _ in range(2):
        sign_in(client, "acme", "alice@acme.test", "wrong-password-1")
    assert sign_in(client, "acme", "alice@acme.test").status_code == 201
    for _ in range(2):
        sign_in(client, "acme", "alice@acme.test", "wrong-password-1")
    assert sign_in(client, "acme", "alice@acme.test").status_code == 201


def test_one_address_trying_many_accounts_is_throttled(client, alice, admin_pair, admin, acme, herald_runtime):
    herald_runtime.settings = replace(herald_runtime.settings, signin_max_failures_per_address=4)
    for i in range(4):
        assert sign_in(client, "acme", f"nobody{i}@acme.test", "guess-guess-1").status_code == 401
    r = sign_in(client, "acme", "alice@acme.test")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert _audit(admin, acme, "auth.sign_in_refused")[0]["context"]["reason"] == "throttled_address"
    other = client.post("/api/v1/auth/sessions", json={"tenant": "acme", "email": "alice@acme.test",
                                                       "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 201  # another address is not held back


def test_failed_sign_ins_are_audited_with_the_reason(client, alice, admin, acme):
    sign_in(client, "acme", "alice@acme.test", "wrong-password-1")
    refused = _audit(admin, acme, "auth.sign_in_refused")[0]
    assert refused["context"]["reason"] == "bad_credentials" and refused["context"]["email"] == "alice@acme.test"


def test_the_token_sign_in_endpoint_is_throttled_too(client, alice, herald_runtime):
    herald_runtime.settings = replace(herald_runtime.settings, signin_max_failures_per_account=2)
    body = {"tenant": "acme", "email": "alice@acme.test", "password": "nope-nope-nope"}
    for _ in range(2):
        assert client.post("/api/v1/auth/password", json=body).status_code == 401
    assert client.post("/api/v1/auth/password", json={**body, "password": PASSWORD}).status_code == 429


# ----------------------------------------------------------------------------- TOTP
def _enrol(client, api_client):
    enrol = api_client.post("me/totp")
    assert enrol.status_code == 201
    secret = enrol.get_json()["secret"]
    assert enrol.get_json()["otpauth_uri"].startswith("otpauth://totp/Herald:alice%40acme.test?secret=")
    codes = api_client.post("me/totp/confirm", {"code": pyotp.TOTP(secret).at(utcnow())}).get_json()
    return secret, codes["recovery_codes"]


def test_with_totp_on_a_password_alone_is_not_enough(client, alice, api):
    with frozen_clock() as clock:
        secret, _ = _enrol(client, api(alice[1]))
        r = sign_in(client, "acme", "alice@acme.test")
        assert r.status_code == 401 and r.get_json()["type"].endswith("/second-factor-required")
        clock.advance(seconds=30)
        r = sign_in(client, "acme", "alice@acme.test", totp_code="000000")
        assert r.status_code == 401
        code = pyotp.TOTP(secret).at(utcnow())
        assert sign_in(client, "acme", "alice@acme.test", totp_code=code).status_code == 201
        # The same code never works twice.
        assert sign_in(client, "acme", "alice@acme.test", totp_code=code).status_code == 401


def test_an_unconfirmed_enrolment_is_not_in_force(client, alice, api):
    assert api(alice[1]).post("me/totp").status_code == 201
    assert sign_in(client, "acme", "alice@acme.test").status_code == 201


def test_confirming_needs_a_valid_code(alice, api):
    me = api(alice[1])
    me.post("me/totp")
    r = me.post("me/totp/confirm", {"code": "123456"})
    assert r.status_code == 422


def test_a_recovery_code_signs_in_once(client, alice, api):
    with frozen_clock():
        _, codes = _enrol(client, api(alice[1]))
        assert len(codes) == 10 and len(set(codes)) == 10
        assert sign_in(client, "acme", "alice@acme.test", totp_code=codes[3]).status_code == 201
        assert sign_in(client, "acme", "alice@acme.test", totp_code=codes[3]).status_code == 401
        assert sign_in(client, "acme", "alice@acme.test", totp_code=codes[4]).status_code == 201


def test_recovery_codes_and_the_secret_are_not_stored_in_the_clear(client, alice, api, herald_runtime):
    from herald.auth.models import TotpFactor

    with frozen_clock():
        secret, codes = _enrol(client, api(alice[1]))
    with herald_runtime.db.transaction() as s:
        factor = s.get(TotpFactor, alice[0].id)
        stored = f"{factor.secret} {factor.recovery_hashes}"
    assert secret not in stored and not any(c in stored or c.replace("-", "") in stored for c in codes)


def test_disabling_totp_needs_a_code(client, alice, api):
    me = api(alice[1])
    with frozen_clock() as clock:
        secret, _ = _enrol(client, me)
        assert me.post("me/totp/disable", {"code": "111111"}).status_code == 422
        clock.advance(seconds=30)
        assert me.post("me/totp/disable", {"code": pyotp.TOTP(secret).at(utcnow())}).status_code == 204
        assert sign_in(client, "acme", "alice@acme.test").status_code == 201


# ----------------------------------------------------------------------------- SSO enforcement
def test_with_sso_enforced_local_passwords_stop_working(client, alice, admin_pair, admin, acme, api):
    r = admin.request("PUT", f"tenants/{acme.id}/identity-policy", json={"sso_enforced": True})
    assert r.status_code == 200 and r.get_json() == {"sso_enforced": True, "break_glass_user_ids": []}
    r = sign_in(client, "acme", "alice@acme.test")
    assert r.status_code == 401 and r.get_json()["type"].endswith("/sso-required")
    assert client.post("/api/v1/auth/password", json={"tenant": "acme", "email": "alice@acme.test",
                                                      "password": PASSWORD}).status_code == 401
    # A wrong password says nothing about enforcement.
    r = sign_in(client, "acme", "alice@acme.test", "wrong-password-1")
    assert r.get_json()["type"].endswith("/unauthorized")
    assert _audit(admin, acme, "auth.sign_in_refused")[-1]["context"]["reason"] == "sso_enforced"


def test_a_named_break_glass_admin_still_signs_in_and_it_is_audited(client, alice, admin_pair, admin, acme):
    admin.request("PUT", f"tenants/{acme.id}/identity-policy",
                  json={"sso_enforced": True, "break_glass_user_ids": [admin_pair[0].id]})
    assert sign_in(client, "acme", "admin@acme.test").status_code == 201
    assert sign_in(client, "acme", "alice@acme.test").status_code == 401
    used = _audit(admin, acme, "auth.break_glass_sign_in")
    assert len(used) == 1 and used[0]["object_id"] == admin_pair[0].id


def test_break_glass_admins_must_be_people_of_the_tenant(admin, acme, seed):
    other = seed.tenant("globex")
    stranger, _ = seed.user(other, "x@globex.test")
    r = admin.request("PUT", f"tenants/{acme.id}/identity-policy",
                      json={"sso_enforced": True, "break_glass_user_ids": [stranger.id]})
    assert r.status_code == 422 and "break_glass_user_ids[0]" in r.get_json()["errors"]


def test_only_tenant_managers_change_the_identity_policy(alice, api, acme):
    r = api(alice[1]).request("PUT", f"tenants/{acme.id}/identity-policy", json={"sso_enforced": True})
    assert r.status_code == 403


def test_the_token_sign_in_endpoint_asks_for_the_second_factor_too(client, alice, api):
    with frozen_clock() as clock:
        secret, _ = _enrol(client, api(alice[1]))
        body = {"tenant": "acme", "email": "alice@acme.test", "password": PASSWORD}
        r = client.post("/api/v1/auth/password", json=body)
        assert r.status_code == 401 and r.get_json()["type"].endswith("/second-factor-required")
        clock.advance(seconds=30)
        r = client.post("/api/v1/auth/password", json={**body, "totp_code": pyotp.TOTP(secret).at(utcnow())})
        assert r.status_code == 201 and r.get_json()["token"].startswith("hrd.")


def test_identity_settings_come_from_the_environment_and_bad_values_stop_start_up(tmp_path):
    from herald.config import ConfigError, Settings

    env = {"HERALD_INSTANCE_PATH": str(tmp_path), "HERALD_SESSION_IDLE_MINUTES": "15",
           "HERALD_SESSION_COOKIE_SECURE": "0", "HERALD_PUBLIC_URL": "https://herald.example/"}
    settings = Settings.from_env(env)
    assert settings.session_idle_minutes == 15 and settings.session_cookie_secure is False
    assert settings.public_url == "https://herald.example" and settings.session_absolute_hours == 12
    with pytest.raises(ConfigError, match="HERALD_SIGNIN_MAX_FAILURES_PER_ACCOUNT"):
        Settings.from_env({**env, "HERALD_SIGNIN_MAX_FAILURES_PER_ACCOUNT": "many"})
    with pytest.raises(ConfigError, match="at least 1"):
        Settings.from_env({**env, "HERALD_SESSION_ABSOLUTE_HOURS": "0"})
