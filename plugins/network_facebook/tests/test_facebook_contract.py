"""Herald's connector contract, run unchanged against the fake Graph API."""

from __future__ import annotations

import json

import pytest
from facebook_fake_graph import FakeGraph

from herald.plugins import AuthExpired, PermanentError, RateLimited, UncertainOutcome
from herald.testing.connector_contract import ConnectorContract, ErrorCase


class TestFacebookContract(ConnectorContract):
    @pytest.fixture
    def error_cases(self, graph: FakeGraph) -> list[ErrorCase]:
        buc = {"X-Business-Use-Case-Usage": json.dumps({"1": [{"type": "pages", "call_count": 100,
                                                               "estimated_time_to_regain_access": 7}]})}
        return [
            ("page throttled", lambda: graph.fail_next("POST", r"\d+/feed", 32, "Page request limit", headers=buc),
             RateLimited),
            ("app throttled", lambda: graph.fail_next("POST", r"\d+/feed", 4, "Application request limit"),
             RateLimited),
            ("expired token", lambda: graph.fail_next("POST", r"\d+/feed", 190, "Session has expired", subcode=463),
             AuthExpired),
            ("permission", lambda: graph.fail_next("POST", r"\d+/feed", 200, "Requires pages_manage_posts",
                                                   status=403), PermanentError),
            ("invalid parameter", lambda: graph.fail_next("POST", r"\d+/feed", 100, "Invalid parameter"),
             PermanentError),
            ("blocked", lambda: graph.fail_next("POST", r"\d+/feed", 368, "Temporarily blocked"), PermanentError),
            ("created then 500", lambda: setattr(graph, "create_mode", "500_after"), UncertainOutcome),
        ]
