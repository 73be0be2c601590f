"""Publishing through media containers against the fake Graph API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from instagram_fake_graph import USER_ID

from herald.plugins import (
    AuthExpired,
    MediaFile,
    PermanentError,
    PublishRequest,
    RateLimited,
    TransientError,
    UncertainOutcome,
)
from herald_network_instagram.error_map import PermissionMissing


def image(url: str = "https://media.herald.test/a.jpg", alt: str | None = None) -> MediaFile:
    return MediaFile(kind="image", mime_type="image/jpeg", size=1000, url=url, read=lambda: b"", alt_text=alt)


def video(url: str = "https://media.herald.test/v.mp4") -> MediaFile:
    return MediaFile(kind="video", mime_type="video/mp4", size=5000, url=url, read=lambda: b"")


def req(*media: MediaFile, text: str = "Hello #launch", **options: object) -> PublishRequest:
    return PublishRequest(publication_id="pub_1", text=text, media=list(media), options=dict(options))


def test_a_single_image_is_published_after_its_container_finishes(graph, connector, account):
    result = connector.publish(account, req(image(alt="A red shoe")))
    created = graph.calls_to("POST", f"{USER_ID}/media")
    assert len(created) == 1
    assert created[0]["image_url"] == "https://media.herald.test/a.jpg"
    assert created[0]["caption"] == "Hello #launch"
    assert created[0]["alt_text"] == "A red shoe"
    container_id = next(iter(graph.containers))
    assert len(graph.calls_to("GET", container_id)) == 2  # IN_PROGRESS, then FINISHED
    assert connector.slept == [3.0]
    published = graph.calls_to("POST", f"{USER_ID}/media_publish")
    assert [p["creation_id"] for p in published] == [container_id]
    assert result.remote_id == graph.media[0]["id"]
    assert result.url == graph.media[0]["permalink"]


def test_every_graph_call_carries_the_account_token(graph, connector, account):
    connector.publish(account, req(image()))
    assert graph.calls and all(p.get("access_token") == "long-lived-1" for _, _, p in graph.calls)


def test_a_carousel_creates_children_as_carousel_items_then_the_parent(graph, connector, account):
    result = connector.publish(account, req(image("https://m.test/1.jpg"), video("https://m.test/2.mp4"),
                                            image("https://m.test/3.jpg"), text="Three things"))
    created = graph.calls_to("POST", f"{USER_ID}/media")
    children, parent = created[:3], created[3]
    assert all(c["is_carousel_item"] == "true" and "caption" not in c for c in children)
    assert children[1]["media_type"] == "VIDEO" and children[1]["video_url"] == "https://m.test/2.mp4"
    assert parent["media_type"] == "CAROUSEL" and parent["caption"] == "Three things"
    child_ids = list(graph.containers)[:3]
    assert parent["children"] == ",".join(child_ids)
    parent_id = list(graph.containers)[3]
    assert graph.calls_to("POST", f"{USER_ID}/media_publish")[0]["creation_id"] == parent_id
    assert result.remote_id == graph.media[0]["id"]
    assert graph.quota_usage == 1  # a carousel counts once


def test_a_carousel_of_eleven_items_is_refused_before_any_call(graph, connector, account):
    with pytest.raises(PermanentError, match="at most 10"):
        connector.publish(account, req(*[image()] * 11))
    assert graph.calls == []


def test_a_video_is_published_as_a_reel(graph, connector, account):
    connector.publish(account, req(video(), text="Watch", instagram={"share_to_feed": True}))
    created = graph.calls_to("POST", f"{USER_ID}/media")[0]
    assert created["media_type"] == "REELS"
    assert created["video_url"] == "https://media.herald.test/v.mp4"
    assert created["caption"] == "Watch"
    assert created["share_to_feed"] == "true"


def test_a_container_that_ends_in_error_fails_for_good_with_metas_words(graph, connector, account):
    graph.status_plan = [["IN_PROGRESS", "ERROR"]]
    with pytest.raises(PermanentError, match="could not be fetched from the URL"):
        connector.publish(account, req(image()))
    assert graph.calls_to("POST", f"{USER_ID}/media_publish") == []


def test_an_expired_container_is_recreated_once(graph, connector, account):
    graph.status_plan = [["EXPIRED"], ["FINISHED"]]
    result = connector.publish(account, req(image()))
    created = graph.calls_to("POST", f"{USER_ID}/media")
    assert len(created) == 2 and created[0] == created[1] | {"access_token": created[0]["access_token"]}
    second = list(graph.containers)[1]
    assert graph.calls_to("POST", f"{USER_ID}/media_publish")[0]["creation_id"] == second
    assert result.remote_id == graph.media[0]["id"]


def test_a_container_that_expires_twice_fails(graph, connector, account):
    graph.status_plan = [["EXPIRED"], ["IN_PROGRESS", "EXPIRED"]]
    with pytest.raises(PermanentError, match="expire"):
        connector.publish(account, req(image()))
    assert graph.media == []


def test_media_not_ready_answers_keep_polling_until_publishing_succeeds(graph, connector, account):
    graph.status_plan = [["FINISHED"]]
    graph.not_ready_publishes = 2
    result = connector.publish(account, req(image()))
    assert len(graph.calls_to("POST", f"{USER_ID}/media_publish")) == 3
    assert connector.slept == [3.0, 3.0]
    assert result.remote_id == graph.media[0]["id"]


def test_a_not_ready_answer_while_polling_the_status_keeps_polling(graph, connector, account):
    graph.status_plan = [["FINISHED"]]
    graph.fail_next("GET", r"\d+", 9007, "The media is not ready for publishing, please wait for a moment",
                    subcode=2207027)
    result = connector.publish(account, req(image()))
    assert result.remote_id == graph.media[0]["id"]


def test_a_container_still_processing_at_the_poll_limit_is_transient(graph, make_connector, account):
    graph.status_plan = [["IN_PROGRESS"]]
    conn = make_connector(container_poll_limit=3)
    with pytest.raises(TransientError, match="still processing"):
        conn.publish(account, req(video()))
    assert conn.slept == [3.0, 3.0]
    assert graph.media == []


def test_a_used_up_quota_is_rate_limited_before_any_container_is_made(graph, connector, account):
    now = datetime.now(UTC)
    graph.quota_usage = 50
    oldest = now - timedelta(hours=20)
    recent = (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    graph.media = [{"id": "m2", "caption": "b", "timestamp": recent, "permalink": "p2"},
                   {"id": "m1", "caption": "a", "timestamp": oldest.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "permalink": "p1"}]
    with pytest.raises(RateLimited) as caught:
        connector.publish(account, req(image()))
    assert graph.calls_to("POST", f"{USER_ID}/media") == []
    # the slot frees when the oldest post of the window is 24 h old
    expected = oldest.replace(microsecond=0) + timedelta(hours=24)
    assert abs((caught.value.reset_at - expected).total_seconds()) < 2


def test_the_tenants_lower_quota_setting_is_respected(graph, make_connector, account):
    graph.quota_usage = 10
    with pytest.raises(RateLimited) as caught:
        make_connector(publishing_quota_per_day=10, quota_fallback_wait_s=900).publish(account, req(image()))
    # no recent media to date the window: the fallback applies
    assert timedelta(seconds=890) < caught.value.reset_at - datetime.now(UTC) <= timedelta(seconds=900)


def test_a_publishing_limit_error_on_media_publish_is_rate_limited(graph, connector, account):
    graph.fail_next("POST", rf"{USER_ID}/media_publish", 9, "Application request limit reached", subcode=2207042)
    with pytest.raises(RateLimited) as caught:
        connector.publish(account, req(image()))
    assert caught.value.reset_at is not None and caught.value.reset_at > datetime.now(UTC)


@pytest.mark.parametrize(("code", "scope"), [(4, "app"), (17, "account"), (32, "account"), (613, "account")])
def test_throttling_codes_wait_as_long_as_the_usage_header_says(graph, connector, account, code, scope):
    header = json.dumps({USER_ID: [{"type": "instagram", "call_count": 100, "total_cputime": 20, "total_time": 30,
                                    "estimated_time_to_regain_access": 7}]})
    graph.fail_next("POST", rf"{USER_ID}/media", code, "Calls to this api have exceeded the rate limit.",
                    headers={"X-Business-Use-Case-Usage": header})
    with pytest.raises(RateLimited) as caught:
        connector.publish(account, req(image()))
    wait = caught.value.reset_at - datetime.now(UTC)
    assert timedelta(minutes=6, seconds=55) < wait <= timedelta(minutes=7)
    assert caught.value.scope == scope
    assert caught.value.usage.regain_minutes == 7
    assert connector.last_usage.business["call_count"] == 100
    assert connector.last_usage.near_limit()


def test_throttling_without_a_regain_time_uses_the_fallback(graph, make_connector, account):
    graph.fail_next("POST", rf"{USER_ID}/media", 4, "Application request limit reached",
                    headers={"X-App-Usage": '{"call_count":100,"total_cputime":40,"total_time":50}'})
    conn = make_connector(throttle_fallback_wait_s=120)
    with pytest.raises(RateLimited) as caught:
        conn.publish(account, req(image()))
    assert timedelta(seconds=115) < caught.value.reset_at - datetime.now(UTC) <= timedelta(seconds=120)
    assert conn.last_usage.app == {"call_count": 100.0, "total_cputime": 40.0, "total_time": 50.0}


def test_usage_headers_are_exposed_for_pacing(graph, connector, account):
    graph.app_usage = {"call_count": 93, "total_cputime": 10, "total_time": 12}
    connector.publish(account, req(image()))
    assert connector.last_usage.highest_percent == 93
    assert connector.last_usage.near_limit(90) and not connector.last_usage.near_limit(95)


@pytest.mark.parametrize(("code", "subcode", "error"), [
    (190, 463, AuthExpired),
    (10, None, PermissionMissing),
    (200, None, PermissionMissing),
    (299, None, PermissionMissing),
    (100, None, PermanentError),
    (36000, 2207004, PermanentError),
    (368, None, PermanentError),
    (-2, 2207003, TransientError),
])
def test_container_errors_map_to_the_contracts_reactions(graph, connector, account, code, subcode, error):
    graph.fail_next("POST", rf"{USER_ID}/media", code, "Meta says no", subcode=subcode)
    with pytest.raises(error, match="Meta says no") as caught:
        connector.publish(account, req(image()))
    assert type(caught.value) is error
    assert graph.media == []


def test_a_missing_permission_is_flagged_for_attention(graph, connector, account):
    graph.fail_next("POST", rf"{USER_ID}/media", 10, "Application does not have permission for this action")
    with pytest.raises(PermanentError) as caught:
        connector.publish(account, req(image()))
    assert getattr(caught.value, "needs_attention", False) is True
    assert "permission" in caught.value.message


def test_a_5xx_on_media_publish_is_an_uncertain_outcome_carrying_the_container(graph, connector, account):
    graph.status_plan = [["FINISHED"]]
    graph.publish_mode = "500_after"
    with pytest.raises(UncertainOutcome) as caught:
        connector.publish(account, req(image()))
    assert caught.value.hints["instagram_container_id"] == next(iter(graph.containers))


def test_a_timeout_on_media_publish_is_an_uncertain_outcome(graph, connector, account):
    graph.status_plan = [["FINISHED"]]
    graph.publish_mode = "slow_before"
    with pytest.raises(UncertainOutcome) as caught:
        connector.publish(account, req(image()))
    assert caught.value.hints["instagram_container_id"] == next(iter(graph.containers))


def test_a_5xx_on_a_container_request_is_transient_not_uncertain(graph, connector, account):
    graph.fail_next("POST", rf"{USER_ID}/media", 1, "An unknown error occurred", status=500, is_transient=True)
    with pytest.raises(TransientError) as caught:
        connector.publish(account, req(image()))
    assert not isinstance(caught.value, UncertainOutcome)


def test_an_unreachable_graph_api_is_transient(make_connector, account):
    conn = make_connector(api_base_url="http://127.0.0.1:9/v25.0")
    with pytest.raises(TransientError):
        conn.publish(account, req(image()))


def test_media_without_a_public_url_is_refused(graph, connector, account):
    item = MediaFile(kind="image", mime_type="image/jpeg", size=1, url=None, read=lambda: b"")
    with pytest.raises(PermanentError, match="URL"):
        connector.publish(account, req(item))
    assert graph.calls == []


def test_an_unreadable_success_answer_on_media_publish_is_uncertain(graph, connector, account, monkeypatch):
    import instagram_fake_graph as fake

    original = fake._publish

    def garbled(state, p):
        original(state, p)
        return 200, {"error": "not an envelope"}

    monkeypatch.setattr(fake, "_publish", garbled)
    graph.status_plan = [["FINISHED"]]
    with pytest.raises(UncertainOutcome):
        connector.publish(account, req(image()))


def test_an_absurd_regain_time_is_capped_at_a_day(graph, connector, account):
    header = json.dumps({USER_ID: [{"type": "instagram", "call_count": 100, "estimated_time_to_regain_access": 1e12}]})
    graph.fail_next("POST", rf"{USER_ID}/media", 4, "Application request limit reached",
                    headers={"X-Business-Use-Case-Usage": header})
    with pytest.raises(RateLimited) as caught:
        connector.publish(account, req(image()))
    assert caught.value.reset_at - datetime.now(UTC) <= timedelta(days=1)


def test_malformed_usage_headers_are_ignored(graph, connector, account):
    graph.fail_next("POST", rf"{USER_ID}/media", 4, "Application request limit reached",
                    headers={"X-Business-Use-Case-Usage": "{not json", "X-App-Usage": "[" * 5000})
    with pytest.raises(RateLimited):
        connector.publish(account, req(image()))


def test_a_story_is_published_without_a_caption(graph, connector, account):
    connector.publish(account, req(image(), instagram={"media_type": "STORIES"}))
    created = graph.calls_to("POST", f"{USER_ID}/media")[0]
    assert created["media_type"] == "STORIES" and created["image_url"] == "https://media.herald.test/a.jpg"
    assert "caption" not in created
    assert len(graph.media) == 1


def test_an_unversioned_instagram_host_works_too(graph, make_connector, account):
    conn = make_connector(login="instagram", api_base_url=graph.base_url)
    result = conn.publish(account, req(image()))
    assert result.remote_id == graph.media[0]["id"]
    assert conn.refresh(account.tokens).access_token in graph.tokens
