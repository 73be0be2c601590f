"""Getting a Salesforce session: the JWT bearer assertion the contract describes, the refresh
token and username-password alternatives, Salesforce's refusals as Herald's typed errors, one
new session and one retry for an expired one, and the outbound policy over the login host."""

from __future__ import annotations

import time

import pytest
from salesforce_fake_server import CONSUMER_KEY, CONSUMER_SECRET, PASSWORD, USERNAME

from herald.plugins import AuthExpired, AuthRevoked, PermanentError, TransientError
from herald_crm_salesforce.client import SalesforceClient


def test_jwt_bearer_assertion_carries_the_contract_claims_and_verifies(salesforce, sf_settings):
    with SalesforceClient(sf_settings()) as sf:
        session = sf.authenticate()
    assert session.instance_url == salesforce.url
    sent = salesforce.fake.assertions[-1]
    assert sent["header"]["alg"] == "RS256"
    claims = sent["claims"]
    assert (claims["iss"], claims["sub"], claims["aud"]) == (CONSUMER_KEY, USERNAME, salesforce.url)
    assert time.time() < claims["exp"] <= time.time() + 180


def test_a_refresh_token_gets_a_session(salesforce, sf_settings):
    salesforce.fake.refresh_tokens.add("5Aep861-refresh")
    settings = sf_settings(auth_flow="refresh_token", refresh_token="5Aep861-refresh", private_key_pem=None)
    with SalesforceClient(settings) as sf:
        assert sf.authenticate().access_token


def test_username_and_password_with_security_token_get_a_session(salesforce, sf_settings):
    settings = sf_settings(auth_flow="password", client_secret=CONSUMER_SECRET, password=PASSWORD)
    with SalesforceClient(settings) as sf:
        assert sf.authenticate().access_token


def test_an_unapproved_user_is_auth_revoked_with_salesforces_words(salesforce, sf_settings):
    salesforce.fake.revoked = True
    with SalesforceClient(sf_settings()) as sf, pytest.raises(AuthRevoked) as caught:
        sf.authenticate()
    assert caught.value.code == "invalid_grant"
    assert caught.value.message == "user hasn't approved this consumer"


def test_an_unknown_consumer_key_is_auth_revoked(salesforce, sf_settings):
    with SalesforceClient(sf_settings(client_id="not-the-app")) as sf, pytest.raises(AuthRevoked) as caught:
        sf.authenticate()
    assert caught.value.code == "invalid_client_id"


def test_a_flow_missing_its_settings_names_them_without_calling_salesforce(salesforce, sf_settings):
    with SalesforceClient(sf_settings(auth_flow="refresh_token")) as sf, pytest.raises(AuthRevoked) as caught:
        sf.authenticate()
    assert "refresh_token" in caught.value.message
    assert salesforce.fake.token_requests == 0


def test_an_expired_session_gets_one_new_token_and_one_retry(salesforce, sf_settings):
    with SalesforceClient(sf_settings()) as sf:
        sf.call("GET", "query", params={"q": "SELECT Id FROM Case"})
        salesforce.fake.expire_sessions()
        assert sf.call("GET", "query", params={"q": "SELECT Id FROM Case"}).status_code == 200
        assert sf.token_requests == 2


def test_a_session_refused_again_after_renewal_is_not_retried_forever(salesforce, sf_settings, monkeypatch):
    with SalesforceClient(sf_settings()) as sf:
        original = sf.authenticate

        def renew_but_expire():
            session = original()
            salesforce.fake.expire_sessions()
            return session

        monkeypatch.setattr(sf, "authenticate", renew_but_expire)
        with pytest.raises(AuthExpired) as caught:
            sf.call("GET", "query", params={"q": "SELECT Id FROM Case"})
    assert caught.value.code == "INVALID_SESSION_ID"
    assert len([r for r in salesforce.fake.data_requests if r[1] == "/query"]) == 2


def test_a_token_endpoint_that_is_down_is_transient(salesforce, sf_settings):
    salesforce.fake.down = 1
    with SalesforceClient(sf_settings()) as sf, pytest.raises(TransientError):
        sf.authenticate()


def test_a_login_host_the_outbound_policy_refuses_is_never_contacted(sf_settings):
    with SalesforceClient(sf_settings(login_url="http://169.254.169.254")) as sf, \
            pytest.raises(PermanentError) as caught:
        sf.authenticate()
    assert caught.value.code == "outbound_refused"


def test_a_login_host_nobody_listens_on_is_transient_and_quotes_no_socket_error(sf_settings):
    with SalesforceClient(sf_settings(login_url="http://127.0.0.1:9")) as sf, pytest.raises(TransientError) as caught:
        sf.authenticate()
    assert caught.value.message == "Salesforce could not be reached."
