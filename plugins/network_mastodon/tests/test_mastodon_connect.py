"""Registering Herald on an instance and connecting an account with OAuth 2.0 + PKCE."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from mastodon_fake_server import HANDLE, REDIRECT

from herald.plugins import AuthRevoked, PermanentError, TokenSet
from herald_network_mastodon.oauth import code_challenge, register_app

VERIFIER = "v" * 43


def test_registering_the_app_returns_client_credentials_for_the_redirect(fake_mastodon):
    creds = register_app(fake_mastodon.url, redirect_uris=[REDIRECT], scopes="read write", website="https://h.example")
    registered = fake_mastodon.fake.apps[creds["client_id"]]
    assert registered["secret"] == creds["client_secret"] and registered["redirect_uris"] == [REDIRECT]
    assert registered["scopes"] == "read write"


def test_a_refused_registration_says_what_the_instance_said(fake_mastodon):
    with pytest.raises(PermanentError) as caught:
        register_app(fake_mastodon.url, redirect_uris=[], scopes="read")
    assert caught.value.message == "Validation failed: Redirect URI can't be blank" and caught.value.status == 422


def test_the_authorize_url_is_on_the_instance_with_an_s256_challenge(mastodon, fake_mastodon, app_credentials):
    url = urlsplit(mastodon.authorize_url("st", REDIRECT, VERIFIER))
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fake_mastodon.url}/oauth/authorize"
    assert query["client_id"] == [app_credentials["client_id"]] and query["state"] == ["st"]
    assert query["code_challenge"] == [code_challenge(VERIFIER)] and query["code_challenge_method"] == ["S256"]
    assert query["response_type"] == ["code"] and query["redirect_uri"] == [REDIRECT]


def test_the_code_is_exchanged_with_the_verifier_and_names_the_account(mastodon, fake_mastodon, account):
    answer = httpx.get(mastodon.authorize_url("st", REDIRECT, VERIFIER), follow_redirects=False)
    callback = parse_qs(urlsplit(answer.headers["location"]).query)
    assert callback["state"] == ["st"]
    tokens = mastodon.exchange_code(callback["code"][0], REDIRECT, VERIFIER)
    assert tokens.access_token and tokens.refresh_token is None and tokens.expires_at is None
    profile = mastodon.profile(tokens)
    assert (profile.remote_id, profile.handle, profile.display_name) == (account.remote_id, HANDLE, "Herald HQ")


def test_a_wrong_verifier_is_refused_in_the_instances_words(mastodon, account):
    answer = httpx.get(mastodon.authorize_url("st", REDIRECT, VERIFIER), follow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    with pytest.raises(PermanentError) as caught:
        mastodon.exchange_code(code, REDIRECT, "w" * 43)
    assert caught.value.code == "invalid_grant" and "authorization grant is invalid" in caught.value.message


def test_a_wrong_client_secret_is_refused(make_connector, account):
    connector = make_connector(client_secret="not-it")
    with pytest.raises(PermanentError) as caught:
        connector.exchange_code("any", REDIRECT, VERIFIER)
    assert caught.value.code == "invalid_client"


def test_refreshing_asks_for_reconnecting_since_mastodon_tokens_do_not_expire(mastodon):
    with pytest.raises(AuthRevoked):
        mastodon.refresh(TokenSet(access_token="t"))


def test_an_internal_instance_url_is_refused_before_anything_is_sent(make_connector, account):
    connector = make_connector(instance_url="http://10.1.2.3")
    with pytest.raises(PermanentError) as caught:
        connector.profile(account.tokens)
    assert caught.value.code == "outbound_refused" and "Mastodon instance URL" in caught.value.message
    with pytest.raises(PermanentError):
        connector.authorize_url("st", REDIRECT, VERIFIER)


def test_a_tenant_may_leave_the_instance_to_the_operator_and_is_told_when_none_is_set(make_connector, account):
    from herald_network_mastodon.settings import MastodonSettings

    assert MastodonSettings().load({"client_id": "c", "client_secret": "s"})["instance_url"] is None
    for call in (lambda c: c.profile(account.tokens), lambda c: c.authorize_url("st", REDIRECT, VERIFIER)):
        with pytest.raises(PermanentError) as caught:
            call(make_connector(instance_url=None))
        assert caught.value.code == "not_configured"
