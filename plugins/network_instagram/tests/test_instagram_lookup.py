"""After an uncertain media_publish: did the post go out?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.plugins import MediaFile, NotSupported, PublishRequest, UncertainOutcome

IMAGE = MediaFile(kind="image", mime_type="image/jpeg", size=10, url="https://media.herald.test/a.jpg",
                  read=lambda: b"")


def req(text: str = "Spring sale starts now", **options: object) -> PublishRequest:
    return PublishRequest(publication_id="pub_1", text=text, media=[IMAGE], options=dict(options))


def _uncertain(connector, account, request) -> UncertainOutcome:
    with pytest.raises(UncertainOutcome) as caught:
        connector.publish(account, request)
    return caught.value


@pytest.mark.parametrize("mode", ["500_after", "slow_after"])
def test_a_post_that_went_out_despite_the_failure_is_found_by_its_container(graph, connector, account, mode):
    graph.publish_mode = mode
    started = datetime.now(UTC)
    exc = _uncertain(connector, account, req())
    graph.publish_mode = "ok"
    found = connector.find_published(account, req(instagram_container_id=exc.hints["instagram_container_id"]), started)
    assert found is not None
    assert found.remote_id == graph.media[0]["id"]
    assert graph.calls_to("GET", exc.hints["instagram_container_id"])[-1]["fields"] == "status_code,status"


@pytest.mark.parametrize("mode", ["500_before", "slow_before"])
def test_a_post_that_did_not_go_out_is_reported_absent(graph, connector, account, mode):
    graph.publish_mode = mode
    started = datetime.now(UTC)
    exc = _uncertain(connector, account, req())
    assert graph.media == []
    container_id = exc.hints["instagram_container_id"]
    assert connector.find_published(account, req(instagram_container_id=container_id), started) is None


def test_without_the_container_id_the_exact_caption_among_recent_media_decides(graph, connector, account):
    graph.publish_mode = "500_after"
    started = datetime.now(UTC)
    _uncertain(connector, account, req())
    found = connector.find_published(account, req(), started)
    assert found is not None and found.remote_id == graph.media[0]["id"]
    assert connector.find_published(account, req(text="Spring sale starts now!"), started) is None


def test_a_matching_caption_older_than_the_attempt_is_not_taken(graph, connector, account):
    old = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    graph.media = [{"id": "old-1", "caption": "Spring sale starts now", "timestamp": old, "permalink": "p"}]
    assert connector.find_published(account, req(), datetime.now(UTC) - timedelta(minutes=10)) is None


def test_a_published_container_whose_media_is_not_listed_yet_stays_uncertain(graph, connector, account):
    graph.publish_mode = "500_after"
    started = datetime.now(UTC)
    exc = _uncertain(connector, account, req())
    graph.media.clear()
    with pytest.raises(UncertainOutcome):
        connector.find_published(account, req(instagram_container_id=exc.hints["instagram_container_id"]), started)


def test_deleting_a_post_is_not_supported(connector, account):
    with pytest.raises(NotSupported):
        connector.delete(account, "17900000000000001")


def test_a_post_without_caption_or_container_cannot_be_told_apart(graph, connector, account):
    graph.media = [{"id": "x", "caption": "", "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "permalink": "p"}]
    with pytest.raises(UncertainOutcome):
        connector.find_published(account, req(text=""), datetime.now(UTC) - timedelta(minutes=1))


def test_a_container_id_that_is_not_numeric_is_refused_before_calling(graph, connector, account):
    from herald.plugins import PermanentError

    with pytest.raises(PermanentError):
        connector.find_published(account, req(instagram_container_id="../me/accounts"), datetime.now(UTC))
    assert graph.calls == []


def test_a_story_without_its_container_id_stays_uncertain(graph, connector, account):
    with pytest.raises(UncertainOutcome):
        connector.find_published(account, req(instagram={"media_type": "STORIES"}), datetime.now(UTC))
