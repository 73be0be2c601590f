"""Sign-in through a real OpenID Connect provider on Keycloak's paths (see conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from keycloak.exceptions import KeycloakError
from sso_keycloak_idp import SIGNED_OUT, Browser, IdpServer

from herald.plugins import SsoRefused
from herald_sso_keycloak import KeycloakProvider, LogoutFailed
from herald_sso_keycloak.id_token import JwksCache
from herald_sso_keycloak.pkce import code_challenge


def provider(idp: IdpServer, **settings: object) -> KeycloakProvider:
    p = KeycloakProvider("tnt_acme", idp.settings(**settings))
    p.jwks = JwksCache()
    return p


def refusal(exc: pytest.ExceptionInfo[SsoRefused]) -> str:
    return exc.value.reason


def test_begin_sends_the_browser_to_the_realm_with_pkce_s256_state_and_nonce(idp, ctx):
    start = provider(idp).begin(ctx, "/posts")
    url = urlsplit(start.redirect_url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{idp.issuer}/protocol/openid-connect/auth"
    assert query["client_id"] == "herald" and query["response_type"] == "code"
    assert query["redirect_uri"] == ctx.callback_url and query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert query["code_challenge"] == code_challenge(start.state["code_verifier"])
    assert query["state"] == start.state["state"] and query["nonce"] == start.state["nonce"]
    assert start.state["relay"] == "/posts"
    assert "code_verifier" not in query  # the verifier never leaves Herald until the code exchange
    again = provider(idp).begin(ctx, None)
    assert {again.state[k] for k in ("state", "nonce", "code_verifier")}.isdisjoint(start.state.values())


def test_a_full_sign_in_gives_the_person_with_realm_roles_client_roles_and_groups(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    identity = p.complete(ctx, browser.sign_in(start.redirect_url, "dana"), start.state)
    assert identity.subject == "dana"
    assert identity.email == "dana@acme.test" and identity.display_name == "Dana Scully"
    assert identity.groups == ("/brands/acme", "/legal")
    # realm roles as they are; this client's roles as client:role; other clients' roles left out
    assert identity.roles == ("herald-editor", "offline_access", "herald:publisher", "herald:approver")
    assert identity.attributes["issuer"] == idp.issuer


def test_the_identity_says_when_the_keycloak_session_ends(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    signed_in = p.sign_in(ctx, browser.sign_in(start.redirect_url, "dana"), start.state)
    assert signed_in.tokens["refresh_expires_in"] == 1800
    ends = signed_in.identity.session_expires_at
    assert ends is not None
    assert timedelta(seconds=1790) < ends - datetime.now(UTC) <= timedelta(seconds=1800)


def test_client_roles_of_the_clients_a_tenant_names_are_taken(idp, ctx, browser):
    p = provider(idp, client_roles_clients=["herald", "other-app"], realm_roles_claim="", groups_claim="")
    start = p.begin(ctx, None)
    identity = p.complete(ctx, browser.sign_in(start.redirect_url, "dana"), start.state)
    assert identity.roles == ("herald:publisher", "herald:approver", "other-app:viewer")
    assert identity.groups == ()


def test_a_public_client_signs_in_with_pkce_alone(idp, ctx, browser):
    p = provider(idp, client_id="herald-public", client_secret=None)
    start = p.begin(ctx, None)
    assert p.complete(ctx, browser.sign_in(start.redirect_url, "erin"), start.state).email == "erin@example.test"


def test_userinfo_claims_are_merged_when_asked_for(idp, ctx, browser):
    p = provider(idp, use_userinfo=True)
    start = p.begin(ctx, None)
    identity = p.complete(ctx, browser.sign_in(start.redirect_url, "dana"), start.state)
    assert identity.email == "dana@acme.test" and "herald:publisher" in identity.roles


def test_a_callback_with_another_state_is_refused_as_bad_state(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    params = browser.sign_in(start.redirect_url)
    other = p.begin(ctx, None)  # the same browser started a second sign-in: its state is stored
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, params, other.state)
    assert refusal(refused).startswith("bad state")
    with pytest.raises(SsoRefused) as missing:
        p.complete(ctx, {k: v for k, v in params.items() if k != "state"}, start.state)
    assert refusal(missing).startswith("bad state")


def test_a_callback_without_a_started_sign_in_is_refused(idp, ctx, browser):
    p = provider(idp)
    params = browser.sign_in(p.begin(ctx, None).redirect_url)
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, params, None)
    assert refusal(refused).startswith("unsolicited response")


def test_an_id_token_for_another_nonce_is_refused_as_nonce_mismatch(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    params = browser.sign_in(start.redirect_url)
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, params, {**start.state, "nonce": "a-nonce-of-another-sign-in"})
    assert refusal(refused).startswith("nonce mismatch")


def test_a_replayed_code_is_refused_as_invalid_grant(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    params = browser.sign_in(start.redirect_url)
    assert p.complete(ctx, params, start.state).email == "dana@acme.test"
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, params, start.state)
    assert refusal(refused).startswith("token exchange refused: invalid_grant")


def test_a_code_exchanged_with_another_verifier_is_refused_as_invalid_grant(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    params = browser.sign_in(start.redirect_url)
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, params, {**start.state, "code_verifier": "x" * 43})
    assert refusal(refused).startswith("token exchange refused: invalid_grant")


def test_a_person_cancelling_at_the_provider_is_refused_with_its_error(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    params = browser.sign_in(start.redirect_url, cancel=True)
    assert params["error"] == "access_denied"
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, params, start.state)
    assert refusal(refused) == "provider error: access_denied (End-User aborted interaction)"


def test_a_provider_error_with_a_forged_state_is_refused_as_bad_state(idp, ctx):
    p = provider(idp)
    start = p.begin(ctx, None)
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, {"error": "access_denied", "state": "forged"}, start.state)
    assert refusal(refused).startswith("bad state")


def test_a_callback_naming_another_issuer_is_refused_as_wrong_issuer(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    params = browser.sign_in(start.redirect_url)
    assert params["iss"] == idp.issuer
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, {**params, "iss": "https://evil.test/realms/herald"}, start.state)
    assert refusal(refused).startswith("wrong issuer")


def test_a_callback_without_the_issuer_the_realm_announces_is_refused(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    params = browser.sign_in(start.redirect_url)
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, {k: v for k, v in params.items() if k != "iss"}, start.state)
    assert refusal(refused).startswith("wrong issuer")


def test_an_unverified_email_is_refused_unless_the_tenant_allows_it(idp, ctx, browser):
    strict = provider(idp)
    start = strict.begin(ctx, None)
    with pytest.raises(SsoRefused) as refused:
        strict.complete(ctx, browser.sign_in(start.redirect_url, "unverified"), start.state)
    assert refusal(refused).startswith("unverified email")
    lenient = provider(idp, require_verified_email=False)
    start = lenient.begin(ctx, None)
    assert lenient.complete(ctx, Browser().sign_in(start.redirect_url, "unverified"), start.state).email == (
        "unverified@acme.test")


def test_roles_that_are_not_a_list_of_strings_are_refused_as_malformed(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, browser.sign_in(start.redirect_url, "malformed"), start.state)
    assert refusal(refused) == "malformed claim: realm_access.roles is not a list of strings"


def test_a_hostile_error_description_is_bounded_and_stripped_of_control_characters(idp, ctx):
    p = provider(idp)
    start = p.begin(ctx, None)
    params = {"state": start.state["state"], "error": "access_denied\r\nforged: audit line",
              "error_description": "x" * 100_000}
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, params, start.state)
    reason = refusal(refused)
    assert reason.startswith("provider error: access_denied??forged")
    assert "\n" not in reason and "\r" not in reason and len(reason) < 400


def test_a_person_without_an_email_address_is_refused(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, browser.sign_in(start.redirect_url, "nomail"), start.state)
    assert refusal(refused).startswith("missing claim")


def test_a_wrong_client_secret_is_refused_at_the_code_exchange(idp, ctx, browser):
    p = provider(idp, client_secret="not-the-secret")
    start = p.begin(ctx, None)
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, browser.sign_in(start.redirect_url), start.state)
    assert refusal(refused).startswith("token exchange refused: invalid_client")


def test_an_unreachable_realm_is_refused_not_crashed(ctx):
    from herald_sso_keycloak import KeycloakSettings

    settings = KeycloakSettings().load({"server_url": "http://127.0.0.1:9/", "realm": "herald", "client_id": "herald"})
    p = KeycloakProvider("tnt_acme", {**settings, "timeout_seconds": 2})
    with pytest.raises(SsoRefused) as refused:
        p.begin(ctx, None)
    assert refusal(refused).startswith("identity provider unreachable")


def test_logout_url_ends_the_realm_session_and_returns_to_herald(idp, ctx, browser):
    p = provider(idp)
    start = p.begin(ctx, None)
    identity = p.complete(ctx, browser.sign_in(start.redirect_url), start.state)
    assert browser.has_provider_session(p.begin(ctx, None).redirect_url)
    url = p.logout_url(ctx, identity, SIGNED_OUT)
    assert url is not None and url.startswith(f"{idp.issuer}/protocol/openid-connect/logout?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query == {"client_id": "herald", "post_logout_redirect_uri": SIGNED_OUT,
                     "id_token_hint": identity.attributes["id_token"]}
    assert browser.sign_out(url).startswith(SIGNED_OUT)
    assert not browser.has_provider_session(p.begin(ctx, None).redirect_url)


def test_logout_url_falls_back_to_the_keycloak_path_when_the_realm_is_unreachable(ctx):
    from herald_sso_keycloak import KeycloakSettings

    settings = KeycloakSettings().load({"server_url": "http://127.0.0.1:9/auth", "realm": "acme", "client_id": "h"})
    url = KeycloakProvider("tnt_acme", {**settings, "timeout_seconds": 2}).logout_url(ctx, None, SIGNED_OUT)
    assert url is not None
    assert url.startswith("http://127.0.0.1:9/auth/realms/acme/protocol/openid-connect/logout?client_id=h&")


def test_backchannel_logout_revokes_the_refresh_token(idp, ctx):
    p = provider(idp)
    start = p.begin(ctx, None)
    signed_in = p.sign_in(ctx, Browser().sign_in(start.redirect_url), start.state)
    refresh = signed_in.tokens["refresh_token"]
    refreshed = p.oidc.refresh_token(refresh)  # alive before
    assert refreshed["access_token"]
    refresh = refreshed.get("refresh_token", refresh)
    p.backchannel_logout(refresh)
    with pytest.raises(KeycloakError) as dead:
        p.oidc.refresh_token(refresh)
    assert b"invalid_grant" in (dead.value.response_body or b"")
    with pytest.raises(LogoutFailed) as again:
        p.backchannel_logout(refresh)
    assert again.value.reason.startswith("logout refused: invalid_grant")

