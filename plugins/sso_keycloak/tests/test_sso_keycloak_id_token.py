"""ID token verification: signature (JWKS, key rotation), issuer, audience, expiry, algorithms."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS
from sso_keycloak_idp import Browser, IdpServer

from herald import clock
from herald.plugins import SsoContext, SsoRefused
from herald_sso_keycloak import KeycloakProvider
from herald_sso_keycloak.id_token import JwksCache


def provider(idp: IdpServer, **settings: object) -> KeycloakProvider:
    p = KeycloakProvider("tnt_acme", idp.settings(**settings))
    p.jwks = JwksCache()
    return p


def genuine(p: KeycloakProvider, ctx: SsoContext, login: str = "dana") -> tuple[str, str]:
    """(ID token, nonce) of a real sign-in of ``login`` at ``p``'s client."""
    start = p.begin(ctx, None)
    signed_in = p.sign_in(ctx, Browser().sign_in(start.redirect_url, login), start.state)
    return signed_in.tokens["id_token"], start.state["nonce"]


def parts(token: str) -> tuple[dict, dict]:
    header, payload, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (json.loads(base64.urlsafe_b64decode(pad(header))), json.loads(base64.urlsafe_b64decode(pad(payload))))


def sign(claims: dict, key: JWK, header: dict) -> str:
    jws = JWS(json.dumps(claims).encode())
    jws.add_signature(key, alg=header["alg"], protected=json.dumps(header))
    return jws.serialize(compact=True)


@pytest.fixture
def frozen_clock() -> Iterator[list[datetime]]:
    """The clock Herald checks tokens against; tests move ``now[0]``."""
    now = [datetime.now(UTC)]
    clock.set_clock(lambda: now[0])
    yield now
    clock.set_clock(None)


def test_a_genuine_id_token_verifies(idp, ctx):
    p = provider(idp)
    token, nonce = genuine(p, ctx)
    claims = p.verify_id_token(token, nonce)
    assert claims["sub"] == "dana" and claims["aud"] == "herald" and claims["iss"] == idp.issuer


def test_a_tampered_id_token_is_refused_as_bad_signature(idp, ctx):
    p = provider(idp)
    token, nonce = genuine(p, ctx)
    header, _, signature = token.split(".")
    claims = parts(token)[1]
    claims["email"] = "ceo@acme.test"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(SsoRefused) as refused:
        p.verify_id_token(f"{header}.{forged}.{signature}", nonce)
    assert refused.value.reason.startswith("bad signature")


def test_an_id_token_signed_by_another_key_under_the_realm_kid_is_refused_as_bad_signature(idp, ctx):
    p = provider(idp)
    token, nonce = genuine(p, ctx)
    header, claims = parts(token)
    attacker = JWK.generate(kty="RSA", size=2048)
    with pytest.raises(SsoRefused) as refused:
        p.verify_id_token(sign(claims, attacker, header), nonce)
    assert refused.value.reason.startswith("bad signature")


def test_an_unknown_kid_refetches_the_realm_keys_once_then_is_refused(idp, ctx):
    p = provider(idp)
    token, nonce = genuine(p, ctx)
    header, claims = parts(token)
    attacker = JWK.generate(kty="RSA", size=2048, kid="attacker-key")
    before = idp.certs_fetched()
    with pytest.raises(SsoRefused) as refused:
        p.verify_id_token(sign(claims, attacker, {**header, "kid": "attacker-key"}), nonce)
    assert refused.value.reason.startswith("unknown signing key")
    assert idp.certs_fetched() == before + 1


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_unsigned_and_hmac_id_tokens_are_refused(idp, ctx, alg):
    p = provider(idp)
    token, nonce = genuine(p, ctx)
    header, claims = parts(token)
    if alg == "none":
        encode = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
        forged = f"{encode({'alg': 'none', 'kid': header['kid']})}.{encode(claims)}."
    else:  # signed with a shared secret, as with a client secret that leaked
        secret = JWK(kty="oct", k=base64.urlsafe_b64encode(b"a-leaked-client-secret-of-32-byte").rstrip(b"=").decode())
        forged = sign(claims, secret, {"alg": "HS256", "kid": header["kid"]})
    with pytest.raises(SsoRefused) as refused:
        p.verify_id_token(forged, nonce)
    assert refused.value.reason.startswith(("bad signature", "malformed ID token"))


