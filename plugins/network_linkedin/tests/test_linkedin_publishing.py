"""Publishing to a LinkedIn page: the Posts API, images and documents, typed failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from linkedin_fake_server import ORG_URN

from herald.plugins import (
    MediaFile,
    PermanentError,
    PublishRequest,
    RateLimited,
    TransientError,
    UncertainOutcome,
    VariantDraft,
)


def _media(kind: str, mime: str, data: bytes, alt: str | None = None) -> MediaFile:
    return MediaFile(kind=kind, mime_type=mime, size=len(data), url=None, read=lambda: data, alt_text=alt)


def _last(fake, method: str, path: str) -> dict:
    return [r for r in fake.requests if r["method"] == method and r["path"] == path][-1]


def test_a_post_carries_the_versioned_headers_and_its_urn_comes_from_x_restli_id(li, account, fake_li):
    result = li.publish(account, PublishRequest("pub_1", "Hello LinkedIn"))
    sent = _last(fake_li.fake, "POST", "/rest/posts")
    assert sent["headers"]["Linkedin-Version"] == "202511"
    assert sent["headers"]["X-Restli-Protocol-Version"] == "2.0.0"
    assert sent["json"]["author"] == ORG_URN and sent["json"]["visibility"] == "PUBLIC"
    assert result.remote_id in fake_li.fake.posts and result.remote_id.startswith("urn:li:share:")
    assert result.url == f"https://li.test/feed/update/{result.remote_id}"


def test_reserved_characters_are_escaped_and_hashtags_stay_hashtags(li, account, fake_li):
    result = li.publish(account, PublishRequest("pub_1", "Q&A (live) at 5 #Launch, email me_now @ [home]"))
    assert fake_li.fake.posts[result.remote_id]["commentary"] == \
        r"Q&A \(live\) at 5 {hashtag|\#|Launch}, email me\_now \@ \[home\]"


def test_two_images_are_uploaded_then_posted_as_a_multi_image_with_alt_text(li, account, fake_li):
    request = PublishRequest("pub_1", "Two", media=[_media("image", "image/png", b"png-1", "first"),
                                                    _media("image", "image/jpeg", b"jpg-2")])
    result = li.publish(account, request)
    content = fake_li.fake.posts[result.remote_id]["content"]["multiImage"]["images"]
    assert [fake_li.fake.uploads[i["id"]]["data"] for i in content] == [b"png-1", b"jpg-2"]
    assert content[0]["altText"] == "first" and "altText" not in content[1]


def test_a_document_is_uploaded_and_posted_with_its_title_once_available(make_connector, account, fake_li):
    fake_li.fake.processing_reads = 2
    li = make_connector()
    request = PublishRequest("pub_1", "Our report", media=[_media("document", "application/pdf", b"%PDF-1.7")],
                             options={"document_title": "Annual report"})
    result = li.publish(account, request)
    media = fake_li.fake.posts[result.remote_id]["content"]["media"]
    assert media["title"] == "Annual report" and media["id"].startswith("urn:li:document:")
    assert fake_li.fake.uploads[media["id"]]["data"] == b"%PDF-1.7" and len(li.slept) == 2


def test_an_upload_linkedin_cannot_process_fails_for_good_and_posts_nothing(li, account, fake_li):
    fake_li.fake.fail_processing = True
    with pytest.raises(PermanentError):
        li.publish(account, PublishRequest("pub_1", "x", media=[_media("image", "image/png", b"png")]))
    assert fake_li.fake.posts == {}


def test_an_upload_still_processing_at_the_deadline_is_transient(make_connector, account, fake_li):
    fake_li.fake.processing_reads = 100
    li = make_connector(media_processing_timeout_seconds=0)
    with pytest.raises(TransientError):
        li.publish(account, PublishRequest("pub_1", "x", media=[_media("image", "image/png", b"png")]))
    assert fake_li.fake.posts == {}


def test_a_document_cannot_share_a_post_and_only_known_types_pass(li):
    codes = {p.code for p in li.validate(VariantDraft("x", [{"kind": "document"}, {"kind": "image"}]))}
    assert codes == {"document_alone"}
    problems = li.validate(VariantDraft("x", [{"kind": "image", "mime_type": "image/webp"}]))
    assert [p.code for p in problems] == ["unsupported_type"]
    assert li.validate(VariantDraft("x" * 3000)) == [] and li.validate(VariantDraft("x" * 3001))


def test_a_429_naming_the_daily_limit_waits_until_midnight_utc(li, account, fake_li):
    li.now = lambda: datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    fake_li.fake.post_failures.append("429_day")
    with pytest.raises(RateLimited) as caught:
        li.publish(account, PublishRequest("pub_1", "x"))
    assert caught.value.reset_at == datetime(2026, 3, 5, tzinfo=UTC)


def test_a_short_429_waits_the_configured_time_since_linkedin_sends_no_reset(make_connector, account, fake_li):
    li = make_connector(throttle_wait_seconds=90)
    li.now = lambda: datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
    fake_li.fake.post_failures.append("429")
    with pytest.raises(RateLimited) as caught:
        li.publish(account, PublishRequest("pub_1", "x"))
    assert caught.value.reset_at == datetime(2026, 3, 4, 15, 31, 30, tzinfo=UTC)
    assert "throttle limit" in caught.value.message


def test_a_retired_api_version_is_permanent_in_linkedins_words(make_connector, account):
    with pytest.raises(PermanentError) as caught:
        make_connector(api_version="202401").publish(account, PublishRequest("pub_1", "x"))
    assert caught.value.status == 426 and "not active" in caught.value.message


def test_a_server_error_on_a_create_that_made_nothing_is_uncertain_and_the_lookup_says_none(li, account, fake_li):
    fake_li.fake.post_failures.append("500_not_created")
    request = PublishRequest("pub_1", "Maybe")
    with pytest.raises(UncertainOutcome):
        li.publish(account, request)
    assert li.find_published(account, request, datetime.now(UTC) - timedelta(minutes=1)) is None


def test_a_timeout_after_sending_is_uncertain_and_the_lookup_finds_the_post(make_connector, account, fake_li):
    li = make_connector(timeout_seconds=0.5)
    fake_li.fake.post_failures.append("slow_created")
    request = PublishRequest("pub_1", "Slow #news (really)")
    started = datetime.now(UTC)
    with pytest.raises(UncertainOutcome):
        li.publish(account, request)
    found = li.find_published(account, request, started)
    assert found is not None and found.remote_id in fake_li.fake.posts


def test_an_internal_api_address_is_refused_before_anything_is_sent(make_connector, account, monkeypatch):
    monkeypatch.setenv("HERALD_OUTBOUND_ALLOW", "")
    li = make_connector(api_base_url="http://169.254.169.254")
    with pytest.raises(PermanentError) as caught:
        li.publish(account, PublishRequest("pub_1", "x"))
    assert caught.value.code == "outbound_refused" and "169.254.169.254" in caught.value.message


def test_metrics_are_the_share_statistics_counts_of_each_post(li, account, fake_li):
    result = li.publish(account, PublishRequest("pub_1", "Count me"))
    fake_li.fake.stats[result.remote_id] = {"impressionCount": 60, "likeCount": 4, "engagement": 0.083}
    metrics = li.fetch_metrics(account, [result.remote_id, "urn:li:share:1", "not-a-urn"])
    assert metrics == {result.remote_id: {"impressions": 60, "unique_impressions": 0, "clicks": 0, "likes": 4,
                                          "comments": 0, "shares": 0}}


def test_deleting_a_post_already_gone_is_done(li, account, fake_li):
    result = li.publish(account, PublishRequest("pub_1", "Bye"))
    li.delete(account, result.remote_id)
    li.delete(account, result.remote_id)
    assert result.remote_id not in fake_li.fake.posts
