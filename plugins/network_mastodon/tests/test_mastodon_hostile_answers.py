"""Answers that do not have the documented shape never escape as raw exceptions."""

from __future__ import annotations

from datetime import datetime

import pytest

from herald.plugins import NetworkError, PublishRequest, ReplyRequest

ODD_BODIES = [5, "text", {"error": "not a list"}, [1, "x", None], [{"id": 7, "status": "x", "account": "y"}]]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_odd_list_answers_read_as_nothing_or_a_typed_error(mastodon, fake_mastodon, account, body):
    fake = fake_mastodon.fake
    for path in ("/api/v1/notifications", "/api/v1/conversations"):
        fake.answer_next(path, 200, body)
    assert mastodon.fetch_mentions(account, None).items == []
    items = mastodon.fetch_direct_messages(account, None).items
    assert all(m.kind == "dm" for m in items)


@pytest.mark.parametrize("body", [5, [], {"id": None}, {"descendants": "x"}])
def test_odd_status_answers_are_typed_errors_or_nothing(mastodon, fake_mastodon, account, body):
    fake = fake_mastodon.fake
    fake.answer_next("POST /api/v1/statuses", 200, body)
    with pytest.raises(NetworkError):
        mastodon.publish(account, PublishRequest(publication_id="p", text="t"))
    target = fake.post_as(fake.accounts[account.remote_id], "mine", mention=None)
    fake.answer_next(f"/api/v1/statuses/{target['id']}/context", 200, body)
    request = ReplyRequest(reply_id="r", kind="comment", text="x", in_reply_to=target["id"])
    posted_at = datetime.fromisoformat(target["created_at"].replace("Z", "+00:00"))
    assert mastodon.find_reply(account, request, posted_at) is None


def test_an_error_answer_without_the_error_envelope_still_says_something(mastodon, fake_mastodon, account):
    fake_mastodon.fake.answer_next("POST /api/v1/statuses", 422, ["not", "an", "object"])
    with pytest.raises(NetworkError) as caught:
        mastodon.publish(account, PublishRequest(publication_id="p", text="t"))
    assert caught.value.message == "The Mastodon instance answered 422." and caught.value.status == 422
