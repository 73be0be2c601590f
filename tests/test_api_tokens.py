"""Personal API tokens: shown once, stored hashed, revocable, expiring, and dead the moment
their user or tenant loses access."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from herald.clock import set_clock, utcnow
from herald.people.models import ApiToken


def test_a_token_is_shown_once_and_stored_only_as_a_hash(seed, api, herald_runtime):
    t = seed.tenant("acme")
    _, token = seed.user(t, "dana@acme.test", [("viewer", "root")])
    r = api(token).post("me/tokens", {"name": "ci", "expires_in_days": 30})
    assert r.status_code == 201
    issued = r.get_json()
    secret = issued["token"].split(".")[2]
    listing = api(token).get("me/tokens").get_data(as_text=True)
    assert secret not in listing and issued["id"] in listing
    with herald_runtime.db.transaction() as s:
        rows = s.scalars(select(ApiToken)).all()
        assert all(secret not in (row.secret_hash + row.name) for row in rows)
    assert api(issued["token"]).get("me").status_code == 200


def test_a_revoked_token_fails_on_the_next_request(seed, api):
    t = seed.tenant("acme")
    _, token = seed.user(t, "dana@acme.test", [("viewer", "root")])
    second = api(token).post("me/tokens", {"name": "laptop"}).get_json()
    assert api(second["token"]).get("me").status_code == 200
    assert api(token).delete(f"me/tokens/{second['id']}").status_code == 204
    assert api(second["token"]).get("me").status_code == 401
    assert api(token).get("me").status_code == 200  # the other token still works


def test_an_expired_token_fails(seed, api):
    t = seed.tenant("acme")
    _, token = seed.user(t, "dana@acme.test", [("viewer", "root")])
    short = api(token).post("me/tokens", {"name": "short", "expires_in_days": 1}).get_json()["token"]
    later = utcnow() + timedelta(days=1, seconds=1)
    set_clock(lambda: later)
    try:
        assert api(short).get("me").status_code == 401
        assert api(token).get("me").status_code == 200  # no expiry
    finally:
        set_clock(None)


def test_a_suspended_tenant_locks_out_its_users_until_reactivated(seed, api):
    t = seed.tenant("acme")
    _, token = seed.user(t, "dana@acme.test", [("tenant_admin", "root")])
    _, op = seed.operator()
    assert api(token).patch(f"tenants/{t.id}", {"status": "suspended"}).status_code == 403  # only operators
    assert api(op).patch(f"tenants/{t.id}", {"status": "suspended"}).status_code == 200
    assert api(token).get("me").status_code == 401
    assert api(op).patch(f"tenants/{t.id}", {"status": "active"}).status_code == 200
    assert api(token).get("me").status_code == 200


def test_only_operators_create_tenants(seed, api):
    t = seed.tenant("acme")
    _, token = seed.user(t, "dana@acme.test", [("tenant_admin", "root")])
    assert api(token).post("tenants", {"slug": "newco", "name": "NewCo"}).status_code == 403
    _, op = seed.operator()
    r = api(op).post("tenants", {"slug": "newco", "name": "NewCo"})
    assert r.status_code == 201
    assert api(op).post("tenants", {"slug": "newco", "name": "Again"}).status_code == 409
