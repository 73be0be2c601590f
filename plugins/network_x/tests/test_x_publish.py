"""Publishing on X: text, threads, replies, quotes, media, and how X's refusals are reported."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from x_fake_server import USER_ID

from herald.plugins import (
    AuthExpired,
    DuplicateContent,
    MediaFile,
    PermanentError,
    PublishRequest,
    RateLimited,
    TransientError,
    UncertainOutcome,
)


def _media(kind: str, mime: str, data: bytes) -> MediaFile:
    return MediaFile(kind=kind, mime_type=mime, size=len(data), url=None, read=lambda: data)


def test_a_text_post_is_created_once_and_linked(x, account, fake_x):
    result = x.publish(account, PublishRequest("pub_1", "Hello from Herald & friends"))
    post = fake_x.fake.posts[result.remote_id]
    assert (post["text"], post["author_id"]) == ("Hello from Herald & friends", USER_ID)
    assert result.url == f"https://x.test/heraldhq/status/{result.remote_id}"
    assert result.extra_ids == []
    assert len([r for r in fake_x.fake.requests if r["path"] == "/2/tweets"]) == 1


def test_a_thread_chains_each_part_as_a_reply_to_the_previous_and_reports_every_id(x, account, fake_x):
    result = x.publish(account, PublishRequest("pub_1", "1/3 a story", thread=["2/3 goes on", "3/3 ends"]))
    ids = [result.remote_id, *result.extra_ids]
    posts = fake_x.fake.posts
    assert [posts[i]["text"] for i in ids] == ["1/3 a story", "2/3 goes on", "3/3 ends"]
    assert posts[ids[0]]["referenced_tweets"] == []
    assert posts[ids[1]]["referenced_tweets"] == [{"type": "replied_to", "id": ids[0]}]
    assert posts[ids[2]]["referenced_tweets"] == [{"type": "replied_to", "id": ids[1]}]


def test_a_first_comment_is_a_reply_after_the_thread(x, account, fake_x):
    result = x.publish(account, PublishRequest("pub_1", "Launch day", first_comment="Details: see below"))
    comment = fake_x.fake.posts[result.extra_ids[0]]
    assert comment["text"] == "Details: see below"
    assert comment["referenced_tweets"] == [{"type": "replied_to", "id": result.remote_id}]


def test_a_reply_and_a_quote_point_at_their_targets(x, account, fake_x):
    target = fake_x.fake.add_post("42", "someone else's post")
    reply = x.publish(account, PublishRequest("pub_1", "Thanks!", reply_to=target))
    quote = x.publish(account, PublishRequest("pub_2", "Worth reading", quote_of=target))
    assert fake_x.fake.posts[reply.remote_id]["referenced_tweets"] == [{"type": "replied_to", "id": target}]
    assert fake_x.fake.posts[quote.remote_id]["referenced_tweets"] == [{"type": "quoted", "id": target}]


@pytest.mark.parametrize("style", ["v1.1", "v2", "v2_routes"])
def test_an_image_is_uploaded_in_chunks_that_x_reassembles(make_connector, account, fake_x, style):
    x = make_connector(media_upload_style=style, media_chunk_bytes=1024)
    image = os.urandom(2500)
    result = x.publish(account, PublishRequest("pub_1", "A picture", media=[_media("image", "image/png", image)]))
    (media_id,) = fake_x.fake.posts[result.remote_id]["media_ids"]
    upload = fake_x.fake.uploads[media_id]
    assert upload.data == image and len(upload.chunks) == 3
    assert (upload.category, upload.media_type) == ("tweet_image", "image/png")
    assert x.slept == []


def test_chunks_never_exceed_five_megabytes(x, account, fake_x):
    image = os.urandom(5 * 1024 * 1024 + 10)
    result = x.publish(account, PublishRequest("pub_1", "Big", media=[_media("image", "image/jpeg", image)]))
    upload = fake_x.fake.uploads[fake_x.fake.posts[result.remote_id]["media_ids"][0]]
    assert [len(c) for _, c in sorted(upload.chunks.items())] == [5 * 1024 * 1024, 10]


@pytest.mark.parametrize("style", ["v1.1", "v2", "v2_routes"])
def test_a_video_is_posted_once_x_has_processed_it_waiting_as_x_asks(make_connector, account, fake_x, style):
    x = make_connector(media_upload_style=style)
    video = os.urandom(3000)
    result = x.publish(account, PublishRequest("pub_1", "Watch", media=[_media("video", "video/mp4", video)]))
    upload = fake_x.fake.uploads[fake_x.fake.posts[result.remote_id]["media_ids"][0]]
    assert upload.category == "tweet_video" and upload.data == video
    assert x.slept == [5.0, 5.0]  # pending, then in_progress, then succeeded


def test_a_video_x_cannot_process_fails_with_x_message_and_nothing_is_posted(x, account, fake_x):
    fake_x.fake.video_states = ["pending", "failed"]
    with pytest.raises(PermanentError, match="Unsupported video format") as caught:
        x.publish(account, PublishRequest("pub_1", "Watch", media=[_media("video", "video/mp4", b"x" * 100)]))
    assert caught.value.code == "InvalidMedia"
    assert fake_x.fake.posts == {}


def test_video_processing_that_outlasts_the_limit_is_transient(make_connector, account, fake_x):
    x = make_connector(media_processing_timeout_seconds=7)
    fake_x.fake.video_states = ["pending", "in_progress", "in_progress", "succeeded"]
    with pytest.raises(TransientError):
        x.publish(account, PublishRequest("pub_1", "Watch", media=[_media("gif", "image/gif", b"g" * 10)]))
    assert fake_x.fake.posts == {}


def test_a_429_carries_x_reset_instant_and_the_next_attempt_succeeds(x, account, fake_x):
    fake_x.fake.create_failures = ["429"]
    with pytest.raises(RateLimited) as caught:
        x.publish(account, PublishRequest("pub_1", "Hello"))
    assert caught.value.reset_at == datetime.fromtimestamp(fake_x.fake.reset_epoch, UTC)
    assert caught.value.scope == "account"
    assert x.last_rate_limit.remaining == 0
    assert fake_x.fake.posts == {}
    x.publish(account, PublishRequest("pub_1", "Hello"))
    assert len(fake_x.fake.posts) == 1


def test_the_older_code_88_body_is_a_rate_limit_too(x, account, fake_x):
    fake_x.fake.create_failures = ["429_code88"]
    with pytest.raises(RateLimited, match="Rate limit exceeded") as caught:
        x.publish(account, PublishRequest("pub_1", "Hello"))
    assert caught.value.reset_at == datetime.fromtimestamp(fake_x.fake.reset_epoch, UTC)


def test_an_exhausted_24_hour_user_limit_waits_for_its_own_reset(x, account, fake_x):
    fake_x.fake.create_failures = ["429_user24h"]
    with pytest.raises(RateLimited) as caught:
        x.publish(account, PublishRequest("pub_1", "Hello"))
    assert caught.value.reset_at == datetime.fromtimestamp(fake_x.fake.reset_epoch + 86400, UTC)
    assert x.last_rate_limit.user_24h_remaining == 0


def test_every_answer_leaves_its_rate_limit_headers_for_pacing(x, account, fake_x):
    x.publish(account, PublishRequest("pub_1", "one"))
    x.publish(account, PublishRequest("pub_2", "two"))
    limits = x.last_rate_limit
    assert (limits.limit, limits.remaining) == (200, 198)
    assert limits.reset_at == datetime.fromtimestamp(fake_x.fake.reset_epoch, UTC)


def test_duplicate_content_is_reported_as_such(x, account, fake_x):
    x.publish(account, PublishRequest("pub_1", "Same words"))
    with pytest.raises(DuplicateContent, match="duplicate content"):
        x.publish(account, PublishRequest("pub_2", "Same words"))


def test_an_unaccepted_token_is_auth_expired(x, account, fake_x):
    fake_x.fake.create_failures = ["401"]
    with pytest.raises(AuthExpired, match="Unauthorized"):
        x.publish(account, PublishRequest("pub_1", "Hello"))


def test_an_invalid_request_fails_with_x_own_messages(x, account, fake_x):
    with pytest.raises(PermanentError) as caught:
        x.publish(account, PublishRequest("pub_1", "Hi", reply_to="999"))
    assert "One or more parameters to your request was invalid." in caught.value.message
    assert "The tweet you are replying to does not exist." in caught.value.message
    assert caught.value.status == 400 and not isinstance(caught.value, DuplicateContent)


@pytest.mark.parametrize("failure", ["5xx_created", "5xx_not_created"])
def test_a_5xx_on_a_create_is_uncertain_and_never_retried(x, account, fake_x, failure):
    fake_x.fake.create_failures = [failure]
    with pytest.raises(UncertainOutcome) as caught:
        x.publish(account, PublishRequest("pub_1", "Hello"))
    assert caught.value.status == 503
    assert len([r for r in fake_x.fake.requests if r["path"] == "/2/tweets"]) == 1


def test_a_create_that_outlasts_the_timeout_is_uncertain(make_connector, account, fake_x):
    x = make_connector(timeout_seconds=0.2)
    fake_x.fake.create_failures = ["slow_created"]
    with pytest.raises(UncertainOutcome):
        x.publish(account, PublishRequest("pub_1", "Hello"))
    assert len([r for r in fake_x.fake.requests if r["path"] == "/2/tweets"]) == 1


def test_an_unreachable_x_before_sending_is_transient(make_connector, account):
    x = make_connector(api_base_url="http://127.0.0.1:9")
    with pytest.raises(TransientError) as caught:
        x.publish(account, PublishRequest("pub_1", "Hello"))
    assert not isinstance(caught.value, UncertainOutcome)


def test_a_thread_failing_after_its_head_is_uncertain_and_names_what_exists(x, account, fake_x):
    fake_x.fake.create_failures = [None, "5xx_not_created"]
    with pytest.raises(UncertainOutcome, match="Published 1 of 3 parts") as caught:
        x.publish(account, PublishRequest("pub_1", "1/3", thread=["2/3", "3/3"]))
    assert caught.value.hints == {"x_thread_ids": list(fake_x.fake.posts)}


def test_a_failed_media_upload_is_transient_and_posts_nothing(x, account, fake_x):
    fake_x.fake.read_failures = [503]
    with pytest.raises(TransientError) as caught:
        x.publish(account, PublishRequest("pub_1", "Pic", media=[_media("image", "image/png", b"p" * 10)]))
    assert not isinstance(caught.value, UncertainOutcome) and fake_x.fake.posts == {}


def test_a_success_answer_without_an_id_is_uncertain(x, account, fake_x):
    fake_x.fake.create_failures = ["garbage_201"]
    with pytest.raises(UncertainOutcome, match="no id"):
        x.publish(account, PublishRequest("pub_1", "Hello"))


def test_an_exhausted_app_limit_is_reported_with_the_app_scope_and_its_reset():
    from herald_network_x import RateLimitStatus

    status = RateLimitStatus.from_headers({"x-rate-limit-remaining": "5", "x-rate-limit-reset": "1700000000",
                                           "x-app-limit-24hour-remaining": "0",
                                           "x-app-limit-24hour-reset": "1700050000"})
    assert status.exhausted() == (datetime.fromtimestamp(1700050000, UTC), "app")
    assert RateLimitStatus.from_headers({"x-rate-limit-reset": "soon"}) is None
