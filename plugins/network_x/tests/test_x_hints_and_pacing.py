"""A thread cut short names the parts it created, and the lookup finds them by id without posting
anything; a successful create that uses up X's window or daily limit asks Herald to pause the
account until X's reset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from x_fake_server import USER_ID

from herald.plugins import PublishRequest, UncertainOutcome


def _creates(fake_x) -> int:  # type: ignore[no-untyped-def]
    return len([r for r in fake_x.fake.requests if r["method"] == "POST" and r["path"] == "/2/tweets"])


def _thread() -> PublishRequest:
    return PublishRequest("pub_1", "1/3 the plan", thread=["2/3 the steps", "3/3 the end"])


def _partial(x, account, fake_x, failure):  # type: ignore[no-untyped-def]
    fake_x.fake.create_failures = [None, None, failure]
    with pytest.raises(UncertainOutcome) as caught:
        x.publish(account, _thread())
    return caught.value


def _lookup_request(hints) -> PublishRequest:  # type: ignore[no-untyped-def]
    base = _thread()
    return PublishRequest(base.publication_id, base.text, thread=base.thread, lookup_hints=MappingProxyType(hints))


def test_a_partial_thread_is_found_from_its_hints_head_and_parts_without_a_second_post(x, account, fake_x):
    started = datetime.now(UTC)
    exc = _partial(x, account, fake_x, "5xx_not_created")
    head, second = list(fake_x.fake.posts)
    assert exc.hints == {"x_thread_ids": [head, second]}
    posts_before = _creates(fake_x)
    fake_x.fake.index_posts_in_search = False  # the ids alone are enough: X's search is not needed for them
    found = x.find_published(account, _lookup_request(exc.hints), started)
    assert found is not None
    assert (found.remote_id, found.extra_ids) == (head, [second])
    assert found.url == f"https://x.test/heraldhq/status/{head}"
    assert _creates(fake_x) == posts_before and list(fake_x.fake.posts) == [head, second]
    by_id = [r for r in fake_x.fake.requests if r["path"] == "/2/tweets" and r["method"] == "GET"]
    assert by_id and by_id[-1]["args"]["ids"] == f"{head},{second}"


def test_the_part_that_failed_but_was_created_is_found_after_the_hinted_ones(x, account, fake_x):
    started = datetime.now(UTC)
    exc = _partial(x, account, fake_x, "5xx_created")
    assert len(exc.hints["x_thread_ids"]) == 2 and len(fake_x.fake.posts) == 3
    found = x.find_published(account, _lookup_request(exc.hints), started)
    assert [found.remote_id, *found.extra_ids] == list(fake_x.fake.posts)


def test_a_thread_whose_hinted_head_is_gone_stays_uncertain(x, account, fake_x):
    started = datetime.now(UTC)
    exc = _partial(x, account, fake_x, "5xx_not_created")
    del fake_x.fake.posts[exc.hints["x_thread_ids"][0]]
    with pytest.raises(UncertainOutcome, match="no longer shows"):
        x.find_published(account, _lookup_request(exc.hints), started)


def test_hinted_ids_that_are_not_x_ids_are_ignored_and_the_search_decides(x, account, fake_x):
    started = datetime.now(UTC) - timedelta(seconds=5)
    assert x.find_published(account, _lookup_request({"x_thread_ids": ["../2/users/me"]}), started) is None
    assert not any(r["path"] == "/2/tweets" and r["method"] == "GET" for r in fake_x.fake.requests)


def test_a_search_showing_part_of_a_thread_hints_its_ids_for_the_next_lookup(x, account, fake_x):
    started = datetime.now(UTC)
    _partial(x, account, fake_x, "5xx_not_created")
    with pytest.raises(UncertainOutcome, match="2 of 3 parts") as caught:
        x.find_published(account, _thread(), started)
    assert caught.value.hints == {"x_thread_ids": list(fake_x.fake.posts)}
    found = x.find_published(account, _lookup_request(caught.value.hints), started)
    assert [found.remote_id, *found.extra_ids] == list(fake_x.fake.posts)


def test_a_create_using_up_the_window_pauses_the_account_until_x_reset(x, account, fake_x):
    fake_x.fake.set_remaining(USER_ID, "create", 1)  # this create is the window's last
    result = x.publish(account, PublishRequest("pub_1", "The last one for now"))
    assert result.remote_id in fake_x.fake.posts
    assert result.pause_until == datetime.fromtimestamp(fake_x.fake.reset_epoch, UTC)


def test_a_create_with_calls_left_does_not_pause(x, account, fake_x):
    fake_x.fake.set_remaining(USER_ID, "create", 2)
    assert x.publish(account, PublishRequest("pub_1", "Plenty left")).pause_until is None


def test_a_create_using_up_the_daily_user_limit_pauses_until_its_reset(x, account, fake_x):
    fake_x.fake.user_24h_remaining = 0
    result = x.publish(account, PublishRequest("pub_1", "That was today's last"))
    assert result.pause_until == datetime.fromtimestamp(fake_x.fake.reset_epoch + 86400, UTC)


def test_a_reset_already_past_does_not_pause(make_connector, account, fake_x):
    x = make_connector()
    x.now = lambda: datetime.fromtimestamp(fake_x.fake.reset_epoch + 1, UTC)
    fake_x.fake.set_remaining(USER_ID, "create", 1)
    assert x.publish(account, PublishRequest("pub_1", "Late")).pause_until is None
