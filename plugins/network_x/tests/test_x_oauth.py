"""Connecting an X account: OAuth 2.0 authorization code with PKCE, refresh, profile."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from x_fake_server import CLIENT_ID, HANDLE, USER_ID

from herald.plugins import AuthRevoked, PermanentError, TokenSet, TransientError

VERIFIER = "dBjftJeZ4CVP-mJ92K9r-1_2mQwXy7_vE5nRLb3xKZk4hJp8"
REDIRECT = "https://herald.example/connect/x/callback"


def _connect(fake_x, x, verifier: str = VERIFIER) -> TokenSet:
    """Goes through the fake's authorize page like a browser and trades the code."""
    fake_x.fake.add_user(USER_ID, HANDLE, "Herald HQ")
    answer = httpx.get(x.authorize_url("st4te", REDIRECT, verifier), follow_redirects=False)
    assert answer.status_code == 302, answer.text
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["st4te"]
    return x.exchange_code(query["code"][0], REDIRECT, verifier)


def test_the_authorize_url_carries_an_s256_challenge_of_the_verifier_and_the_needed_scopes(x, fake_x):
    url = x.authorize_url("st4te", REDIRECT, VERIFIER)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake_x.url}/i/oauth2/authorize"
    expected = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    assert query == {
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "state": "st4te",
        "code_challenge": expected, "code_challenge_method": "S256",
        "scope": "tweet.read tweet.write users.read offline.access",
    }


def test_v2_media_uploads_add_the_media_write_scope(make_connector):
    url = make_connector(media_upload_style="v2").authorize_url("s", REDIRECT, VERIFIER)
    assert "media.write" in parse_qs(urlsplit(url).query)["scope"][0].split()


def test_a_code_is_exchanged_for_tokens_that_identify_the_account(x, fake_x):
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    x.now = lambda: now
    tokens = _connect(fake_x, x)
    assert tokens.access_token and tokens.refresh_token
    assert tokens.expires_at == now + timedelta(hours=2)
    assert "offline.access" in (tokens.scope or "")
    profile = x.profile(tokens)
    assert (profile.remote_id, profile.handle, profile.display_name) == (USER_ID, HANDLE, "Herald HQ")


def test_a_wrong_code_verifier_is_refused_with_x_own_words(x, fake_x):
    fake_x.fake.add_user(USER_ID, HANDLE)
    answer = httpx.get(x.authorize_url("s", REDIRECT, VERIFIER), follow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    with pytest.raises(PermanentError, match="authorization code was invalid"):
        x.exchange_code(code, REDIRECT, VERIFIER + "tampered")


def test_a_confidential_client_without_its_secret_is_refused(make_connector, fake_x):
    x = make_connector(client_secret=None)
    fake_x.fake.add_user(USER_ID, HANDLE)
    answer = httpx.get(x.authorize_url("s", REDIRECT, VERIFIER), follow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    with pytest.raises(PermanentError, match="Missing valid authorization header"):
        x.exchange_code(code, REDIRECT, VERIFIER)


def test_a_public_client_exchanges_without_basic_auth(make_connector, fake_x):
    fake_x.fake.add_client("public-client", None)
    x = make_connector(client_id="public-client", client_secret=None)
    tokens = _connect(fake_x, x)
    token_calls = [r for r in fake_x.fake.requests if r["path"] == "/2/oauth2/token"]
    assert tokens.access_token and "Authorization" not in token_calls[-1]["headers"]


def test_refresh_rotates_the_refresh_token_and_the_old_one_stops_working(x, fake_x):
    first = _connect(fake_x, x)
    second = x.refresh(first)
    assert second.refresh_token and second.refresh_token != first.refresh_token
    assert x.profile(second).remote_id == USER_ID
    with pytest.raises(AuthRevoked):
        x.refresh(first)


def test_when_x_omits_the_refresh_token_the_stored_one_is_kept(x, fake_x):
    first = _connect(fake_x, x)
    fake_x.fake.rotate_refresh_tokens = False
    fake_x.fake.omit_refresh_token = True
    renewed = x.refresh(first)
    assert renewed.access_token != first.access_token
    assert renewed.refresh_token is None
    assert x.refresh(first).access_token  # the kept refresh token still works


@pytest.mark.parametrize("error", ["invalid_request", "invalid_grant"])
def test_a_revoked_refresh_token_flags_the_account_for_reconnection(x, fake_x, error):
    _connect(fake_x, x)
    fake_x.fake.revoked_error = error
    with pytest.raises(AuthRevoked, match="token was invalid") as caught:
        x.refresh(TokenSet(access_token="old", refresh_token="revoked-long-ago"))
    assert caught.value.code == error


def test_an_account_without_a_refresh_token_needs_reconnecting(x):
    with pytest.raises(AuthRevoked):
        x.refresh(TokenSet(access_token="a", refresh_token=None))


def test_a_5xx_from_the_token_endpoint_is_transient_and_not_a_revocation(x, fake_x):
    first = _connect(fake_x, x)
    fake_x.fake.token_failure = 503
    with pytest.raises(TransientError) as caught:
        x.refresh(first)
    assert not isinstance(caught.value, AuthRevoked) and caught.value.status == 503
    fake_x.fake.token_failure = None
    assert x.refresh(first).access_token


def test_an_unreachable_token_endpoint_is_transient(make_connector, fake_x):
    x = make_connector(api_base_url="http://127.0.0.1:9")
    with pytest.raises(TransientError):
        x.refresh(TokenSet(access_token="a", refresh_token="r"))