def test_an_id_token_issued_to_another_client_is_refused_as_wrong_audience(idp, ctx):
    other = provider(idp, client_id="other-app", client_secret="other-secret")
    token, nonce = genuine(other, ctx)
    assert other.verify_id_token(token, nonce)["aud"] == "other-app"
    with pytest.raises(SsoRefused) as refused:
        provider(idp).verify_id_token(token, nonce)
    assert refused.value.reason.startswith("wrong audience")


def test_an_id_token_of_another_realm_is_refused_as_wrong_issuer(idp, ctx):
    p = provider(idp)
    token, nonce = genuine(p, ctx)
    p.discovery()["issuer"] = f"{idp.server_url}realms/another"  # the tenant's realm, as Herald knows it
    with pytest.raises(SsoRefused) as refused:
        p.verify_id_token(token, nonce)
    assert refused.value.reason.startswith("wrong issuer")


def test_an_expired_id_token_is_refused_beyond_the_allowed_clock_skew(idp, ctx, frozen_clock):
    p = provider(idp, clock_skew_seconds=60)
    token, nonce = genuine(p, ctx)
    exp = datetime.fromtimestamp(parts(token)[1]["exp"], UTC)
    frozen_clock[0] = exp + timedelta(seconds=59)
    assert p.verify_id_token(token, nonce)["sub"] == "dana"  # within the skew
    frozen_clock[0] = exp + timedelta(seconds=61)
    with pytest.raises(SsoRefused) as refused:
        p.verify_id_token(token, nonce)
    assert refused.value.reason.startswith("expired")


def test_a_sign_in_completed_after_the_id_token_expired_is_refused(idp, ctx, frozen_clock):
    p = provider(idp, clock_skew_seconds=0)
    start = p.begin(ctx, None)
    params = Browser().sign_in(start.redirect_url)
    frozen_clock[0] = datetime.now(UTC) + timedelta(days=1)  # the provider issues tokens for one hour
    with pytest.raises(SsoRefused) as refused:
        p.complete(ctx, params, start.state)
    assert refused.value.reason.startswith("expired")


def test_an_id_token_issued_in_the_future_is_refused(idp, ctx, frozen_clock):
    p = provider(idp, clock_skew_seconds=30)
    token, nonce = genuine(p, ctx)
    frozen_clock[0] = datetime.fromtimestamp(parts(token)[1]["iat"], UTC) - timedelta(seconds=31)
    with pytest.raises(SsoRefused) as refused:
        p.verify_id_token(token, nonce)
    assert refused.value.reason.startswith("issued in the future")


def test_a_rotated_realm_key_is_picked_up_by_refetching_the_keys_once(rotating_idp, ctx):
    p = provider(rotating_idp)
    first, nonce = genuine(p, ctx)
    p.verify_id_token(first, nonce)
    genuine(p, ctx)
    assert rotating_idp.certs_fetched() == 1  # cached across sign-ins
    new_kid = rotating_idp.rotate_keys()
    rotated, nonce = genuine(p, ctx)
    assert parts(rotated)[0]["kid"] == new_kid != parts(first)[0]["kid"]
    assert p.verify_id_token(rotated, nonce)["sub"] == "dana"
    assert rotating_idp.certs_fetched() == 2
    assert p.verify_id_token(first, parts(first)[1]["nonce"])["sub"] == "dana"  # the old key is still published
    assert rotating_idp.certs_fetched() == 2


def test_the_realm_keys_are_cached_across_the_provider_instances_herald_makes_per_request(rotating_idp, ctx):
    settings = rotating_idp.settings()
    first, second = KeycloakProvider("tnt_acme", settings), KeycloakProvider("tnt_beta", settings)
    assert first.jwks is second.jwks  # the process-wide cache (public keys only)
    first.jwks.clear()  # a server of an earlier test may have had this port
    token, nonce = genuine(first, ctx)
    first.verify_id_token(token, nonce)
    second.verify_id_token(token, nonce)
    assert rotating_idp.certs_fetched() == 1
