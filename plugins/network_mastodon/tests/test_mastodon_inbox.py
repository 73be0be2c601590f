"""Reading mentions, direct messages (conversations) and metrics; answering them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mastodon_fake_server import Account

from herald.plugins import PublishRequest, ReplyRequest, TransientError, UncertainOutcome

ALICE = Account("200", "alice", display_name="Alice", followers_count=42)


def test_mentions_become_inbox_items_with_their_author_and_text(mastodon, fake_mastodon, account):
    status = fake_mastodon.fake.post_as(ALICE, "Hello @heraldhq\n\nsecond line")
    page = mastodon.fetch_mentions(account, None)
    (item,) = page.items
    assert (item.remote_id, item.kind, item.direction) == (status["id"], "mention", "inbound")
    assert item.text == "Hello @heraldhq\n\nsecond line"
    assert (item.author.handle, item.author.display_name, item.author.followers) == ("alice@other.example", "Alice", 42)
    assert page.cursor == fake_mastodon.fake.notifications[-1]["id"]
    assert page.budget is not None and page.budget.limit == 300


def test_a_poll_reads_forward_from_the_cursor_across_pages(mastodon, fake_mastodon, account):
    fake = fake_mastodon.fake
    fake.post_as(ALICE, "old")
    cursor = mastodon.fetch_mentions(account, None).cursor
    for i in range(45):  # more than one page of 40
        fake.post_as(ALICE, f"new {i}")
    page = mastodon.fetch_mentions(account, cursor)
    assert sorted(m.text for m in page.items) == sorted(f"new {i}" for i in range(45))
    assert page.cursor == fake.notifications[-1]["id"]
    assert mastodon.fetch_mentions(account, page.cursor).items == []


def test_only_mention_notifications_are_asked_for(mastodon, fake_mastodon, account):
    mastodon.fetch_mentions(account, None)
    (query,) = [q for p, q in fake_mastodon.fake.queries if p == "/api/v1/notifications"]
    assert query["types[]"] == ["mention"] and "min_id" not in query


def test_a_content_warning_stays_in_front_of_the_text(mastodon, fake_mastodon, account):
    status = fake_mastodon.fake.post_as(ALICE, "the ending")
    status["spoiler_text"] = "Film spoilers"
    (item,) = mastodon.fetch_mentions(account, None).items
    assert item.text == "CW: Film spoilers\n\nthe ending"


def test_direct_statuses_come_as_direct_messages_not_mentions(mastodon, fake_mastodon, account):
    status = fake_mastodon.fake.post_as(ALICE, "psst @heraldhq", visibility="direct")
    assert mastodon.fetch_mentions(account, None).items == []
    page = mastodon.fetch_direct_messages(account, None)
    (item,) = page.items
    (conversation,) = fake_mastodon.fake.conversations
    assert (item.remote_id, item.kind, item.thread_id) == (status["id"], "dm", conversation)
    assert page.cursor == status["id"] and mastodon.fetch_direct_messages(account, page.cursor).items == []


def test_every_direct_message_since_the_last_poll_is_read_not_only_the_newest(mastodon, fake_mastodon, account):
    fake = fake_mastodon.fake
    first = fake.post_as(ALICE, "one", visibility="direct")
    cursor = mastodon.fetch_direct_messages(account, None).cursor
    second = fake.post_as(ALICE, "two", visibility="direct", in_reply_to_id=first["id"])
    third = fake.post_as(ALICE, "three", visibility="direct", in_reply_to_id=second["id"])
    page = mastodon.fetch_direct_messages(account, cursor)
    assert [m.remote_id for m in page.items] == [second["id"], third["id"]]
    assert {m.thread_id for m in page.items} == set(fake.conversations) and page.cursor == third["id"]


def test_a_direct_answer_is_sent_direct_mentioning_the_person_and_once(mastodon, fake_mastodon, account):
    fake = fake_mastodon.fake
    inbound = fake.post_as(ALICE, "psst", visibility="direct")
    request = ReplyRequest(reply_id="rep_1", kind="dm", text="Thanks!", in_reply_to=inbound["id"])
    fake.break_answer_next("POST /api/v1/statuses")
    with pytest.raises(UncertainOutcome):
        mastodon.send_reply(account, request)
    result = mastodon.send_reply(account, request)
    sent = fake.statuses[result.remote_id]
    assert (sent["visibility"], sent["text"], sent["in_reply_to_id"]) == \
        ("direct", "@alice@other.example Thanks!", inbound["id"])
    assert len([s for s in fake.statuses.values() if s["account_id"] == account.remote_id]) == 1
    (item,) = mastodon.fetch_direct_messages(account, inbound["id"]).items
    assert (item.remote_id, item.direction) == (result.remote_id, "outbound")


def test_a_public_reply_mentions_the_author_and_can_be_looked_up(mastodon, fake_mastodon, account):
    mention = fake_mastodon.fake.post_as(ALICE, "@heraldhq question?")
    since = datetime.now(UTC) - timedelta(seconds=5)
    request = ReplyRequest(reply_id="rep_2", kind="mention", text="Answer.", in_reply_to=mention["id"])
    assert mastodon.find_reply(account, request, since) is None
    result = mastodon.send_reply(account, request)
    sent = fake_mastodon.fake.statuses[result.remote_id]
    assert sent["text"] == "@alice@other.example Answer." and sent["visibility"] == "public"
    found = mastodon.find_reply(account, request, since)
    assert found is not None and found.remote_id == result.remote_id


def test_metrics_are_the_statuses_counts_and_skip_deleted_ones(mastodon, fake_mastodon, account):
    result = mastodon.publish(account, PublishRequest(publication_id="pub_m", text="count me"))
    status = fake_mastodon.fake.statuses[result.remote_id]
    status.update(favourites_count=7, reblogs_count=3)
    fake_mastodon.fake.post_as(ALICE, "reply", in_reply_to_id=result.remote_id, mention=None)
    metrics = mastodon.fetch_metrics(account, [result.remote_id, "404404"])
    assert metrics == {result.remote_id: {"favourites_count": 7, "reblogs_count": 3, "replies_count": 1}}


def test_a_failing_read_is_transient(mastodon, fake_mastodon, account):
    fake_mastodon.fake.fail_next("/api/v1/notifications", 503, "Service unavailable")
    with pytest.raises(TransientError):
        mastodon.fetch_mentions(account, None)
