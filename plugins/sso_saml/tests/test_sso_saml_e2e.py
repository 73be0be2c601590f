"""SAML sign-in end to end: a browser (an HTTP client keeping cookies) goes through Herald's real
routes on a loopback port — ``/auth/sso/<tenant>/saml/login``, the IdP, then a POST of the signed
response to ``/callback`` — and Herald's own API shows who is signed in. The IdP is pysaml2's
(``herald_sso_saml.testing``) answering the AuthnRequest Herald issued. Each test runs on the
embedded stack (database replay cache) and on PostgreSQL + Redis (Redis replay cache)."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from herald.auth.models import ReplayEntry
from herald.auth.replay import DatabaseReplayCache, RedisReplayCache, replay_cache
from herald.auth.sessions import COOKIE
from herald.plugins import SsoContext
from herald.testing.live import browser
from herald.web.sso import STATE_COOKIE
from herald_sso_saml import SamlProvider
from herald_sso_saml.testing import DictReplayCache, FakeIdp, KeyPair

ADA = {"email": ["ada@acme.test"], "displayName": ["Ada Lovelace"], "groups": ["marketing", "emea"]}


@dataclass
class SamlTenant:
    """A tenant that enabled ``sso_saml``, the IdP it trusts, and an administrator's API client."""

    id: str
    slug: str
    live: str
    idp: FakeIdp
    admin: Any
    seeded: Any

    @property
    def base(self) -> str:
        return f"{self.live}/auth/sso/{self.slug}/saml"

    def configure(self, **settings: Any) -> None:
        r = self.admin.patch(f"tenants/{self.id}/plugins/sso_saml",
                             {"enabled": True, "settings": {"idp_metadata_xml": self.idp.metadata(), **settings}})
        assert r.status_code == 200, r.get_json()

    def audit(self, action: str) -> list[dict[str, Any]]:
        items = self.admin.get(f"tenants/{self.id}/audit-events?limit=200").get_json()["items"]
        return [e for e in items if e["action"] == action]

    def grants(self, user_id: str) -> set[tuple[str, str]]:
        items = self.admin.get(f"tenants/{self.id}/grants?user_id={user_id}").get_json()["items"]
        return {(g["role_key"], g["org_unit_id"]) for g in items}


def make_idp(entity: str, key: KeyPair, directory: Path, sp_metadata: str) -> FakeIdp:
    return FakeIdp(entity, key, directory, [sp_metadata])


@pytest.fixture
def saml_tenant(live_herald, seed, api, keys, tmp_path):
    def make(slug: str = "acme", idp_key: str = "idp", **settings: Any) -> SamlTenant:
        seeded = seed.tenant(slug, {"coffee": None, "tea": None})
        admin = api(seed.user(seeded, f"admin@{slug}.test", [("tenant_admin", "root")])[1])
        # The IdP learns Herald's SP metadata; Herald serves the same document at /metadata
        # (test_the_sp_metadata_herald_serves_lets_an_idp_sign_people_in checks that).
        base = f"{live_herald}/auth/sso/{slug}/saml"
        sp_md = SamlProvider(seeded.id, {}).metadata(SsoContext(seeded.id, slug, base, DictReplayCache(lambda: None)))
        assert sp_md is not None
        idp = make_idp(f"https://idp.{slug}.test/saml/metadata", keys[idp_key], tmp_path / f"idp-{slug}",
                       sp_md[1].decode())
        tenant = SamlTenant(seeded.id, slug, live_herald, idp, admin, seeded)
        tenant.configure(**settings)
        return tenant

    return make


# ----------------------------------------------------------------------------- the browser's part
def start(http, tenant: SamlTenant, next_path: str = "/console") -> tuple[Any, dict[str, list[str]]]:
    """GET Herald's /login; the AuthnRequest the browser is redirected with, as the IdP reads it."""
    from saml2 import BINDING_HTTP_REDIRECT

    r = http.get(f"{tenant.base}/login", params={"next": next_path}, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text[:500]
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == tenant.idp.entity_id.rsplit("/", 1)[0] + "/sso"
    query = parse_qs(location.query)
    request = tenant.idp.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT).message
    return request, query


