"""Deleting, metrics, mentions and search on X."""

from __future__ import annotations

import pytest

from herald.plugins import (
    AuthExpired,
    AuthRevoked,
    ConnectedAccount,
    PermanentError,
    PublishRequest,
    TokenSet,
    TransientError,
)


def test_a_published_post_is_deleted(x, account, fake_x):
    result = x.publish(account, PublishRequest("pub_1", "Oops"))
    x.delete(account, result.remote_id)
    assert result.remote_id not in fake_x.fake.posts


def test_deleting_a_post_that_is_already_gone_succeeds(x, account, fake_x):
    x.delete(account, "1456012973835788000")
    assert [r["method"] for r in fake_x.fake.requests] == ["DELETE"]


def test_deleting_someone_else_post_is_refused_with_x_message(x, account, fake_x):
    other = fake_x.fake.add_post("42", "not yours")
    with pytest.raises(PermanentError, match="not authorized to delete"):
        x.delete(account, other)
    assert other in fake_x.fake.posts


def test_a_5xx_on_a_delete_is_transient(x, account, fake_x):
    fake_x.fake.read_failures = [502]
    with pytest.raises(TransientError):
        x.delete(account, "1")


def test_metrics_are_read_in_batches_of_100_and_missing_posts_left_out(x, account, fake_x):
    ids = [fake_x.fake.add_post(account.remote_id, f"post {i}") for i in range(150)]
    fake_x.fake.posts[ids[0]]["public_metrics"].update(like_count=7, impression_count=1200)
    metrics = x.fetch_metrics(account, [*ids, "1"])
    assert set(metrics) == set(ids)
    assert metrics[ids[0]] == {"retweet_count": 0, "reply_count": 0, "like_count": 7, "quote_count": 0,
                               "impression_count": 1200}
    batches = [r["args"]["ids"].split(",") for r in fake_x.fake.requests if r["path"] == "/2/tweets"]
    assert [len(b) for b in batches] == [100, 51]


def test_a_5xx_on_a_read_is_transient(x, account, fake_x):
    fake_x.fake.read_failures = [503]
    with pytest.raises(TransientError) as caught:
        x.fetch_metrics(account, ["1"])
    assert caught.value.status == 503


def test_mentions_are_read_across_pages_and_the_cursor_brings_only_newer_ones(x, account, fake_x):
    fake_x.fake.add_user("42", "fan")
    first = [fake_x.fake.add_post("42", f"@heraldhq hello {i}") for i in range(5)]
    fake_x.fake.add_post("42", "not a mention")
    fake_x.fake.page_size = 2
    page = x.fetch_mentions(account, None)
    assert [m.remote_id for m in page.items] == list(reversed(first))
    assert page.cursor == first[-1]
    assert {(m.author_id, m.author_handle, m.kind) for m in page.items} == {("42", "fan", "mention")}
    assert page.items[0].created_at is not None
    tokens = [r["args"].get("pagination_token") for r in fake_x.fake.requests if r["path"].endswith("/mentions")]
    assert tokens == [None, "page-2", "page-4"]

    newer = fake_x.fake.add_post("42", "@heraldhq again", reply_to=first[0])
    page = x.fetch_mentions(account, page.cursor)
    assert [m.remote_id for m in page.items] == [newer]
    assert page.items[0].in_reply_to == first[0]
    assert page.cursor == newer

    empty = x.fetch_mentions(account, newer)
    assert empty.items == [] and empty.cursor is None


def test_search_pages_with_next_token_and_keeps_a_cursor(x, account, fake_x):
    fake_x.fake.add_user("42", "fan")
    hits = [fake_x.fake.add_post("42", f"I love Herald {i}") for i in range(3)]
    fake_x.fake.add_post("42", "unrelated")
    fake_x.fake.page_size = 2
    page = x.search(account, "herald love", None)
    assert [m.remote_id for m in page.items] == list(reversed(hits))
    assert {m.kind for m in page.items} == {"search"} and page.cursor == hits[-1]
    calls = [r["args"] for r in fake_x.fake.requests if r["path"] == "/2/tweets/search/recent"]
    assert [c.get("next_token") for c in calls] == [None, "page-2"]
    assert all(c["query"] == "herald love" and c["max_results"] == "100" for c in calls)
    assert x.search(account, "herald love", hits[-1]).items == []


def test_an_account_without_tokens_needs_reconnecting(x):
    with pytest.raises(AuthRevoked):
        x.fetch_mentions(ConnectedAccount("acc", "1", "h", None), None)


def test_an_expired_access_token_is_auth_expired_on_reads(x, account):
    stale = ConnectedAccount("acc", account.remote_id, account.handle, TokenSet(access_token="expired"))
    with pytest.raises(AuthExpired):
        x.search(stale, "herald", None)


def test_malformed_list_answers_give_an_empty_page_not_a_crash(x, account, fake_x):
    fake_x.fake.list_body = {"data": [1, "two", {"text": "no id"}], "meta": ["not", "an", "object"]}
    page = x.fetch_mentions(account, None)
    assert page.items == [] and page.cursor is None
    fake_x.fake.list_body = [1, 2, 3]
    assert x.search(account, "herald", None).items == []
