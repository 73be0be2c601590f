"""Fixtures for the Salesforce sink's tests: a fake Salesforce on loopback, a connected app's
key pair, and sinks pointed at the fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from salesforce_fake_server import CONSUMER_KEY, USERNAME, FakeSalesforce, FakeSalesforceServer

from herald_crm_salesforce import SalesforceSettings, SalesforceSink


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def private_key_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    return rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode()


@pytest.fixture
def salesforce(rsa_key: rsa.RSAPrivateKey) -> Iterator[FakeSalesforceServer]:
    fake = FakeSalesforce(public_key=rsa_key.public_key())
    server = FakeSalesforceServer(fake).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sf_settings(salesforce: FakeSalesforceServer, private_key_pem: str) -> Callable[..., dict[str, Any]]:
    """The tenant settings (as Herald loads them) of a JWT bearer connection to the fake; an
    override of None leaves that setting out."""

    def make(**overrides: Any) -> dict[str, Any]:
        raw = {"login_url": salesforce.url, "client_id": CONSUMER_KEY, "username": USERNAME,
               "private_key_pem": private_key_pem, "timeout_seconds": 5, **overrides}
        return SalesforceSettings().load({k: v for k, v in raw.items() if v is not None})

    return make


@pytest.fixture
def make_sink(sf_settings: Callable[..., dict[str, Any]]) -> Callable[..., SalesforceSink]:
    return lambda **overrides: SalesforceSink("acme", sf_settings(**overrides))
