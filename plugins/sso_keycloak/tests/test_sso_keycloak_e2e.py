"""Keycloak sign-in end to end: a browser (an HTTP client keeping cookies) starts at Herald's
``/auth/sso/<tenant>/keycloak/login`` on a loopback port, walks the realm's login and consent
pages (node's oidc-provider on Keycloak's paths), comes back to Herald's ``/callback`` and has a
session; ``/logout`` ends it and sends the browser to the realm's end-session endpoint. Each test
runs on the embedded stack and on PostgreSQL + Redis."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from sqlalchemy import select
from sso_keycloak_idp import REALM, IdpServer, start_idp

from herald.auth.models import BrowserSession
from herald.auth.sessions import COOKIE
from herald.testing.live import browser
from herald.web.sso import STATE_COOKIE

SLUGS = ("acme", "globex")


@pytest.fixture(scope="session")
def realm(herald_live_server, tmp_path_factory) -> Iterator[IdpServer]:
    """The realm, told Herald's loopback callback and sign-in URLs (one server for the session)."""
    live = herald_live_server.url
    server = start_idp(tmp_path_factory.mktemp("realm"),
                       redirect_uris=tuple(f"{live}/auth/sso/{s}/keycloak/callback" for s in SLUGS),
                       post_logout_redirect_uris=tuple(f"{live}/sign-in/{s}" for s in SLUGS))
    yield server
    server.stop()


@dataclass
class KeycloakTenant:
    id: str
    slug: str
    live: str
    admin: Any
    seeded: Any

    @property
    def base(self) -> str:
        return f"{self.live}/auth/sso/{self.slug}/keycloak"

    def audit(self, action: str) -> list[dict[str, Any]]:
        items = self.admin.get(f"tenants/{self.id}/audit-events?limit=200").get_json()["items"]
        return [e for e in items if e["action"] == action]

    def grants(self, user_id: str) -> set[tuple[str, str]]:
        items = self.admin.get(f"tenants/{self.id}/grants?user_id={user_id}").get_json()["items"]
        return {(g["role_key"], g["org_unit_id"]) for g in items}

    def last_refusal(self) -> str:
        return self.audit("auth.sso_refused")[0]["context"]["reason"]


@pytest.fixture
def keycloak_tenant(live_herald, realm, seed, api):
    def make(slug: str = "acme", **settings: Any) -> KeycloakTenant:
        seeded = seed.tenant(slug, {"coffee": None, "tea": None})
        admin = api(seed.user(seeded, f"admin@{slug}.test", [("tenant_admin", "root")])[1])
        values = {"server_url": realm.server_url, "realm": REALM, "client_id": "herald",
                  "client_secret": "herald-secret", **settings}
        r = admin.patch(f"tenants/{seeded.id}/plugins/sso_keycloak", {"enabled": True, "settings": values})
        assert r.status_code == 200, r.get_json()
        return KeycloakTenant(seeded.id, slug, live_herald, admin, seeded)

    return make


