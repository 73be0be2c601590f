"""Long-lived tokens: exchange, refresh, revocation, and the connect flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from instagram_fake_graph import APP_ID, APP_SECRET, USER_ID

from herald.plugins import AuthRevoked, TokenSet, TransientError


def test_a_short_lived_token_is_exchanged_for_a_sixty_day_one(graph, connector):
    tokens = connector.exchange_long_lived("short-1")
    assert tokens.access_token in graph.tokens and tokens.access_token != "short-1"
    assert tokens.refresh_token is None
    assert abs(tokens.expires_at - (datetime.now(UTC) + timedelta(seconds=5183944))) < timedelta(seconds=5)
    call = graph.calls_to("GET", "oauth/access_token")[0]
    assert call == {"grant_type": "fb_exchange_token", "client_id": APP_ID, "client_secret": APP_SECRET,
                    "fb_exchange_token": "short-1"}


def test_refreshing_a_facebook_login_token_exchanges_the_current_one(graph, connector):
    fresh = connector.refresh(TokenSet(access_token="long-lived-1"))
    assert fresh.access_token not in ("", "long-lived-1") and fresh.access_token in graph.tokens


def test_instagram_login_uses_the_unversioned_ig_token_endpoints(graph, make_connector):
    conn = make_connector(login="instagram")
    exchanged = conn.exchange_long_lived("short-1")
    refreshed = conn.refresh(exchanged)
    assert refreshed.access_token in graph.tokens
    assert graph.calls_to("GET", "access_token")[0] == {"grant_type": "ig_exchange_token",
                                                        "client_secret": APP_SECRET, "access_token": "short-1"}
    assert graph.calls_to("GET", "refresh_access_token")[0] == {"grant_type": "ig_refresh_token",
                                                                "access_token": exchanged.access_token}


@pytest.mark.parametrize("login", ["facebook", "instagram"])
def test_a_revoked_token_flags_the_account_for_reconnection(graph, make_connector, login):
    graph.revoked_tokens.add("long-lived-1")
    with pytest.raises(AuthRevoked):
        make_connector(login=login).refresh(TokenSet(access_token="long-lived-1"))


def test_a_server_error_while_refreshing_is_transient_not_revoked(graph, connector):
    graph.fail_next("GET", "oauth/access_token", 1, "An unknown error occurred", status=500, is_transient=True)
    with pytest.raises(TransientError) as caught:
        connector.refresh(TokenSet(access_token="long-lived-1"))
    assert not isinstance(caught.value, AuthRevoked)


def test_a_throttled_refresh_is_transient(graph, connector):
    graph.fail_next("GET", "oauth/access_token", 4, "Application request limit reached")
    with pytest.raises(TransientError):
        connector.refresh(TokenSet(access_token="long-lived-1"))


def test_an_answer_without_a_token_is_never_taken_as_the_new_token(graph, connector, monkeypatch):
    import instagram_fake_graph as fake

    original = fake._route

    def empty_token(state, method, path, params):
        status, body = original(state, method, path, params)
        return (status, {**body, "access_token": ""}) if path == "oauth/access_token" else (status, body)

    monkeypatch.setattr(fake, "_route", empty_token)
    with pytest.raises(TransientError, match="without a new token"):
        connector.refresh(TokenSet(access_token="long-lived-1"))


def test_the_authorize_url_asks_for_the_publishing_permissions(connector):
    url = connector.authorize_url("state-1", "https://herald.test/cb", "verifier")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.netloc == "www.facebook.com" and parts.path.endswith("/dialog/oauth")
    assert query["client_id"] == [APP_ID] and query["state"] == ["state-1"]
    assert query["redirect_uri"] == ["https://herald.test/cb"]
    assert "instagram_content_publish" in query["scope"][0]


def test_a_code_becomes_a_long_lived_token_and_a_profile(graph, connector):
    tokens = connector.exchange_code("code-1", "https://herald.test/cb", "verifier")
    assert tokens.access_token in graph.tokens and tokens.access_token != "short-1"
    profile = connector.profile(tokens)
    assert (profile.remote_id, profile.handle) == (USER_ID, "acme.brand")


def test_an_instagram_login_profile_comes_from_me(graph, make_connector):
    profile = make_connector(login="instagram").profile(TokenSet(access_token="long-lived-1"))
    assert profile.remote_id == USER_ID and profile.handle == "acme.brand"
    assert graph.calls_to("GET", "me")[0]["fields"] == "user_id,username,name"


def test_an_instagram_login_code_becomes_a_long_lived_token(graph, make_connector):
    conn = make_connector(login="instagram", instagram_token_url=f"{graph.base_url}/oauth/access_token")
    tokens = conn.exchange_code("code-1", "https://herald.test/cb", "verifier")
    assert tokens.access_token in graph.tokens and tokens.access_token != "short-1"
    assert graph.calls_to("POST", "oauth/access_token")[0]["grant_type"] == "authorization_code"
    assert graph.calls_to("GET", "access_token")[0]["access_token"] == "short-1"


def test_a_refused_code_is_a_permanent_error(graph, make_connector):
    from herald.plugins import PermanentError

    conn = make_connector(login="instagram", instagram_token_url=f"{graph.base_url}/oauth/access_token")
    with pytest.raises(PermanentError):
        conn.exchange_code("no-such-code", "https://herald.test/cb", "verifier")
