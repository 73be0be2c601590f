"""Publishing to a Page: which Graph calls each kind of post makes, with which token, and how
failures and usage signals reach Herald."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from facebook_fake_graph import PAGE_ID, PAGE_TOKEN

from herald.plugins import (
    MediaFile,
    PermanentError,
    PublishRequest,
    RateLimited,
    TransientError,
    UncertainOutcome,
    VariantDraft,
    utcnow,
)
from herald_network_facebook import FacebookConnector
from herald_network_facebook.error_map import PermissionMissing


def photo(n: int) -> MediaFile:
    return MediaFile(kind="image", mime_type="image/jpeg", size=10, url=f"https://media.example/p{n}.jpg",
                     read=lambda: b"")


def test_a_text_post_goes_to_the_page_feed_with_the_page_token_derived_from_the_user_token(connector, account, graph):
    result = connector.publish(account, PublishRequest("pub_1", "Hello fans"))
    assert result.remote_id == graph.posts[0]["id"] and graph.posts[0]["message"] == "Hello fans"
    assert graph.calls_to("GET", "me/accounts")[0]["access_token"] == account.tokens.access_token
    feed = graph.calls_to("POST", f"{PAGE_ID}/feed")[0]
    assert feed["access_token"] == PAGE_TOKEN
    assert "published" not in feed and "scheduled_publish_time" not in feed  # Herald schedules; Facebook publishes now
    assert result.url == f"https://www.facebook.com/{result.remote_id}"


def test_the_page_token_is_read_once_per_connector(connector, account, graph):
    connector.publish(account, PublishRequest("pub_1", "one"))
    connector.publish(account, PublishRequest("pub_2", "two"))
    assert len(graph.calls_to("GET", "me/accounts")) == 1


def test_a_link_post_sends_the_link(connector, account, graph):
    connector.publish(account, PublishRequest("pub_1", "Read this", link="https://acme.example/a"))
    assert graph.posts[0]["link"] == "https://acme.example/a"


def test_one_photo_is_published_through_the_photos_edge_with_its_caption(connector, account, graph):
    result = connector.publish(account, PublishRequest("pub_1", "Our shop", media=[photo(1)]))
    call = graph.calls_to("POST", f"{PAGE_ID}/photos")[0]
    assert call["url"] == "https://media.example/p1.jpg" and call["caption"] == "Our shop"
    assert call["published"] == "true"
    assert result.remote_id == graph.posts[0]["id"] and graph.posts[0]["message"] == "Our shop"


def test_several_photos_are_uploaded_unpublished_then_attached_to_one_feed_post(connector, account, graph):
    result = connector.publish(account, PublishRequest("pub_1", "Gallery", media=[photo(1), photo(2), photo(3)]))
    uploads = graph.calls_to("POST", f"{PAGE_ID}/photos")
    assert [u["published"] for u in uploads] == ["false"] * 3
    assert len(graph.posts) == 1 and graph.posts[0]["id"] == result.remote_id
    assert graph.posts[0]["photos"] == list(graph.photos)  # every uploaded photo, in order


def test_a_photo_without_a_public_url_is_refused_before_anything_is_sent(connector, account, graph):
    local = MediaFile(kind="image", mime_type="image/jpeg", size=10, url=None, read=lambda: b"x")
    with pytest.raises(PermanentError, match="public URL"):
        connector.publish(account, PublishRequest("pub_1", "x", media=[local]))
    assert graph.posts == [] and graph.photos == {}


def test_the_api_version_is_a_setting(make_connector, account, graph):
    make_connector(api_version="v24.0").publish(account, PublishRequest("pub_1", "versioned"))
    assert {version for _, version, _, _ in graph.calls} == {"v24.0"}


def test_a_page_the_person_no_longer_manages_needs_attention(connector, account, graph):
    graph.pages = {}
    with pytest.raises(PermissionMissing) as caught:
        connector.publish(account, PublishRequest("pub_1", "x"))
    assert caught.value.needs_attention and graph.posts == []


def test_a_rate_limited_post_waits_for_the_regain_time_of_the_usage_header(connector, account, graph):
    buc = {"X-Business-Use-Case-Usage": json.dumps({PAGE_ID: [{"type": "pages", "call_count": 100,
                                                               "estimated_time_to_regain_access": 19}]})}
    graph.fail_next("POST", rf"{PAGE_ID}/feed", 32, "(#32) Page request limit reached", headers=buc)
    before = utcnow()
    with pytest.raises(RateLimited) as caught:
        connector.publish(account, PublishRequest("pub_1", "x"))
    assert timedelta(minutes=18) < caught.value.reset_at - before < timedelta(minutes=20)


def test_a_throttle_without_a_regain_time_waits_the_fallback(make_connector, account, graph):
    graph.fail_next("POST", rf"{PAGE_ID}/feed", 613, "Calls to this api have exceeded the rate limit.")
    before = utcnow()
    with pytest.raises(RateLimited) as caught:
        make_connector(throttle_fallback_wait_s=120).publish(account, PublishRequest("pub_1", "x"))
    assert timedelta(seconds=110) < caught.value.reset_at - before < timedelta(seconds=130)


def test_a_post_that_uses_up_the_allowance_pauses_the_account(connector, account, graph):
    graph.page_usage = {"call_count": 100, "total_cputime": 10, "total_time": 10}
    assert connector.publish(account, PublishRequest("pub_1", "x")).pause_until is not None
    graph.page_usage = {"call_count": 40, "total_cputime": 10, "total_time": 10}
    assert connector.publish(account, PublishRequest("pub_2", "y")).pause_until is None


def test_a_timed_out_create_is_uncertain_and_the_lookup_finds_the_post(make_connector, account, graph):
    graph.create_mode, graph.slow_s = "slow_after", 1.5
    started = utcnow() - timedelta(seconds=1)
    request = PublishRequest("pub_1", "Maybe out")
    with pytest.raises(UncertainOutcome):
        make_connector(request_timeout_s=1.0).publish(account, request)
    time.sleep(0.6)  # the fake finishes its slow answer
    found = make_connector().find_published(account, request, started)
    assert found is not None and found.remote_id == graph.posts[0]["id"]


def test_the_lookup_ignores_the_same_text_posted_before_the_attempt(connector, account, graph):
    graph.add_post("Same words", at=time.time() - 3600)
    assert connector.find_published(account, PublishRequest("pub_1", "Same words"), utcnow()) is None


def test_a_failed_photo_upload_is_certain_and_makes_no_post(connector, account, graph):
    graph.fail_next("POST", rf"{PAGE_ID}/photos", 2, "Service temporarily unavailable", status=503)
    with pytest.raises(Exception) as caught:
        connector.publish(account, PublishRequest("pub_1", "g", media=[photo(1), photo(2)]))
    assert not isinstance(caught.value, UncertainOutcome) and graph.posts == []


def test_deleting_a_post_removes_it_and_a_bad_id_is_refused_unsent(connector, account, graph):
    post_id = connector.publish(account, PublishRequest("pub_1", "bye")).remote_id
    connector.delete(account, post_id)
    assert graph.posts == []
    with pytest.raises(PermanentError):
        connector.delete(account, "../me")
    assert graph.calls_to("DELETE", r".*") == [{"access_token": PAGE_TOKEN}]


def test_link_and_photos_together_are_a_problem():
    problems = FacebookConnector("t", {"app_id": "a", "app_secret": "s"}).validate(
        VariantDraft(text="x", link="https://a.example", media=[{"kind": "image"}]))
    assert [p.code for p in problems] == ["link_and_media"]


def test_insights_are_counts_per_post_and_reaction_kinds_are_flattened(make_connector, account, graph):
    post_id = graph.add_post("measured")
    graph.insights[post_id] = {"post_impressions": 120, "post_reactions_by_type_total": {"like": 3, "love": 1}}
    metrics = make_connector(insight_metrics="post_impressions,post_reactions_by_type_total").fetch_metrics(
        account, [post_id, f"{PAGE_ID}_404"])
    assert metrics == {post_id: {"post_impressions": 120, "post_reactions_by_type_total.like": 3,
                                 "post_reactions_by_type_total.love": 1}}


def test_an_api_url_the_outbound_policy_refuses_is_a_permanent_error_and_nothing_is_sent(make_connector, account):
    with pytest.raises(PermanentError) as caught:
        make_connector(api_base_url="http://169.254.169.254").publish(account, PublishRequest("pub_1", "x"))
    assert caught.value.code == "outbound_refused"


def test_a_network_that_cannot_be_reached_is_transient_not_a_socket_error(make_connector, account):
    with pytest.raises(TransientError):
        make_connector(api_base_url="http://127.0.0.1:9").publish(account, PublishRequest("pub_1", "x"))