# ----------------------------------------------------------------------------- the browser's part
def to_callback(http, tenant: KeycloakTenant, login: str = "dana", next_path: str = "/posts") -> str:
    """From Herald's /login through the realm's pages; the callback URL the realm sends the
    browser to (not yet followed)."""
    r = http.get(f"{tenant.base}/login", params={"next": next_path}, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text[:500]
    response = http.get(r.headers["Location"], allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(f"{tenant.base}/callback"):
                return location
            response = http.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text[:500]
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert action, response.text[:500]
        form = {m.group(1): html.unescape(m.group(2))
                for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text)}
        if form.get("prompt") == "login":
            form.update(login=login, password="any password")
        response = http.post(urljoin(response.url, html.unescape(action.group(1))), data=form,
                             allow_redirects=False, timeout=10)
    raise AssertionError("the realm never sent the browser back to Herald")


def sign_in(http, tenant: KeycloakTenant, login: str = "dana", next_path: str = "/posts"):
    return http.get(to_callback(http, tenant, login, next_path), allow_redirects=False, timeout=10)


def me(http, tenant: KeycloakTenant):
    return http.get(f"{tenant.live}/api/v1/me", timeout=10)


# ----------------------------------------------------------------------------- sign-in
def test_a_browser_signs_in_through_the_realm_and_herald_shows_the_person(keycloak_tenant, seed):
    acme = keycloak_tenant()
    dana, _ = seed.user(acme.seeded, "dana@acme.test")
    http = browser()
    r = sign_in(http, acme)
    assert r.status_code == 303, r.text[:500]
    assert r.headers["Location"].endswith("/posts")
    assert STATE_COOKIE not in {c.name for c in http.cookies}
    assert me(http, acme).json()["id"] == dana.id
    current = http.get(f"{acme.live}/api/v1/auth/session", timeout=10).json()
    assert current["user_id"] == dana.id and current["via"] == "sso:keycloak"
    signed = acme.audit("auth.sso_signed_in")[0]["context"]
    assert signed["subject"] == "dana" and signed["groups"] == ["/brands/acme", "/legal"]


def test_just_in_time_provisioning_creates_the_person_only_when_enabled(keycloak_tenant):
    acme = keycloak_tenant()
    http = browser()
    assert sign_in(http, acme, "erin").status_code == 401 and me(http, acme).status_code == 401
    assert acme.last_refusal() == "no user with email erin@example.test and just-in-time provisioning is off"
    globex = keycloak_tenant("globex", jit_provisioning=True)
    http = browser()
    assert sign_in(http, globex, "erin").status_code == 303
    assert me(http, globex).json()["email"] == "erin@example.test"


# ----------------------------------------------------------------------------- roles and groups
def test_realm_roles_client_roles_and_groups_become_herald_grants_through_the_mapping(keycloak_tenant, seed):
    acme = keycloak_tenant()
    dana, _ = seed.user(acme.seeded, "dana@acme.test")
    coffee, tea, root = (acme.seeded.units[n].id for n in ("coffee", "tea", "root"))
    mapping = [{"group": "/brands/acme", "role": "editor", "org_unit_id": coffee},
               {"group": "herald-editor", "role": "creator", "org_unit_id": tea},
               {"group": "herald:publisher", "role": "publisher", "org_unit_id": coffee},
               {"group": "other-app:viewer", "role": "viewer", "org_unit_id": root},
               {"group": "/marketing", "role": "analyst", "org_unit_id": root}]
    r = acme.admin.request("PUT", f"tenants/{acme.id}/sso/keycloak/group-mappings", mapping)
    assert r.status_code == 200, r.get_json()
    assert sign_in(browser(), acme).status_code == 303
    # group, realm role and this client's role match; another client's role and a group dana
    # is not in do not
    assert acme.grants(dana.id) == {("editor", coffee), ("creator", tea), ("publisher", coffee)}


def test_a_mapping_change_takes_effect_at_the_next_sign_in(keycloak_tenant, seed):
    acme = keycloak_tenant()
    dana, _ = seed.user(acme.seeded, "dana@acme.test")
    coffee = acme.seeded.units["coffee"].id
    url = f"tenants/{acme.id}/sso/keycloak/group-mappings"
    acme.admin.request("PUT", url, [{"group": "/legal", "role": "legal_reviewer", "org_unit_id": coffee}])
    assert sign_in(browser(), acme).status_code == 303
    assert acme.grants(dana.id) == {("legal_reviewer", coffee)}
    acme.admin.request("PUT", url, [{"group": "/brands/other", "role": "legal_reviewer", "org_unit_id": coffee}])
    assert sign_in(browser(), acme).status_code == 303
    assert acme.grants(dana.id) == set()


# ----------------------------------------------------------------------------- state
def test_a_tampered_state_is_refused_and_gives_no_session(keycloak_tenant, seed):
    acme = keycloak_tenant()
    seed.user(acme.seeded, "dana@acme.test")
    http = browser()
    callback = urlsplit(to_callback(http, acme))
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    query["state"] = query["state"][:-2] + ("AA" if not query["state"].endswith("AA") else "BB")
    r = http.get(f"{acme.base}/callback?{urlencode(query)}", allow_redirects=False, timeout=10)
    assert r.status_code == 401 and COOKIE not in {c.name for c in http.cookies}
    assert me(http, acme).status_code == 401
    assert acme.last_refusal() == "bad state: the callback's state does not match this browser's sign-in"


def test_a_callback_without_the_state_cookie_is_refused(keycloak_tenant, seed):
    acme = keycloak_tenant()
    seed.user(acme.seeded, "dana@acme.test")
    http = browser()
    callback = to_callback(http, acme)
    http.cookies.clear(domain="127.0.0.1", path="/auth/sso/", name=STATE_COOKIE)
    r = http.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 401 and me(http, acme).status_code == 401
    assert acme.last_refusal() == "unsolicited response: an OpenID Connect sign-in must start at Herald"


def test_a_callback_in_another_browser_is_refused(keycloak_tenant, seed):
    acme = keycloak_tenant()
    seed.user(acme.seeded, "dana@acme.test")
    callback = to_callback(browser(), acme)
    other = browser()
    r = other.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 401 and me(other, acme).status_code == 401
    assert acme.audit("auth.sso_signed_in") == []


# ----------------------------------------------------------------------------- sign-out
def test_logout_ends_the_herald_session_and_sends_the_browser_to_the_realms_end_session(
        keycloak_tenant, seed, realm, herald_runtime):
    acme = keycloak_tenant()
    seed.user(acme.seeded, "dana@acme.test")
    http = browser()
    assert sign_in(http, acme).status_code == 303
    r = http.get(f"{acme.base}/logout", allow_redirects=False, timeout=10)
    assert r.status_code == 303
    target = urlsplit(r.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{realm.issuer}/protocol/openid-connect/logout"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_id"] == "herald" and query["post_logout_redirect_uri"] == f"{acme.live}/sign-in/acme"
    assert query["id_token_hint"].count(".") == 2  # the ID token of this sign-in, kept server-side
    assert me(http, acme).status_code == 401

    # The realm accepts the hint and sends the browser back to Herald's sign-in page.
    page = http.get(r.headers["Location"], allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text[:500]
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
    assert action and xsrf, page.text[:500]
    done = http.post(urljoin(page.url, html.unescape(action.group(1))), data={"xsrf": xsrf.group(1), "logout": "yes"},
                     allow_redirects=False, timeout=10)
    assert done.is_redirect and done.headers["Location"] == f"{acme.live}/sign-in/acme"

    # Once the session ended, the token is gone from it too.
    with herald_runtime.db.transaction() as s:
        rows = s.execute(select(BrowserSession).where(BrowserSession.tenant_id == acme.id,
                                                      BrowserSession.via == "sso:keycloak")).scalars().all()
        assert rows and all(row.ended_at is not None and row.sso_attributes is None for row in rows)


def test_the_id_token_is_kept_encrypted_with_the_session_and_never_in_the_audit_log(keycloak_tenant, seed,
                                                                                      herald_runtime):
    acme = keycloak_tenant()
    seed.user(acme.seeded, "dana@acme.test")
    http = browser()
    assert sign_in(http, acme).status_code == 303
    with herald_runtime.db.transaction() as s:
        row = s.execute(select(BrowserSession).where(BrowserSession.tenant_id == acme.id,
                                                     BrowserSession.via == "sso:keycloak")).scalar_one()
        sealed = row.sso_attributes
    id_token = herald_runtime.box.open(sealed)["id_token"]
    assert id_token.startswith("eyJ")
    # the stored value is ciphertext: neither the token nor its header (random ciphertext may
    # hold any three characters, so the whole token and its header are looked for)
    assert sealed and id_token not in sealed and id_token.split(".")[0] not in sealed
    events = acme.admin.get(f"tenants/{acme.id}/audit-events?limit=200").get_json()["items"]
    assert events and id_token not in str(events) and "eyJ" not in str(events)