def idp_answer(tenant: SamlTenant, request: Any, **respond: Any) -> str:
    """The IdP's signed response to ``request``, for the ACS and audience the request names."""
    respond.setdefault("attributes", ADA)
    return tenant.idp.respond(request.id, request.assertion_consumer_service_url, request.issuer.text, **respond)


def post_to_acs(http, acs: str, xml: str, relay: str | None = None):
    form = {"SAMLResponse": base64.b64encode(xml.encode()).decode()}
    if relay is not None:
        form["RelayState"] = relay
    return http.post(acs, data=form, allow_redirects=False, timeout=10)


def sign_in(http, tenant: SamlTenant, next_path: str = "/console", **respond: Any):
    request, _ = start(http, tenant, next_path)
    return post_to_acs(http, request.assertion_consumer_service_url, idp_answer(tenant, request, **respond))


def me(http, live: str):
    return http.get(f"{live}/api/v1/me", timeout=10)


def last_refusal(tenant: SamlTenant) -> str:
    return tenant.audit("auth.sso_refused")[0]["context"]["reason"]


# ----------------------------------------------------------------------------- sign-in
def test_a_browser_signs_in_through_the_idp_and_herald_shows_the_person(saml_tenant, seed):
    acme = saml_tenant()
    ada, _ = seed.user(acme.seeded, "ada@acme.test")
    http = browser()
    request, _ = start(http, acme, "/posts/42")
    assert request.assertion_consumer_service_url == f"{acme.base}/callback"
    state_cookie = next(c for c in http.cookies if c.name == STATE_COOKIE)
    assert state_cookie.secure and state_cookie.path == "/auth/sso/"
    r = post_to_acs(http, request.assertion_consumer_service_url, idp_answer(acme, request))
    assert r.status_code == 303, r.text[:500]
    assert r.headers["Location"].endswith("/posts/42")
    issued = next(h for h in r.raw.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}="))
    assert "HttpOnly" in issued and "Secure" in issued and "SameSite=Lax" in issued
    assert STATE_COOKIE not in {c.name for c in http.cookies}  # the state is spent
    person = me(http, acme.live).json()
    assert person["id"] == ada.id and person["email"] == "ada@acme.test"
    current = http.get(f"{acme.live}/api/v1/auth/session", timeout=10).json()
    assert current["user_id"] == person["id"] and current["via"] == "sso:saml"
    signed = acme.audit("auth.sso_signed_in")
    assert signed[0]["context"]["linked"] is True and signed[0]["context"]["provisioned"] is False
    assert signed[0]["context"]["groups"] == ["marketing", "emea"]




def test_without_the_browsers_cookies_the_same_response_gives_no_session(saml_tenant, seed):
    acme = saml_tenant()
    seed.user(acme.seeded, "ada@acme.test")
    victim, attacker = browser(), browser()
    request, _ = start(victim, acme)
    r = post_to_acs(attacker, request.assertion_consumer_service_url, idp_answer(acme, request))
    assert r.status_code == 401 and COOKIE not in {c.name for c in attacker.cookies}
    assert me(attacker, acme.live).status_code == 401
    assert "names no sign-in request Herald issued to this browser" in last_refusal(acme)


# ----------------------------------------------------------------------------- group mappings
def test_a_mapped_group_grants_its_role_and_a_sign_in_without_the_group_removes_it(saml_tenant, seed):
    acme = saml_tenant()
    ada, _ = seed.user(acme.seeded, "ada@acme.test")
    coffee = acme.seeded.units["coffee"].id
    r = acme.admin.request("PUT", f"tenants/{acme.id}/sso/saml/group-mappings",
                           [{"group": "marketing", "role": "editor", "org_unit_id": coffee}])
    assert r.status_code == 200, r.get_json()

    assert sign_in(browser(), acme).status_code == 303
    assert ("editor", coffee) in acme.grants(ada.id)

    later = browser()
    r = sign_in(later, acme, attributes={**ADA, "groups": ["emea"]})
    assert r.status_code == 303 and me(later, acme.live).json()["id"] == ada.id
    assert ("editor", coffee) not in acme.grants(ada.id)
    removed = acme.audit("auth.sso_signed_in")[0]["context"]["grants"]
    assert removed["removed"] and not removed["added"]


