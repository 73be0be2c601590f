"""Connecting a Page: the login dialog, the code traded for a long-lived user token, renewal,
and the Page the token acts for."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from facebook_fake_graph import APP_SECRET, PAGE_ID, PAGE_NAME

from herald.plugins import AuthRevoked, PermanentError, TokenSet, utcnow


def test_the_login_dialog_carries_the_app_scopes_and_the_configured_version(make_connector):
    url = make_connector(api_version="v24.0").authorize_url("st4te", "https://herald.example/cb", "verifier")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.netloc == "www.facebook.com" and parts.path == "/v24.0/dialog/oauth"
    assert query["state"] == ["st4te"] and query["response_type"] == ["code"]
    assert "pages_manage_posts" in query["scope"][0] and "pages_messaging" in query["scope"][0]


def test_a_code_becomes_a_long_lived_user_token(connector, graph):
    tokens = connector.exchange_code("code-1", "https://herald.example/cb", "verifier")
    assert tokens.access_token == "user-long-2"
    assert timedelta(days=59) < tokens.expires_at - utcnow() < timedelta(days=61)
    exchange = graph.calls_to("GET", "oauth/access_token")[-1]
    assert exchange["grant_type"] == "fb_exchange_token" and exchange["client_secret"] == APP_SECRET


def test_a_used_code_is_refused_as_a_permanent_error(connector):
    connector.exchange_code("code-1", "https://herald.example/cb", "verifier")
    with pytest.raises(PermanentError):
        connector.exchange_code("code-1", "https://herald.example/cb", "verifier")


def test_a_refresh_that_facebook_refuses_with_190_means_reconnect(connector):
    assert connector.refresh(TokenSet("user-long-1")).access_token == "user-long-2"
    with pytest.raises(AuthRevoked):
        connector.refresh(TokenSet("revoked-token"))


def test_the_profile_is_the_page_the_person_manages(connector):
    profile = connector.profile(TokenSet("user-long-1"))
    assert (profile.remote_id, profile.handle) == (PAGE_ID, PAGE_NAME)


def test_a_person_without_pages_cannot_connect(connector, graph):
    graph.pages = {}
    with pytest.raises(PermanentError, match="no Facebook Page"):
        connector.profile(TokenSet("user-long-1"))
