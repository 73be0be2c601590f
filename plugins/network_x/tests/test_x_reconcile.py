"""Reconciliation: after an uncertain attempt, find_published tells whether the post exists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.plugins import PublishRequest, UncertainOutcome
from herald_network_x.text import same_text


def _attempt(x, account, request, fake_x, failure):
    """One publish attempt that ends uncertain; returns the instant before it started."""
    started = datetime.now(UTC)
    fake_x.fake.create_failures = [failure]
    with pytest.raises(UncertainOutcome):
        x.publish(account, request)
    return started


@pytest.mark.parametrize("failure", ["5xx_created", "slow_created"])
def test_a_post_x_created_despite_the_error_is_found(make_connector, account, fake_x, failure):
    x = make_connector(timeout_seconds=0.3)
    request = PublishRequest("pub_1", "Quarterly results are out")
    started = _attempt(x, account, request, fake_x, failure)
    (created,) = fake_x.fake.posts
    found = x.find_published(account, request, started)
    assert found is not None and found.remote_id == created
    assert found.url == f"https://x.test/heraldhq/status/{created}"
    search = [r for r in fake_x.fake.requests if r["path"] == "/2/tweets/search/recent"][-1]
    assert search["args"]["query"] == "from:heraldhq"


def test_a_post_x_did_not_create_is_certainly_absent(x, account, fake_x):
    request = PublishRequest("pub_1", "Quarterly results are out")
    started = _attempt(x, account, request, fake_x, "5xx_not_created")
    assert x.find_published(account, request, started) is None


def test_the_same_words_posted_before_the_attempt_do_not_count(x, account, fake_x):
    old = datetime.now(UTC) - timedelta(days=2)
    fake_x.fake.add_post(account.remote_id, "Good morning", created_at=old)
    assert x.find_published(account, PublishRequest("pub_1", "Good morning"), old + timedelta(days=1)) is None


def test_someone_else_posting_the_same_words_does_not_count(x, account, fake_x):
    fake_x.fake.add_user("555", "copycat")
    started = datetime.now(UTC) - timedelta(seconds=5)
    fake_x.fake.add_post("555", "Good morning")
    assert x.find_published(account, PublishRequest("pub_1", "Good morning"), started) is None


def test_only_a_reply_to_the_same_post_matches_a_reply(x, account, fake_x):
    started = datetime.now(UTC) - timedelta(seconds=5)
    first = fake_x.fake.add_post("42", "first")
    second = fake_x.fake.add_post("42", "second")
    fake_x.fake.add_post(account.remote_id, "Thanks!", reply_to=first)
    assert x.find_published(account, PublishRequest("pub_1", "Thanks!", reply_to=second), started) is None
    found = x.find_published(account, PublishRequest("pub_1", "Thanks!", reply_to=first), started)
    assert found is not None


def test_a_lookup_sooner_than_the_search_index_lag_cannot_rule_the_post_out(make_connector, account, fake_x):
    x = make_connector(search_index_lag_seconds=60)
    fake_x.fake.index_posts_in_search = False
    request = PublishRequest("pub_1", "Fresh news")
    started = _attempt(x, account, request, fake_x, "5xx_created")
    x.now = lambda: started + timedelta(seconds=10)
    with pytest.raises(UncertainOutcome, match="look again later"):
        x.find_published(account, request, started)
    x.now = lambda: started + timedelta(seconds=61)
    assert x.find_published(account, request, started) is None


def test_a_whole_thread_is_found_part_by_part(x, account, fake_x):
    request = PublishRequest("pub_1", "1/3 story", thread=["2/3 more", "3/3 end"])
    started = datetime.now(UTC)
    fake_x.fake.create_failures = [None, None, "5xx_created"]
    with pytest.raises(UncertainOutcome):
        x.publish(account, request)
    found = x.find_published(account, request, started)
    assert [found.remote_id, *found.extra_ids] == list(fake_x.fake.posts)


def test_a_thread_missing_a_part_is_reported_uncertain_with_what_exists(x, account, fake_x):
    request = PublishRequest("pub_1", "1/3 story", thread=["2/3 more", "3/3 end"])
    started = datetime.now(UTC)
    fake_x.fake.create_failures = [None, "5xx_not_created"]
    with pytest.raises(UncertainOutcome):
        x.publish(account, request)
    with pytest.raises(UncertainOutcome, match="1 of 3 parts"):
        x.find_published(account, request, started)


def test_the_post_is_found_beyond_the_first_page_of_results(x, account, fake_x):
    started = datetime.now(UTC) - timedelta(seconds=5)
    target = fake_x.fake.add_post(account.remote_id, "needle")
    for i in range(5):
        fake_x.fake.add_post(account.remote_id, f"hay {i}")
    fake_x.fake.page_size = 2
    found = x.find_published(account, PublishRequest("pub_1", "needle"), started)
    assert found is not None and found.remote_id == target


def test_links_shown_as_t_co_and_escaped_characters_still_match():
    sent = "Read https://example.com/a/very/long/path?x=1 & share"
    shown = "Read https://t.co/AbCdEf123 &amp; share"
    assert same_text(sent, shown)
    assert same_text("Thanks!", "@someone @other Thanks!")
    assert not same_text("Thanks!", "Thanks!!")
    assert not same_text("Read https://example.com now", "Read later")


def test_an_attempt_older_than_recent_search_reaches_cannot_be_ruled_out(x, account, fake_x):
    with pytest.raises(UncertainOutcome, match="older than"):
        x.find_published(account, PublishRequest("pub_1", "Hi"), datetime.now(UTC) - timedelta(days=8))
    assert not any(r["path"] == "/2/tweets/search/recent" for r in fake_x.fake.requests)


def test_absence_is_not_certain_when_the_page_limit_stops_the_search_early(make_connector, account, fake_x):
    x = make_connector(max_pages=2)
    started = datetime.now(UTC) - timedelta(seconds=5)
    for i in range(3):
        fake_x.fake.add_post(account.remote_id, f"busy {i}")
    fake_x.fake.page_size = 1
    with pytest.raises(UncertainOutcome, match="more since the attempt"):
        x.find_published(account, PublishRequest("pub_1", "needle"), started)
    fake_x.fake.page_size = 3
    assert x.find_published(account, PublishRequest("pub_1", "needle"), started) is None
