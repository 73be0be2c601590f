"""An uncertain media_publish hints its container, and the lookup reads that container's status
from the hints; a success that leaves the account at Meta's limit (usage headers at 100 %, or
the rolling publishing quota used up) asks Herald to pause the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from instagram_fake_graph import USER_ID

from herald.plugins import MediaFile, PublishRequest, UncertainOutcome

IMAGE = MediaFile(kind="image", mime_type="image/jpeg", size=10, url="https://media.herald.test/a.jpg",
                  read=lambda: b"")


def req(text: str = "Summer sale starts now", hints: dict | None = None, **options: object) -> PublishRequest:
    return PublishRequest(publication_id="pub_1", text=text, media=[IMAGE], options=dict(options),
                          lookup_hints=MappingProxyType(dict(hints or {})))


def _uncertain(connector, account) -> UncertainOutcome:  # type: ignore[no-untyped-def]
    with pytest.raises(UncertainOutcome) as caught:
        connector.publish(account, req())
    return caught.value


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_a_5xx_on_media_publish_is_looked_up_by_its_hinted_container_and_found_once(graph, connector, account):
    graph.publish_mode = "500_after"
    started = datetime.now(UTC)
    exc = _uncertain(connector, account)
    (container_id,) = graph.containers
    assert exc.hints == {"instagram_container_id": container_id}
    graph.publish_mode = "ok"
    posts_before = len(graph.calls_to("POST", r".*"))
    found = connector.find_published(account, req(hints=exc.hints), started)
    assert found is not None and found.remote_id == graph.media[0]["id"]
    assert graph.calls_to("GET", container_id)[-1]["fields"] == "status_code,status"
    assert len(graph.calls_to("POST", r".*")) == posts_before  # a lookup creates nothing
    assert len(graph.calls_to("POST", f"{USER_ID}/media_publish")) == 1 and len(graph.media) == 1


def test_a_hinted_container_that_was_never_published_rules_the_post_out(graph, connector, account):
    graph.publish_mode = "500_before"
    started = datetime.now(UTC)
    exc = _uncertain(connector, account)
    assert connector.find_published(account, req(hints=exc.hints), started) is None


def test_the_hint_is_preferred_to_a_container_id_in_the_options(graph, connector, account):
    graph.publish_mode = "500_after"
    started = datetime.now(UTC)
    exc = _uncertain(connector, account)
    stale = "17999999999999999"
    found = connector.find_published(account, req(hints=exc.hints, instagram_container_id=stale), started)
    assert found is not None and graph.calls_to("GET", stale) == []


def test_a_hinted_container_id_that_is_not_numeric_is_refused_before_calling(graph, connector, account):
    from herald.plugins import PermanentError

    with pytest.raises(PermanentError):
        connector.find_published(account, req(hints={"instagram_container_id": "me/accounts"}), datetime.now(UTC))
    assert graph.calls == []


def test_a_business_usage_header_at_its_limit_pauses_the_account_for_the_regain_time(graph, connector, account):
    graph.buc_usage = {"call_count": 100, "total_cputime": 12, "total_time": 20, "estimated_time_to_regain_access": 12}
    result = connector.publish(account, req())
    assert result.remote_id == graph.media[0]["id"]
    wait = result.pause_until - datetime.now(UTC)
    assert timedelta(minutes=11, seconds=55) < wait <= timedelta(minutes=12)


def test_an_app_usage_header_at_its_limit_without_a_regain_time_pauses_for_the_fallback(graph, make_connector,
                                                                                      account):
    graph.app_usage = {"call_count": 100, "total_cputime": 30, "total_time": 40}
    result = make_connector(throttle_fallback_wait_s=300).publish(account, req())
    wait = result.pause_until - datetime.now(UTC)
    assert timedelta(seconds=295) < wait <= timedelta(seconds=300)


def test_usage_below_the_limit_does_not_pause(graph, connector, account):
    graph.app_usage = {"call_count": 99, "total_cputime": 30, "total_time": 40}
    assert connector.publish(account, req()).pause_until is None


def test_the_post_that_uses_up_the_daily_quota_pauses_until_the_oldest_ages_out(graph, connector, account):
    now = datetime.now(UTC)
    oldest = now - timedelta(hours=20)
    graph.media = [{"id": "17800000000000002", "caption": "b", "timestamp": _ts(now - timedelta(hours=2)),
                    "permalink": "p2"},
                   {"id": "17800000000000001", "caption": "a", "timestamp": _ts(oldest), "permalink": "p1"}]
    graph.quota_total, graph.quota_usage = 3, 2
    result = connector.publish(account, req())
    assert graph.quota_usage == 3
    assert abs(result.pause_until - (oldest + timedelta(hours=24))) < timedelta(seconds=1)


def test_a_quota_with_room_left_does_not_pause(graph, connector, account):
    graph.quota_total, graph.quota_usage = 3, 1
    assert connector.publish(account, req()).pause_until is None
