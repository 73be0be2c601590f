"""The connector contract kit, unchanged, against the fake LinkedIn."""

from __future__ import annotations

import pytest

from herald.plugins import AuthExpired, DuplicateContent, RateLimited, UncertainOutcome
from herald.testing.connector_contract import ConnectorContract


class TestLinkedInContract(ConnectorContract):
    @pytest.fixture
    def connector(self, li):
        return li

    @pytest.fixture
    def error_cases(self, fake_li, make_connector):
        queue = fake_li.fake.post_failures.append
        return [
            ("throttled", lambda: queue("429"), RateLimited),
            ("daily limit", lambda: queue("429_day"), RateLimited),
            ("expired token", lambda: queue("401"), AuthExpired),
            ("duplicate", lambda: queue("422_duplicate"), DuplicateContent),
            ("server error after creating", lambda: queue("500_created"), UncertainOutcome),
            ("created without an id", lambda: queue("no_id"), UncertainOutcome),
        ]
