"""The connector contract suite, unchanged, against the fake instance."""

from __future__ import annotations

import pytest
from mastodon_fake_server import FakeMastodonServer

from herald.plugins import AuthExpired, AuthRevoked, PermanentError, RateLimited, UncertainOutcome
from herald.testing.connector_contract import ConnectorContract
from herald_network_mastodon import MastodonConnector


class TestMastodonContract(ConnectorContract):
    @pytest.fixture
    def connector(self, mastodon: MastodonConnector) -> MastodonConnector:
        return mastodon

    @pytest.fixture
    def error_cases(self, fake_mastodon: FakeMastodonServer):
        fake = fake_mastodon.fake
        return [
            ("rate limited", lambda: fake.fail_next("/api/v1/statuses", 429, "Too many requests"), RateLimited),
            ("invalid token", lambda: fake.fail_next("/api/v1/statuses", 401, "The access token is invalid"),
             AuthExpired),
            ("revoked token", lambda: fake.fail_next("/api/v1/statuses", 401, "The access token was revoked"),
             AuthRevoked),
            ("forbidden", lambda: fake.fail_next("/api/v1/statuses", 403, "This action is not allowed"),
             PermanentError),
            ("validation", lambda: fake.fail_next("/api/v1/statuses", 422, "Validation failed: Text can't be blank"),
             PermanentError),
            ("server error on create", lambda: fake.fail_next("/api/v1/statuses", 500, "Internal error"),
             UncertainOutcome),
            ("answer lost after create", lambda: fake.break_answer_next("/api/v1/statuses"), UncertainOutcome),
        ]