# ----------------------------------------------------------------------------- who may sign in
def test_with_require_mapped_group_a_person_outside_every_mapped_group_is_disabled(saml_tenant, seed):
    acme = saml_tenant(require_mapped_group=True)
    ada, _ = seed.user(acme.seeded, "ada@acme.test")
    coffee = acme.seeded.units["coffee"].id
    acme.admin.request("PUT", f"tenants/{acme.id}/sso/saml/group-mappings",
                       [{"group": "marketing", "role": "editor", "org_unit_id": coffee}])
    first = browser()
    assert sign_in(first, acme).status_code == 303
    r = sign_in(browser(), acme, attributes={**ADA, "groups": ["emea"]})
    assert r.status_code == 401
    assert last_refusal(acme) == f"user {ada.id} is in no mapped group any more; disabled"
    assert acme.admin.get(f"tenants/{acme.id}/users/{ada.id}").get_json()["status"] == "disabled"
    assert me(first, acme.live).status_code == 401  # the earlier session ended with the disabling


def test_just_in_time_provisioning_creates_the_person_when_enabled(saml_tenant):
    acme = saml_tenant(jit_provisioning=True)
    http = browser()
    assert sign_in(http, acme).status_code == 303
    person = me(http, acme.live).json()
    assert person["email"] == "ada@acme.test" and person["display_name"] == "Ada Lovelace"
    assert acme.audit("auth.sso_signed_in")[0]["context"]["provisioned"] is True


def test_an_unknown_person_is_refused_when_just_in_time_provisioning_is_off(saml_tenant):
    acme = saml_tenant()
    http = browser()
    r = sign_in(http, acme)
    assert r.status_code == 401 and "did not succeed" in r.text
    assert COOKIE not in {c.name for c in http.cookies} and me(http, acme.live).status_code == 401
    assert last_refusal(acme) == "no user with email ada@acme.test and just-in-time provisioning is off"
    users = acme.admin.get(f"tenants/{acme.id}/users?limit=200").get_json()["items"]
    assert "ada@acme.test" not in {u["email"] for u in users}


# ----------------------------------------------------------------------------- replay
def _stored_in_replay_cache(herald_runtime, key: str) -> bool:
    cache = replay_cache(herald_runtime)
    digest = hashlib.sha256(key.encode()).hexdigest()
    if isinstance(cache, RedisReplayCache):
        return bool(cache.client.exists(cache.prefix + digest))
    with herald_runtime.db.transaction() as s:
        return s.execute(select(ReplayEntry).where(ReplayEntry.key == digest)).scalar_one_or_none() is not None


def test_a_replayed_response_is_refused_with_no_session_and_the_reason_audited(saml_tenant, seed, herald_runtime,
                                                                                 herald_backend_name):
    acme = saml_tenant(allow_idp_initiated=True)
    seed.user(acme.seeded, "ada@acme.test")
    cache = replay_cache(herald_runtime)
    # services mode shares the cache through Redis; embedded mode keeps it in the database
    assert isinstance(cache, RedisReplayCache if herald_backend_name == "services" else DatabaseReplayCache)
    xml = acme.idp.respond(None, f"{acme.base}/callback", f"{acme.base}/metadata", attributes=ADA)
    assertion_id = re.search(r'<ns1:Assertion [^>]*ID="([^"]+)"', xml).group(1)  # type: ignore[union-attr]

    assert post_to_acs(browser(), f"{acme.base}/callback", xml).status_code == 303
    assert _stored_in_replay_cache(herald_runtime, f"saml:{acme.id}:assertion:{assertion_id}")

    thief = browser()
    r = post_to_acs(thief, f"{acme.base}/callback", xml)
    assert r.status_code == 401
    assert COOKIE not in {c.name for c in thief.cookies} and me(thief, acme.live).status_code == 401
    assert last_refusal(acme) == f"The Assertion {assertion_id!r} was already used (replay)."
    assert len(acme.audit("auth.sso_signed_in")) == 1


