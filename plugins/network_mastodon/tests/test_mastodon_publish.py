"""Publishing statuses: options, threads, media processing, Idempotency-Key, limits, lookups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.plugins import MediaFile, PublishRequest, RateLimited, TransientError, UncertainOutcome


def _request(text: str = "Hello fediverse", **kw) -> PublishRequest:
    return PublishRequest(publication_id=kw.pop("publication_id", "pub_1"), text=text, **kw)


def _image(alt: str | None = "A lighthouse") -> MediaFile:
    return MediaFile(kind="image", mime_type="image/png", size=4, url=None, read=lambda: b"\x89PNG", alt_text=alt)


def _stored(fake, remote_id: str) -> dict:
    return fake.statuses[remote_id]


def test_a_status_carries_its_content_warning_visibility_and_language(mastodon, fake_mastodon, account):
    result = mastodon.publish(account, _request(language="en", options={
        "spoiler_text": "Spoilers", "visibility": "unlisted", "sensitive": True}))
    status = _stored(fake_mastodon.fake, result.remote_id)
    assert (status["spoiler_text"], status["visibility"], status["language"], status["sensitive"]) == \
        ("Spoilers", "unlisted", "en", True)
    assert result.url.endswith(f"/{result.remote_id}")


def test_the_default_visibility_comes_from_the_settings(make_connector, fake_mastodon, account):
    result = make_connector(default_visibility="private").publish(account, _request())
    assert _stored(fake_mastodon.fake, result.remote_id)["visibility"] == "private"


def test_a_thread_chains_each_part_as_a_reply_to_the_one_before(mastodon, fake_mastodon, account):
    result = mastodon.publish(account, _request("one", thread=["two"], first_comment="three"))
    fake = fake_mastodon.fake
    second, third = result.extra_ids
    assert fake.statuses[second]["in_reply_to_id"] == result.remote_id
    assert fake.statuses[third]["in_reply_to_id"] == second and fake.statuses[third]["text"] == "three"


def test_a_retry_after_a_lost_answer_never_posts_twice(mastodon, fake_mastodon, account):
    fake = fake_mastodon.fake
    fake.break_answer_next("/api/v1/statuses")
    with pytest.raises(UncertainOutcome):
        mastodon.publish(account, _request())
    again = mastodon.publish(account, _request())
    assert list(fake.statuses) == [again.remote_id]
    keys = {h.get("Idempotency-Key") for m, p, h in fake.requests if p == "/api/v1/statuses"}
    assert keys == {"herald-pub_1-0"}


def test_media_still_processing_is_polled_until_ready_then_attached(mastodon, fake_mastodon, account):
    fake = fake_mastodon.fake
    fake.processing_polls = 3
    result = mastodon.publish(account, _request(media=[_image()]))
    (media_id,) = fake.statuses[result.remote_id]["media_ids"]
    assert fake.media[media_id]["description"] == "A lighthouse"
    assert [p for m, p, h in fake.requests if m == "GET" and p.startswith("/api/v1/media/")] == \
        [f"/api/v1/media/{media_id}"] * 3
    assert mastodon.slept == [2.0, 2.0, 2.0]


def test_media_that_never_finishes_processing_is_transient_and_posts_nothing(make_connector, fake_mastodon, account):
    fake_mastodon.fake.processing_polls = 50
    with pytest.raises(TransientError) as caught:
        make_connector(media_poll_limit=2).publish(account, _request(media=[_image()]))
    assert caught.value.code == "media_processing" and fake_mastodon.fake.statuses == {}


def test_a_rate_limited_post_waits_for_the_instances_reset(mastodon, fake_mastodon, account):
    fake = fake_mastodon.fake
    fake.remaining = 0
    fake.reset_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=3)
    with pytest.raises(RateLimited) as caught:
        mastodon.publish(account, _request())
    assert caught.value.reset_at == fake.reset_at and "Too many requests" in caught.value.message


def test_a_post_that_spends_the_last_call_pauses_the_account_until_reset(mastodon, fake_mastodon, account):
    fake = fake_mastodon.fake
    fake.remaining, fake.reset_at = 1, datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=4)
    result = mastodon.publish(account, _request())
    assert result.pause_until == fake.reset_at


def test_a_thread_failing_midway_is_uncertain_and_names_the_parts_made(mastodon, fake_mastodon, account):
    fake_mastodon.fake.fail_next("/api/v1/statuses", 422, "Validation failed: Text can't be blank", after=1)
    with pytest.raises(UncertainOutcome) as caught:
        mastodon.publish(account, _request("one", thread=["two"]))
    (head,) = fake_mastodon.fake.statuses
    assert caught.value.hints == {"mastodon_thread_ids": [head]} and caught.value.code == "partial_thread"
    assert "Text can't be blank" in caught.value.message


def test_a_partial_thread_within_the_key_hour_is_finished_by_publishing_again(mastodon, fake_mastodon, account):
    since = datetime.now(UTC) - timedelta(seconds=5)
    fake_mastodon.fake.fail_next("/api/v1/statuses", 500, "Internal error", after=1)
    with pytest.raises(UncertainOutcome):
        mastodon.publish(account, _request("one", thread=["two"]))
    (head,) = fake_mastodon.fake.statuses
    assert mastodon.find_published(account, _request("one", thread=["two"]), since) is None
    result = mastodon.publish(account, _request("one", thread=["two"]))
    assert result.remote_id == head and len(fake_mastodon.fake.statuses) == 2


def test_a_partial_thread_older_than_the_key_hour_stays_uncertain_naming_what_exists(mastodon, fake_mastodon,
                                                                                       account):
    fake_mastodon.fake.fail_next("/api/v1/statuses", 500, "Internal error", after=1)
    with pytest.raises(UncertainOutcome):
        mastodon.publish(account, _request("one", thread=["two"]))
    (head,) = fake_mastodon.fake.statuses
    fake_mastodon.fake.statuses[head]["created_at"] = "2020-01-01T10:00:00.000Z"
    since = datetime(2020, 1, 1, 9, 59, tzinfo=UTC)
    with pytest.raises(UncertainOutcome) as caught:
        mastodon.find_published(account, _request("one", thread=["two"]), since)
    assert caught.value.hints == {"mastodon_thread_ids": [head]}


def test_a_lookup_finds_a_status_whose_links_the_instance_rewrote(mastodon, fake_mastodon, account):
    text = "Read https://example.com/a and tell @friend@other.example"
    since = datetime.now(UTC) - timedelta(seconds=5)
    result = mastodon.publish(account, _request(text))
    found = mastodon.find_published(account, _request(text), since)
    assert found is not None and found.remote_id == result.remote_id
    assert any(p.endswith("/source") for m, p, h in fake_mastodon.fake.requests)


def test_a_lookup_ignores_statuses_older_than_the_attempt(mastodon, fake_mastodon, account):
    mastodon.publish(account, _request("same words"))
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert mastodon.find_published(account, _request("same words"), later) is None


def test_deleting_a_status_already_gone_succeeds(mastodon, fake_mastodon, account):
    result = mastodon.publish(account, _request())
    mastodon.delete(account, result.remote_id)
    mastodon.delete(account, result.remote_id)
    assert fake_mastodon.fake.statuses == {}
