"""The connector contract suite: what every network connector must do, run by each connector
against its own fake server.

Subclass :class:`ConnectorContract` in the plugin's tests and provide three fixtures::

    class TestMyNetworkContract(ConnectorContract):
        @pytest.fixture
        def connector(self, my_fake_server):      # a connector instance pointed at the fake
            return MyConnector("ten_test", {"api_base_url": my_fake_server.url, ...})

        @pytest.fixture
        def account(self):                        # a ConnectedAccount the fake accepts
            return ConnectedAccount("acct_1", "123", "brand", TokenSet("token", "refresh"))

        @pytest.fixture
        def error_cases(self, my_fake_server):    # optional: (name, arrange, expected error class)
            return [("rate limit", lambda: my_fake_server.fail_next(429), RateLimited), ...]

The suite checks the publish → find_published → delete round trip, that ``validate`` answers
with :class:`~herald.networks.connector.Problem` objects, that what the capabilities promise
is there (and what they do not promise raises ``NotSupported``), and that failures arrive as
the typed errors of :mod:`herald.networks.errors`, never as raw HTTP or socket exceptions;
an :class:`~herald.networks.errors.UncertainOutcome`'s ``hints`` must be JSON (Herald stores
them) and a result's ``pause_until`` an aware instant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from herald.clock import utcnow
from herald.ids import new_id
from herald.networks.connector import (
    ConnectedAccount,
    NetworkConnector,
    Problem,
    PublishRequest,
    PublishResult,
    VariantDraft,
)
from herald.networks.errors import NetworkError, NotSupported, UncertainOutcome

ErrorCase = tuple[str, Callable[[], None], type[NetworkError]]


class ConnectorContract:
    """Base class of a connector's contract tests (see the module docstring)."""

    #: text that the network accepts; override for networks with stricter rules
    sample_text = "Herald contract check"

    @pytest.fixture
    def error_cases(self) -> list[ErrorCase]:
        return []

    def request(self, text: str | None = None) -> PublishRequest:
        return PublishRequest(publication_id=new_id("pub"), text=text or f"{self.sample_text} {new_id('t')[-6:]}")

    # ------------------------------------------------------------------ composing
    def test_validate_returns_problem_objects_naming_a_field(self, connector: NetworkConnector) -> None:
        too_long = "x" * (connector.capabilities.max_text_length + 1)
        problems = connector.validate(VariantDraft(text=too_long))
        assert problems and all(isinstance(p, Problem) for p in problems)
        assert all(p.field and p.code and isinstance(p.message, str) and p.message for p in problems)
        assert any(p.field == "text" for p in problems)

    def test_validate_accepts_a_short_plain_post(self, connector: NetworkConnector) -> None:
        assert connector.validate(VariantDraft(text=self.sample_text)) == []

    # ------------------------------------------------------------------ publishing
    def test_publish_find_published_delete_round_trip(self, connector: NetworkConnector,
                                                      account: ConnectedAccount) -> None:
        started = utcnow() - timedelta(seconds=5)
        request = self.request()
        result = connector.publish(account, request)
        assert isinstance(result, PublishResult) and isinstance(result.remote_id, str) and result.remote_id
        assert_pause_is_an_instant(result)
        caps = connector.capabilities
        if caps.supports_lookup:
            found = connector.find_published(account, request, started)
            assert found is not None and found.remote_id == result.remote_id
            assert connector.find_published(account, self.request(), started) is None
        else:
            with pytest.raises(NotSupported):
                connector.find_published(account, request, started)
        if caps.supports_delete:
            connector.delete(account, result.remote_id)
            if caps.supports_lookup:
                assert connector.find_published(account, request, started) is None
        else:
            with pytest.raises(NotSupported):
                connector.delete(account, result.remote_id)

    def test_metrics_are_counts_per_remote_id_when_supported(self, connector: NetworkConnector,
                                                             account: ConnectedAccount) -> None:
        if not connector.capabilities.supports_metrics:
            with pytest.raises(NotSupported):
                connector.fetch_metrics(account, ["1"])
            return
        result = connector.publish(account, self.request())
        metrics = connector.fetch_metrics(account, [result.remote_id])
        assert set(metrics) <= {result.remote_id}
        assert all(isinstance(v, int) for counts in metrics.values() for v in counts.values())

    def test_failures_are_the_typed_errors(self, connector: NetworkConnector, account: ConnectedAccount,
                                           error_cases: list[ErrorCase]) -> None:
        if not error_cases:
            pytest.skip("this connector declares no error cases")
        for name, arrange, expected in error_cases:
            arrange()
            with pytest.raises(NetworkError) as caught:
                connector.publish(account, self.request())
            assert isinstance(caught.value, expected), f"{name}: got {type(caught.value).__name__}"
            assert caught.value.message, f"{name}: the error carries no message for people"
            if isinstance(caught.value, UncertainOutcome):
                assert_hints_are_json(caught.value, name)


def assert_hints_are_json(error: UncertainOutcome, name: str = "uncertain outcome") -> None:
    """Herald stores an uncertain outcome's hints on the publication: string keys, JSON values."""
    hints = getattr(error, "hints", None)
    assert isinstance(hints, dict), f"{name}: UncertainOutcome.hints must be a dict"
    assert all(isinstance(k, str) for k in hints), f"{name}: hint keys must be strings"
    try:
        json.dumps(hints, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{name}: UncertainOutcome.hints must be JSON: {exc}") from exc


def assert_pause_is_an_instant(result: PublishResult) -> None:
    pause = result.pause_until
    assert pause is None or (isinstance(pause, datetime) and pause.tzinfo is not None), \
        "PublishResult.pause_until must be None or a timezone-aware datetime"