# ----------------------------------------------------------------------------- tenants
def test_a_response_for_one_tenant_posted_to_another_tenants_acs_is_refused(saml_tenant, seed):
    acme, globex = saml_tenant("acme"), saml_tenant("globex", idp_key="other-idp")
    seed.user(acme.seeded, "ada@acme.test")
    seed.user(globex.seeded, "ada@acme.test")  # the same address exists in both tenants

    # With acme's sign-in state: the state names another tenant.
    http = browser()
    request, _ = start(http, acme)
    r = post_to_acs(http, f"{globex.base}/callback", idp_answer(acme, request))
    assert r.status_code == 401 and me(http, globex.live).status_code == 401
    assert last_refusal(globex) == "sign-in state belongs to another tenant or provider"

    # With a sign-in started at globex: acme's IdP's signature means nothing to globex.
    http = browser()
    start(http, globex)
    acme_request, _ = start(browser(), acme)
    r = post_to_acs(http, f"{globex.base}/callback", idp_answer(acme, acme_request))
    assert r.status_code == 401 and me(http, globex.live).status_code == 401
    assert last_refusal(globex) == ("The Assertion signature does not verify with the identity provider "
                                    "certificate pinned for this tenant.")
    assert acme.audit("auth.sso_signed_in") == [] and globex.audit("auth.sso_signed_in") == []


def test_a_response_for_one_tenant_is_refused_by_another_tenant_trusting_the_same_idp(saml_tenant, seed):
    acme, initech = saml_tenant("acme"), saml_tenant("initech")
    initech.idp = acme.idp  # one corporate IdP serving both tenants
    initech.configure()
    seed.user(initech.seeded, "ada@acme.test")
    http = browser()
    start(http, initech)
    acme_request, _ = start(browser(), acme)
    r = post_to_acs(http, f"{initech.base}/callback", idp_answer(acme, acme_request))
    assert r.status_code == 401 and me(http, initech.live).status_code == 401
    assert last_refusal(initech).startswith(
        f"The Assertion's audience ['{acme.base}/metadata'] does not include this tenant's SP entity ID")
    assert initech.audit("auth.sso_signed_in") == []


# ----------------------------------------------------------------------------- IdP-initiated
def test_an_idp_initiated_response_is_refused_unless_the_tenant_allows_it(saml_tenant, seed):
    acme = saml_tenant()
    ada, _ = seed.user(acme.seeded, "ada@acme.test")
    http = browser()
    unsolicited = acme.idp.respond(None, f"{acme.base}/callback", f"{acme.base}/metadata", attributes=ADA)
    r = post_to_acs(http, f"{acme.base}/callback", unsolicited, relay="/posts")
    assert r.status_code == 401 and me(http, acme.live).status_code == 401
    assert last_refusal(acme) == "Unsolicited Response (IdP-initiated sign-in), which this tenant does not allow."

    acme.configure(allow_idp_initiated=True)
    fresh = acme.idp.respond(None, f"{acme.base}/callback", f"{acme.base}/metadata", attributes=ADA)
    r = post_to_acs(http, f"{acme.base}/callback", fresh, relay="/posts")
    assert r.status_code == 303 and r.headers["Location"].endswith("/posts")
    assert me(http, acme.live).json()["id"] == ada.id


# ----------------------------------------------------------------------------- metadata
def test_the_sp_metadata_herald_serves_lets_an_idp_sign_people_in(saml_tenant, seed, keys, tmp_path):
    acme = saml_tenant()
    ada, _ = seed.user(acme.seeded, "ada@acme.test")
    r = browser().get(f"{acme.base}/metadata", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/samlmetadata+xml")
    served = r.text
    assert f'entityID="{acme.base}/metadata"' in served
    assert re.search(r'AssertionConsumerService [^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"'
                     rf'[^>]*Location="{re.escape(acme.base)}/callback"', served) or \
        re.search(rf'AssertionConsumerService [^>]*Location="{re.escape(acme.base)}/callback"[^>]*'
                  r'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"', served)
    # An IdP configured from the served document (same entity and key as the tenant trusts).
    acme.idp = make_idp(acme.idp.entity_id, keys["idp"], tmp_path / "idp-from-served-metadata", served)
    http = browser()
    assert sign_in(http, acme).status_code == 303
    assert me(http, acme.live).json()["id"] == ada.id
