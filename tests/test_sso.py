"""SSO through redirect providers: state kept server-side and bound to the browser, users found
or provisioned, group mappings re-applied at every sign-in, every outcome audited."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import fake_idp
import pytest
from identity_helpers import password_user

from herald.auth.replay import DatabaseReplayCache, RedisReplayCache, replay_cache
from herald.auth.sessions import COOKIE
from herald.clock import utcnow
from herald.web.sso import STATE_COOKIE

BASE = "/auth/sso/acme/fakeidp"


@pytest.fixture
def acme(seed):
    return seed.tenant("acme", {"coffee": None, "tea": None})


@pytest.fixture
def admin(seed, acme, api):
    return api(seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])[1])


@pytest.fixture
def idp(register_plugin):
    register_plugin(fake_idp.plugin(), "fakeidp")


def _configure(admin, acme, **settings):
    r = admin.patch(f"tenants/{acme.id}/plugins/fakeidp", {"settings": settings})
    assert r.status_code == 200, r.get_json()


def _start(client, relay=None):
    r = client.get(f"{BASE}/login" + (f"?next={relay}" if relay else ""))
    assert r.status_code == 302, r.get_data(as_text=True)
    return parse_qs(urlparse(r.headers["Location"]).query)["nonce"][0]


_ids = iter(range(10_000))


def _answer(client, nonce, email="alice@acme.test", sub="idp-alice", groups="", method="GET", **extra):
    params = {"nonce": nonce, "assertion_id": f"a{next(_ids)}", "sub": sub, "email": email, "groups": groups,
              **extra}
    if method == "POST":
        return client.post(f"{BASE}/callback", data=params)
    return client.get(f"{BASE}/callback", query_string=params)


def _sso_sign_in(client, **kw):
    return _answer(client, _start(client), **kw)


def _audit(admin, acme, action):
    items = admin.get(f"tenants/{acme.id}/audit-events?limit=200").get_json()["items"]
    return [e for e in items if e["action"] == action]


def test_a_known_user_signs_in_and_gets_a_session_and_the_subject_is_linked(client, idp, seed, acme, admin):
    alice, _ = seed.user(acme, "alice@acme.test")
    nonce = _start(client, relay="/posts/42")
    r = _answer(client, nonce)
    assert r.status_code == 303 and r.headers["Location"].endswith("/posts/42")
    assert client.get("/api/v1/me").get_json()["id"] == alice.id
    # The same subject with a changed email still finds the linked person.
    client.delete_cookie(COOKIE)
    r = _sso_sign_in(client, email="alice.renamed@acme.test")
    assert client.get("/api/v1/me").get_json()["id"] == alice.id
    signed = _audit(admin, acme, "auth.sso_signed_in")
    assert len(signed) == 2 and signed[-1]["context"]["linked"] is True and signed[0]["context"]["linked"] is False


def test_the_callback_accepts_the_post_binding(client, idp, seed, acme):
    seed.user(acme, "alice@acme.test")
    r = _answer(client, _start(client), method="POST")
    assert r.status_code == 303 and client.get("/api/v1/me").status_code == 200


def test_a_provider_asking_for_an_auto_post_gets_a_self_submitting_form(client, idp, acme, admin):
    _configure(admin, acme, post_binding=True)
    r = client.get(f"{BASE}/login?next=/x")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert 'action="https://idp.test/post"' in html and 'name="RelayState" value="/x"' in html
    assert client.get_cookie(STATE_COOKIE, path="/auth/sso/") is not None


def test_the_state_cookie_is_signed_short_lived_and_names_a_server_side_record(client, idp, acme):
    r = client.get(f"{BASE}/login")
    header = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith(STATE_COOKIE))
    assert "HttpOnly" in header and "Max-Age=600" in header and "Path=/auth/sso/" in header
    value = client.get_cookie(STATE_COOKIE, path="/auth/sso/").value
    assert "nonce" not in value  # the provider's state stays on the server


def test_a_callback_without_the_browsers_state_is_refused_and_audited(app, idp, seed, acme, admin):
    seed.user(acme, "alice@acme.test")
    victim, attacker = app.test_client(), app.test_client()
    nonce = _start(victim)
    r = _answer(attacker, nonce)  # the answer replayed in another browser
    assert r.status_code == 401 and "did not succeed" in r.get_data(as_text=True)
    assert attacker.get("/api/v1/me").status_code == 401
    refused = _audit(admin, acme, "auth.sso_refused")
    assert refused[0]["context"]["reason"] == "unsolicited response: no sign-in was started"


def test_the_state_works_once(client, idp, seed, acme, admin):
    seed.user(acme, "alice@acme.test")
    nonce = _start(client)
    kept = client.get_cookie(STATE_COOKIE, path="/auth/sso/").value
    assert _answer(client, nonce).status_code == 303
    client.set_cookie(STATE_COOKIE, kept, path="/auth/sso/")
    r = _answer(client, nonce)
    assert r.status_code == 401
    assert _audit(admin, acme, "auth.sso_refused")[0]["context"]["reason"] == "sign-in state unknown or already used"


def test_a_forged_state_cookie_is_refused(client, idp, seed, acme, admin):
    nonce = _start(client)
    client.set_cookie(STATE_COOKIE, "sst_forged.abc.def", path="/auth/sso/")
    assert _answer(client, nonce).status_code == 401
    reason = _audit(admin, acme, "auth.sso_refused")[0]["context"]["reason"]
    assert reason == "sign-in state cookie is forged or expired"


def test_the_person_sees_a_general_message_and_api_clients_a_problem(client, idp, seed, acme, admin):
    nonce = _start(client)
    r = _answer(client, nonce, error="access_denied")
    assert r.status_code == 401 and "access_denied" not in r.get_data(as_text=True)
    nonce = _start(client)
    r = client.get(f"{BASE}/callback", query_string={"nonce": nonce, "error": "x"},
                   headers={"Accept": "application/json"})
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    assert r.get_json()["type"].endswith("/sso-refused") and "x" not in r.get_json()["detail"].split()
    reasons = [e["context"]["reason"] for e in _audit(admin, acme, "auth.sso_refused")]
    assert "idp error: access_denied" in reasons and "idp error: x" in reasons


def test_an_unknown_person_is_refused_unless_just_in_time_provisioning_is_on(client, idp, acme, admin):
    r = _sso_sign_in(client, email="new@acme.test", sub="idp-new")
    assert r.status_code == 401
    assert _audit(admin, acme, "auth.sso_refused")[0]["context"]["reason"] == (
        "no user with email new@acme.test and just-in-time provisioning is off")
    _configure(admin, acme, jit_provisioning=True)
    r = _sso_sign_in(client, email="New@acme.test", sub="idp-new")
    assert r.status_code == 303
    me = client.get("/api/v1/me").get_json()
    assert me["email"] == "new@acme.test" and me["status"] == "active"


def test_a_disabled_user_is_refused(client, idp, seed, acme, admin):
    user, _ = seed.user(acme, "alice@acme.test")
    assert admin.patch(f"tenants/{acme.id}/users/{user.id}", {"status": "disabled"}).status_code == 200
    assert _sso_sign_in(client).status_code == 401
    assert client.get("/api/v1/me").status_code == 401
    assert _audit(admin, acme, "auth.sso_refused")[0]["context"]["reason"] == f"user {user.id} is disabled"


def test_an_unknown_tenant_or_provider_is_404(client, idp, acme):
    assert client.get("/auth/sso/nope/fakeidp/login").status_code == 404
    assert client.get("/auth/sso/acme/local/login").status_code == 404  # not a redirect provider
    assert client.get("/auth/sso/acme/other/login").status_code == 404


def test_a_relay_leaving_the_site_is_ignored(client, idp, seed, acme):
    seed.user(acme, "alice@acme.test")
    r = _answer(client, _start(client, relay="//evil.test/x"))
    assert r.status_code == 303 and r.headers["Location"] in ("/", "http://localhost/")


def test_metadata_and_logout_are_routed_to_the_provider(client, idp, seed, acme):
    r = client.get(f"{BASE}/metadata")
    assert r.status_code == 200 and r.mimetype == "application/samlmetadata+xml"
    assert b"http://localhost/auth/sso/acme/fakeidp/metadata" in r.data
    seed.user(acme, "alice@acme.test")
    _sso_sign_in(client, sid="idp-session-7")
    r = client.get(f"{BASE}/logout")
    assert r.status_code == 303 and r.headers["Location"].startswith("https://idp.test/logout?sid=idp-session-7")
    assert client.get("/api/v1/me").status_code == 401


def test_the_providers_session_attributes_are_kept_encrypted_for_logout_and_only_those(
        client, idp, seed, acme, admin, herald_runtime):
    from sqlalchemy import select

    from herald.auth.models import BrowserSession

    seed.user(acme, "alice@acme.test")
    _sso_sign_in(client, logout_hint="hint-secret-7", access_token="token-secret-9")
    with herald_runtime.db.transaction() as s:
        sealed = s.execute(select(BrowserSession.sso_attributes).where(BrowserSession.via == "sso:fakeidp")
                           ).scalar_one()
    assert "hint-secret-7" not in sealed
    assert herald_runtime.box.open(sealed) == {"logout_hint": "hint-secret-7"}  # not the undeclared token
    r = client.get(f"{BASE}/logout")
    assert r.status_code == 303 and r.headers["Location"].endswith("&hint=hint-secret-7")
    with herald_runtime.db.transaction() as s:
        assert s.execute(select(BrowserSession.sso_attributes)).scalars().all() == [None]
    audit_log = str(admin.get(f"tenants/{acme.id}/audit-events?limit=200").get_json()["items"])
    assert "hint-secret-7" not in audit_log and "token-secret-9" not in audit_log


def test_the_configured_public_url_makes_the_callback_url(client, idp, acme, herald_runtime):
    from dataclasses import replace

    herald_runtime.settings = replace(herald_runtime.settings, public_url="https://herald.example")
    r = client.get(f"{BASE}/login")
    assert "acs=https://herald.example/auth/sso/acme/fakeidp/callback" in r.headers["Location"]


def test_signing_in_by_sso_rotates_the_session(client, idp, seed, acme):
    _alice, _ = password_user(seed, acme, "alice@acme.test")
    from identity_helpers import sign_in

    sign_in(client, "acme", "alice@acme.test")
    before = client.get_cookie(COOKIE).value
    _sso_sign_in(client)
    after = client.get_cookie(COOKIE).value
    assert before.split(".")[0] != after.split(".")[0]
    client.set_cookie(COOKIE, before)
    assert client.get("/api/v1/me").status_code == 401


# ----------------------------------------------------------------------------- group mappings
def test_group_mappings_are_read_and_replaced_as_a_list(admin, acme, idp):
    url = f"tenants/{acme.id}/sso/fakeidp/group-mappings"
    assert admin.get(url).get_json() == []
    wanted = [{"group": "editors", "role": "editor", "org_unit_id": acme.units["coffee"].id}]
    r = admin.request("PUT", url, json=wanted)
    assert r.status_code == 200 and r.get_json() == wanted
    assert admin.get(url).get_json() == wanted
    bad = [{"group": "x", "role": "no_such_role", "org_unit_id": acme.units["coffee"].id},
           {"group": "y", "role": "editor", "org_unit_id": "unit_elsewhere"}]
    r = admin.request("PUT", url, json=bad)
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"0.role", "1.org_unit_id"}
    assert admin.get(url).get_json() == wanted  # nothing half-written


def test_a_group_added_at_the_idp_grants_and_a_group_removed_takes_the_grant_away(client, admin, acme, idp, seed):
    alice, _ = seed.user(acme, "alice@acme.test", [("viewer", "tea")])  # given by hand
    coffee, tea = acme.units["coffee"].id, acme.units["tea"].id
    admin.request("PUT", f"tenants/{acme.id}/sso/fakeidp/group-mappings", json=[
        {"group": "editors", "role": "editor", "org_unit_id": coffee},
        {"group": "tea-viewers", "role": "viewer", "org_unit_id": tea},
        {"group": "publishers", "role": "publisher", "org_unit_id": coffee}])

    def grants():
        items = admin.get(f"tenants/{acme.id}/grants?user_id={alice.id}").get_json()["items"]
        return sorted((g["role_key"], g["org_unit_id"]) for g in items)

    _sso_sign_in(client, groups="editors,tea-viewers,unmapped")
    assert grants() == sorted([("editor", coffee), ("viewer", tea)])
    client.delete_cookie(COOKIE)
    _sso_sign_in(client, groups="publishers,tea-viewers")
    assert grants() == sorted([("publisher", coffee), ("viewer", tea)])
    client.delete_cookie(COOKIE)
    _sso_sign_in(client, groups="")
    assert grants() == [("viewer", tea)]  # the hand-given grant is untouched
    removed = [e for e in _audit(admin, acme, "grant.deleted") if e["context"].get("via") == "sso:fakeidp"]
    assert len(removed) == 2


def test_a_person_the_idp_drops_from_every_mapped_group_is_deprovisioned_when_required(client, app, admin, acme,
                                                                                      idp, seed, api):
    _configure(admin, acme, require_mapped_group=True)
    admin.request("PUT", f"tenants/{acme.id}/sso/fakeidp/group-mappings",
                  json=[{"group": "staff", "role": "viewer", "org_unit_id": acme.root.id}])
    alice, token = seed.user(acme, "alice@acme.test")
    other_browser = app.test_client()
    assert _sso_sign_in(other_browser, groups="staff").status_code == 303
    assert other_browser.get("/api/v1/me").status_code == 200
    assert _sso_sign_in(client, groups="alumni").status_code == 401
    assert other_browser.get("/api/v1/me").status_code == 401  # every session ended
    assert api(token).get("me").status_code == 401  # every token revoked
    status = admin.get(f"tenants/{acme.id}/users/{alice.id}").get_json()["status"]
    assert status == "disabled"


# ----------------------------------------------------------------------------- replay caches
def test_the_replay_cache_refuses_a_repeated_assertion(client, idp, seed, acme, admin):
    seed.user(acme, "alice@acme.test")
    nonce = _start(client)
    assert _answer(client, nonce, assertion_id="dup-1").status_code == 303
    client.delete_cookie(COOKIE)
    nonce = _start(client)
    assert client.get(f"{BASE}/callback", query_string={
        "nonce": nonce, "assertion_id": "dup-1", "sub": "idp-alice", "email": "alice@acme.test"}).status_code == 401
    assert _audit(admin, acme, "auth.sso_refused")[0]["context"]["reason"] == "assertion dup-1 replayed"


def test_the_replay_cache_matches_the_backend_and_records_each_key_once(herald_runtime, herald_backend_name):
    cache = replay_cache(herald_runtime)
    expected = DatabaseReplayCache if herald_backend_name == "embedded" else RedisReplayCache
    assert isinstance(cache, expected)
    later = utcnow() + timedelta(minutes=5)
    key = f"assertion-{id(cache)}-{utcnow().timestamp()}"
    assert cache.first_use(key, later) is True
    assert cache.first_use(key, later) is False
    assert replay_cache(herald_runtime).first_use(key, later) is False  # shared, not per instance
    assert cache.first_use(key + "-other", later) is True


def test_the_database_replay_cache_forgets_a_key_once_it_expires(herald_runtime):
    from identity_helpers import frozen_clock

    cache = DatabaseReplayCache(herald_runtime.db)
    with frozen_clock() as clock:
        assert cache.first_use("k", utcnow() + timedelta(minutes=1)) is True
        assert cache.first_use("k", utcnow() + timedelta(minutes=1)) is False
        clock.advance(minutes=2)
        assert cache.first_use("k", utcnow() + timedelta(minutes=1)) is True


def test_a_session_ends_when_the_identity_providers_session_ends(client, idp, seed, acme):
    from identity_helpers import frozen_clock

    seed.user(acme, "alice@acme.test")
    with frozen_clock() as clock:
        _sso_sign_in(client, session_minutes="5")
        assert client.get("/api/v1/me").status_code == 200
        clock.advance(minutes=5, seconds=1)
        assert client.get("/api/v1/me").status_code == 401


def test_an_idp_initiated_sign_in_goes_to_its_relay_state_on_this_site_only(client, idp, seed, acme, admin):
    seed.user(acme, "alice@acme.test")
    _configure(admin, acme, allow_idp_initiated=True)
    r = client.post(f"{BASE}/callback", data={"assertion_id": "idp-init-1", "sub": "s", "email": "alice@acme.test",
                                              "RelayState": "/posts/9"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/posts/9")
    r = client.post(f"{BASE}/callback", data={"assertion_id": "idp-init-2", "sub": "s", "email": "alice@acme.test",
                                              "RelayState": "https://evil.test/"})
    assert r.status_code == 303 and "evil" not in r.headers["Location"]
