"""Direct messages and replies on X: read by cursor with the budget X's headers leave, own
messages told apart, mentions threaded by conversation, replies checked as X counts them, sent
once to the endpoint each kind needs, X's refusals mapped, and found again after an uncertain
outcome. Against the fake X, which follows the contract's DM endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from x_fake_server import HANDLE, USER_ID, one_to_one

from herald.plugins import (
    AuthExpired,
    ConnectedAccount,
    DuplicateContent,
    MediaFile,
    NotSupported,
    PermanentError,
    RateLimited,
    ReplyRequest,
    TokenSet,
    TransientError,
    UncertainOutcome,
)
from herald.testing.connector_contract import assert_hints_are_json
from herald_network_x.messages import GAP_FLAG
from herald_network_x.replies import DirectMessageRefused

FAN = "944480690"
CONVERSATION = one_to_one(FAN, USER_ID)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
IMAGE = MediaFile(kind="image", mime_type="image/png", size=3, url=None, read=lambda: b"png")


@pytest.fixture
def dm_x(make_connector):
    return make_connector(direct_messages=True)


@pytest.fixture
def fan(fake_x) -> str:
    fake_x.fake.add_user(FAN, "ana_fan", "Ana", followers=1200, verified=True)
    return FAN


def dm(text: str = "Thanks for writing!", **kw: object) -> ReplyRequest:
    return ReplyRequest(reply_id="rep_1", kind="dm", text=text, **{"thread_id": CONVERSATION, **kw})  # type: ignore[arg-type]


def public(text: str = "We're on it.", **kw: object) -> ReplyRequest:
    return ReplyRequest(reply_id="rep_2", kind="mention", text=text, **kw)  # type: ignore[arg-type]


def codes(problems) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(p.field, p.code) for p in problems]


def calls(fake_x, path_part: str) -> list[dict]:
    return [r for r in fake_x.fake.requests if path_part in r["path"]]


def started() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=2)


# ----------------------------------------------------------------------------- what X offers
def test_x_states_that_it_sends_replies_and_messages_without_a_window_and_has_no_webhook(x, account):
    caps = x.capabilities
    assert caps.supports_direct_messages and caps.supports_replies
    assert (caps.max_reply_length, caps.max_dm_length, caps.dm_reply_window_s) == (280, 10_000, None)
    assert x.webhook_event_prefix is None
    assert x.items_from_webhook(account, "x.dm", {"id": "1"}) == []


def test_direct_messages_stay_off_until_the_tenant_turns_them_on(x, dm_x, account, fake_x):
    with pytest.raises(NotSupported):
        x.fetch_direct_messages(account, None)
    assert codes(x.validate_reply(dm(), NOW)) == [("kind", "unsupported")]
    assert fake_x.fake.requests == []
    assert "dm.read" not in x.authorize_url("s", "https://h.test/cb", "v" * 43)
    scope = dm_x.authorize_url("s", "https://h.test/cb", "v" * 43)
    assert "dm.read+dm.write" in scope or "dm.read%20dm.write" in scope


# ----------------------------------------------------------------------------- reading messages
def test_messages_are_read_page_by_page_back_to_the_cursor_and_handed_over_oldest_first(dm_x, account, fake_x, fan):
    fake = fake_x.fake
    sent = [fake.add_dm(FAN if i % 2 == 0 else USER_ID, f"message {i}", to=USER_ID if i % 2 == 0 else FAN)
            for i in range(5)]
    fake.page_size = 2
    page = dm_x.fetch_direct_messages(account, None)
    assert [m.remote_id for m in page.items] == sent
    assert page.cursor == sent[-1]
    reads = calls(fake_x, "/2/dm_events")
    assert [r["args"].get("pagination_token") for r in reads] == [None, "dm-page-2", "dm-page-4"]
    assert all(r["args"]["event_types"] == "MessageCreate" and "sender_id" in r["args"]["dm_event.fields"]
               and "dm_conversation_id" in r["args"]["dm_event.fields"] and "next_token" not in r["args"]
               for r in reads)

    newer = fake.add_dm(FAN, "one more", to=USER_ID)
    fake.requests.clear()
    page = dm_x.fetch_direct_messages(account, page.cursor)
    assert [m.remote_id for m in page.items] == [newer] and page.cursor == newer
    assert len(calls(fake_x, "/2/dm_events")) == 1  # the first page reached the cursor
    empty = dm_x.fetch_direct_messages(account, newer)
    assert empty.items == [] and empty.cursor is None


def test_own_messages_are_outbound_and_each_message_carries_its_conversation_and_author(dm_x, account, fake_x, fan):
    inbound = fake_x.fake.add_dm(FAN, "Is it in stock?", to=USER_ID)
    outbound = fake_x.fake.add_dm(USER_ID, "Yes, in blue and red.", to=FAN)
    items = {m.remote_id: m for m in dm_x.fetch_direct_messages(account, None).items}
    ana, us = items[inbound], items[outbound]
    assert (ana.kind, ana.direction, ana.thread_id, ana.author_id, ana.author_handle) == \
        ("dm", "inbound", CONVERSATION, FAN, "ana_fan")
    assert ana.author is not None and (ana.author.display_name, ana.author.followers, ana.author.verified) == \
        ("Ana", 1200, True)
    assert ana.text == "Is it in stock?" and ana.created_at is not None
    assert (us.direction, us.author_id, us.author_handle, us.thread_id) == ("outbound", USER_ID, HANDLE, CONVERSATION)


def test_a_group_conversation_keeps_its_numeric_id(dm_x, account, fake_x, fan):
    fake_x.fake.add_group("1582838499983564806", [USER_ID, FAN, "42"])
    fake_x.fake.add_dm(FAN, "Hi everyone.", conversation="1582838499983564806")
    (item,) = dm_x.fetch_direct_messages(account, None).items
    assert item.thread_id == "1582838499983564806"


def test_a_poll_that_runs_out_of_pages_before_the_cursor_flags_the_gap(make_connector, account, fake_x, fan):
    fake = fake_x.fake
    cursor = fake.add_dm(FAN, "old", to=USER_ID)
    newer = [fake.add_dm(FAN, f"burst {i}", to=USER_ID) for i in range(7)]
    fake.page_size = 2
    page = make_connector(direct_messages=True, dm_max_pages=2).fetch_direct_messages(account, cursor)
    assert [m.remote_id for m in page.items] == newer[-4:]
    assert page.items[0].raw[GAP_FLAG] is True and not any(GAP_FLAG in m.raw for m in page.items[1:])
    assert page.cursor == newer[-1]


def test_attachments_and_linked_posts_become_media_and_only_web_links_are_kept(dm_x, account, fake_x, fan):
    fake_x.fake.dm_media["3_1"] = {"media_key": "3_1", "type": "photo", "url": "https://pbs.twimg.com/a.jpg"}
    fake_x.fake.dm_media["3_2"] = {"media_key": "3_2", "type": "video", "preview_image_url": "javascript:alert(1)"}
    fake_x.fake.add_dm(FAN, "look", to=USER_ID, media_keys=["3_1", "3_2", "3_missing"], refers_to="1456")
    (item,) = dm_x.fetch_direct_messages(account, None).items
    assert item.media == [{"kind": "image", "url": "https://pbs.twimg.com/a.jpg"},
                          {"kind": "post", "url": "https://x.test/i/web/status/1456"}]


def test_the_read_budget_comes_from_x_rate_limit_headers(dm_x, account, fake_x, fan):
    fake_x.fake.add_dm(FAN, "hi", to=USER_ID)
    fake_x.fake.set_remaining(USER_ID, "dm_read", 10)
    budget = dm_x.fetch_direct_messages(account, None).budget
    assert budget is not None
    assert (budget.limit, budget.remaining) == (15, 9)
    assert budget.reset_at == datetime.fromtimestamp(fake_x.fake.reset_epoch, UTC)


def test_without_rate_limit_headers_the_configured_dm_limit_is_assumed(make_connector, account, fake_x, fan):
    fake_x.fake.omit_rate_headers = True
    connector = make_connector(direct_messages=True, dm_read_limit=300)
    before = datetime.now(UTC)
    budget = connector.fetch_direct_messages(account, None).budget
    assert budget is not None and (budget.limit, budget.remaining) == (300, 299)
    assert before + timedelta(minutes=14) < budget.reset_at <= datetime.now(UTC) + timedelta(minutes=15)


def test_a_429_on_a_read_is_rate_limited_until_x_reset(dm_x, account, fake_x):
    fake_x.fake.read_failures = [429]
    with pytest.raises(RateLimited) as caught:
        dm_x.fetch_direct_messages(account, "1")
    assert caught.value.reset_at == datetime.fromtimestamp(fake_x.fake.reset_epoch, UTC)
    assert caught.value.status == 429


def test_a_5xx_or_a_timeout_on_a_read_is_transient(make_connector, account, fake_x):
    fake_x.fake.read_failures = [503]
    with pytest.raises(TransientError) as caught:
        make_connector(direct_messages=True).fetch_direct_messages(account, None)
    assert caught.value.status == 503
    fake_x.fake.read_failures, fake_x.fake.slow_seconds = [-1], 1.0
    with pytest.raises(TransientError) as caught:
        make_connector(direct_messages=True, timeout_seconds=0.2).fetch_direct_messages(account, None)
    assert caught.value.code == "timeout"


def test_a_grant_without_the_dm_scopes_is_told_to_reconnect(dm_x, account, fake_x):
    old = ConnectedAccount("acc_1", USER_ID, HANDLE, TokenSet(access_token=account.tokens.access_token,
                                                                scope="tweet.read tweet.write users.read"))
    with pytest.raises(PermanentError) as caught:
        dm_x.fetch_direct_messages(old, None)
    assert caught.value.code == "missing_scope" and "reconnect" in caught.value.message
    assert "dm.read" in caught.value.message
    with pytest.raises(PermanentError) as caught:
        dm_x.send_reply(old, dm())
    assert caught.value.code == "missing_scope" and "dm.write" in caught.value.message
    assert fake_x.fake.requests == []


def test_x_refusing_the_read_names_what_x_said_and_what_dms_need(dm_x, fake_x):
    token = fake_x.fake.add_user(USER_ID, HANDLE, scopes=frozenset({"tweet.read", "users.read"}))
    basic = ConnectedAccount("acc_1", USER_ID, HANDLE, TokenSet(access_token=token))
    with pytest.raises(PermanentError) as caught:
        dm_x.fetch_direct_messages(basic, None)
    assert caught.value.code == "dm_forbidden" and caught.value.status == 403
    assert "not permitted to perform this action" in caught.value.message and "Pro" in caught.value.message


def test_an_answer_that_is_not_json_is_a_clear_transient_error(dm_x, account, fake_x):
    for raw in ("{not json", "[1, 2, 3]", ""):
        fake_x.fake.dm_raw_body = raw
        with pytest.raises(TransientError) as caught:
            dm_x.fetch_direct_messages(account, None)
        assert caught.value.code == "bad_response" and "not a JSON object" in caught.value.message


def test_hostile_events_are_skipped_item_by_item_and_odd_fields_read_as_missing(dm_x, account, fake_x):
    fake_x.fake.dm_list_body = {"data": [
        1, "two", None, {"text": "no id"}, {"id": "abc", "text": "not an id"},
        {"id": "77", "event_type": "ParticipantsJoin", "participant_ids": [USER_ID, FAN]},
        {"id": "78", "event_type": "MessageCreate", "text": ["not", "text"], "sender_id": {"id": 1},
         "dm_conversation_id": "../../2/tweets", "created_at": "yesterday", "attachments": "none",
         "referenced_tweets": "nope"},
        {"id": 79, "text": "an int id", "sender_id": FAN, "participant_ids": [FAN, USER_ID]},
    ], "meta": "not an object", "includes": {"users": "nobody", "media": [None]}}
    page = dm_x.fetch_direct_messages(account, None)
    odd, numbered = page.items
    assert (odd.remote_id, odd.text, odd.author_id, odd.thread_id, odd.created_at, odd.media) == \
        ("78", "", "", None, None, [])
    assert (numbered.remote_id, numbered.thread_id, numbered.direction) == ("79", CONVERSATION, "inbound")
    assert page.cursor == "79"


def test_a_cursor_that_is_not_an_event_id_reads_the_most_recent_again(dm_x, account, fake_x, fan):
    first = fake_x.fake.add_dm(FAN, "hi", to=USER_ID)
    assert [m.remote_id for m in dm_x.fetch_direct_messages(account, "dm1:{garbage").items] == [first]


# ----------------------------------------------------------------------------- reading mentions
def test_mentions_carry_their_conversation_reply_target_author_and_language(x, account, fake_x, fan):
    root = fake_x.fake.add_post(USER_ID, "Our launch is today")
    reply = fake_x.fake.add_post(FAN, "@heraldhq when does it ship?", reply_to=root, lang="en")
    page = x.fetch_mentions(account, None)
    (item,) = page.items
    assert (item.remote_id, item.thread_id, item.root_id, item.in_reply_to) == (reply, root, root, root)
    assert (item.direction, item.language, item.url) == ("inbound", "en", f"https://x.test/ana_fan/status/{reply}")
    assert item.author is not None and (item.author.handle, item.author.followers, item.author.verified) == \
        ("ana_fan", 1200, True)
    assert item.edit_of is None
    assert page.budget is not None and page.budget.limit == 450 and page.budget.remaining == 449
    fields = calls(fake_x, "/mentions")[0]["args"]["tweet.fields"].split(",")
    assert {"conversation_id", "referenced_tweets", "lang", "author_id"} <= set(fields)


def test_an_edited_mention_is_an_edit_of_the_original_post(x, account, fake_x, fan):
    original = fake_x.fake.add_post(FAN, "@heraldhq helo")
    edited = fake_x.fake.add_post(FAN, "@heraldhq hello")
    fake_x.fake.posts[edited]["edit_history_tweet_ids"] = [original, edited]
    del fake_x.fake.posts[original]
    (item,) = x.fetch_mentions(account, None).items
    assert (item.remote_id, item.edit_of, item.text) == (edited, original, "@heraldhq hello")


# ----------------------------------------------------------------------------- before sending
def test_a_public_reply_is_counted_as_x_counts_a_post(x):
    assert x.validate_reply(public("a" * 280, in_reply_to="1"), NOW) == []
    assert codes(x.validate_reply(public("a" * 281, in_reply_to="1"), NOW)) == [("text", "too_long")]
    assert x.validate_reply(public("日" * 140, in_reply_to="1"), NOW) == []
    assert codes(x.validate_reply(public("日" * 141, in_reply_to="1"), NOW)) == [("text", "too_long")]
    assert x.validate_reply(public("a" * 256 + " https://example.com/" + "x" * 300, in_reply_to="1"), NOW) == []


def test_a_direct_message_is_counted_in_characters_up_to_10000_and_has_no_window(dm_x):
    assert dm_x.validate_reply(dm("日" * 10_000), NOW) == []  # X's weighted count does not apply
    (problem,) = dm_x.validate_reply(dm("a" * 10_001), NOW)
    assert (problem.field, problem.code) == ("text", "too_long") and "10,000" in problem.message
    assert dm_x.validate_reply(dm(last_inbound_at=NOW - timedelta(days=29)), NOW) == []
    assert dm_x.reply_window_closes_at(dm(last_inbound_at=NOW)) is None


def test_each_kind_names_what_it_answers_by_x_ids(dm_x):
    assert codes(dm_x.validate_reply(public(), NOW)) == [("in_reply_to", "missing")]
    assert codes(dm_x.validate_reply(public(in_reply_to="../1"), NOW)) == [("in_reply_to", "invalid")]
    assert codes(dm_x.validate_reply(dm(thread_id=None), NOW)) == [("thread_id", "missing")]
    assert codes(dm_x.validate_reply(dm(thread_id="../../2/tweets"), NOW)) == [("thread_id", "invalid")]
    assert codes(dm_x.validate_reply(dm(thread_id=None, recipient_id="ana"), NOW)) == [("recipient_id", "invalid")]
    assert dm_x.validate_reply(dm(thread_id=None, recipient_id=FAN), NOW) == []
    assert codes(dm_x.validate_reply(ReplyRequest("r", "story", "hi"), NOW)) == [("kind", "unsupported")]
    assert codes(dm_x.validate_reply(dm("   "), NOW)) == [("text", "empty")]


def test_media_rules_per_kind(dm_x):
    video = MediaFile(kind="video", mime_type="video/mp4", size=3, url=None, read=lambda: b"mp4")
    assert codes(dm_x.validate_reply(dm(media=[IMAGE]), NOW)) == [("media", "unsupported")]
    assert dm_x.validate_reply(public(in_reply_to="1", media=[IMAGE] * 4), NOW) == []
    assert codes(dm_x.validate_reply(public(in_reply_to="1", media=[IMAGE] * 5), NOW)) == [("media", "too_many")]
    assert codes(dm_x.validate_reply(public(in_reply_to="1", media=[video, IMAGE]), NOW)) == \
        [("media", "video_alone")]


# ----------------------------------------------------------------------------- sending
def test_a_reply_to_a_post_is_posted_in_reply_to_it(dm_x, account, fake_x, fan):
    root = fake_x.fake.add_post(FAN, "@heraldhq my order is late")
    result = dm_x.send_reply(account, public(in_reply_to=root, root_id=root))
    post = fake_x.fake.posts[result.remote_id]
    assert post["referenced_tweets"] == [{"type": "replied_to", "id": root}] and post["conversation_id"] == root
    (create,) = [r for r in fake_x.fake.requests if r["method"] == "POST" and r["path"] == "/2/tweets"]
    assert create["json"] == {"text": "We're on it.", "reply": {"in_reply_to_tweet_id": root}}
    assert create["headers"]["Authorization"] == f"Bearer {account.tokens.access_token}"
    assert result.url == f"https://x.test/{HANDLE}/status/{result.remote_id}" and result.thread_id == root


def test_a_reply_with_an_image_uploads_it_first(dm_x, account, fake_x, fan):
    root = fake_x.fake.add_post(FAN, "@heraldhq picture please")
    result = dm_x.send_reply(account, public("Here it is", in_reply_to=root, media=[IMAGE]))
    assert len(fake_x.fake.posts[result.remote_id]["media_ids"]) == 1


def test_a_direct_message_goes_into_its_conversation_and_comes_back_as_the_same_outbound_item(
        dm_x, account, fake_x, fan):
    fake_x.fake.add_dm(FAN, "Hi! Is it in stock?", to=USER_ID)
    result = dm_x.send_reply(account, dm("Yes, in blue."))
    (send,) = calls(fake_x, "/messages")
    assert (send["method"], send["path"], send["json"]) == \
        ("POST", f"/2/dm_conversations/{CONVERSATION}/messages", {"text": "Yes, in blue."})
    assert result.thread_id == CONVERSATION and result.url == f"https://x.test/messages/{CONVERSATION}"
    echo = {m.remote_id: m for m in dm_x.fetch_direct_messages(account, None).items}[result.remote_id]
    assert (echo.direction, echo.text, echo.thread_id) == ("outbound", "Yes, in blue.", CONVERSATION)


def test_a_direct_message_to_a_person_starts_the_conversation(dm_x, account, fake_x, fan):
    result = dm_x.send_reply(account, dm("Hello Ana", thread_id=None, recipient_id=FAN))
    (send,) = calls(fake_x, "/messages")
    assert send["path"] == f"/2/dm_conversations/with/{FAN}/messages"
    assert result.thread_id == CONVERSATION and fake_x.fake.conversations[CONVERSATION] == {FAN, USER_ID}


def test_a_person_who_takes_no_messages_is_a_clear_permanent_error(dm_x, account, fake_x, fan):
    fake_x.fake.dm_closed = {FAN}
    with pytest.raises(DirectMessageRefused) as caught:
        dm_x.send_reply(account, dm(thread_id=None, recipient_id=FAN))
    assert caught.value.code == "dm_not_permitted" and "not permitted to send a Direct Message" in caught.value.message
    assert fake_x.fake.dm_events == []


def test_a_conversation_the_account_is_not_in_is_refused(dm_x, account, fake_x, fan):
    fake_x.fake.add_group("1582838499983564806", [FAN, "42"])
    with pytest.raises(PermanentError) as caught:
        dm_x.send_reply(account, dm(thread_id="1582838499983564806"))
    assert caught.value.code == "dm_forbidden" and "not a participant" in caught.value.message


def test_a_429_on_a_send_is_rate_limited_until_x_reset_and_nothing_is_sent(dm_x, account, fake_x, fan):
    fake_x.fake.dm_failures = ["429"]
    with pytest.raises(RateLimited) as caught:
        dm_x.send_reply(account, dm(thread_id=None, recipient_id=FAN))
    assert caught.value.reset_at == datetime.fromtimestamp(fake_x.fake.reset_epoch, UTC)
    assert fake_x.fake.dm_events == []
    root = fake_x.fake.add_post(FAN, "@heraldhq hi")
    fake_x.fake.create_failures = ["429"]
    with pytest.raises(RateLimited):
        dm_x.send_reply(account, public(in_reply_to=root))


def test_an_expired_token_on_a_send_is_auth_expired(dm_x, account, fake_x):
    stale = ConnectedAccount("acc", USER_ID, HANDLE, TokenSet(access_token="expired"))
    with pytest.raises(AuthExpired):
        dm_x.send_reply(stale, dm())


def test_a_request_that_breaks_x_rules_never_reaches_x(dm_x, account, fake_x):
    with pytest.raises(PermanentError) as caught:
        dm_x.send_reply(account, dm(thread_id="../../2/tweets"))
    assert caught.value.code == "invalid"
    with pytest.raises(PermanentError):
        dm_x.send_reply(account, public("a" * 281, in_reply_to="1"))
    assert fake_x.fake.requests == []


# ----------------------------------------------------------------------------- uncertain outcomes
def test_a_5xx_after_sending_is_uncertain_and_the_message_is_found_in_the_conversation(dm_x, account, fake_x, fan):
    fake_x.fake.add_dm(FAN, "Hi", to=USER_ID)
    since = started()
    fake_x.fake.dm_failures = ["5xx_sent"]
    request = dm("Sorry for the wait!", thread_id=None, recipient_id=FAN)
    with pytest.raises(UncertainOutcome) as caught:
        dm_x.send_reply(account, request)
    assert_hints_are_json(caught.value)
    assert caught.value.hints == {"x_dm_recipient_id": FAN} and "may have sent" in caught.value.message
    sent = fake_x.fake.dm_events[-1]["id"]
    retry = dm("Sorry for the wait!", thread_id=None, recipient_id=None,
               lookup_hints=MappingProxyType(caught.value.hints))
    found = dm_x.find_reply(account, retry, since)
    assert found is not None and (found.remote_id, found.thread_id) == (sent, CONVERSATION)
    assert calls(fake_x, "/dm_events")[-1]["path"] == f"/2/dm_conversations/with/{FAN}/dm_events"


def test_a_5xx_before_sending_is_uncertain_and_the_look_up_says_it_was_not_sent(dm_x, account, fake_x, fan):
    fake_x.fake.add_dm(FAN, "Hi", to=USER_ID)
    since = started()
    fake_x.fake.dm_failures = ["5xx_not_sent"]
    with pytest.raises(UncertainOutcome):
        dm_x.send_reply(account, dm("Sorry for the wait!"))
    assert dm_x.find_reply(account, dm("Sorry for the wait!"), since) is None
    assert dm_x.send_reply(account, dm("Sorry for the wait!")).remote_id == fake_x.fake.dm_events[-1]["id"]


def test_a_timeout_on_a_send_is_uncertain(make_connector, account, fake_x, fan):
    fake_x.fake.add_dm(FAN, "Hi", to=USER_ID)
    fake_x.fake.dm_failures, fake_x.fake.slow_seconds = ["slow_sent"], 1.0
    with pytest.raises(UncertainOutcome) as caught:
        make_connector(direct_messages=True, timeout_seconds=0.3).send_reply(account, dm())
    assert caught.value.code == "timeout" and caught.value.hints == {"x_dm_thread_id": CONVERSATION}


def test_an_answer_without_the_message_id_is_uncertain_never_taken_as_failed(dm_x, account, fake_x, fan):
    fake_x.fake.add_dm(FAN, "Hi", to=USER_ID)
    for failure in ("garbage_201", "no_id_201"):
        fake_x.fake.dm_failures = [failure]
        with pytest.raises(UncertainOutcome) as caught:
            dm_x.send_reply(account, dm(f"answer {failure}"))
        assert caught.value.code == "bad_response", failure


def test_the_same_text_sent_before_the_attempt_is_not_taken_for_it(dm_x, account, fake_x, fan):
    fake_x.fake.add_dm(USER_ID, "Thanks!", to=FAN, created_at=datetime.now(UTC) - timedelta(hours=2))
    fake_x.fake.add_dm(FAN, "Thanks!", to=USER_ID)  # the person's words, not the account's
    assert dm_x.find_reply(account, dm("Thanks!"), started()) is None


def test_a_message_buried_under_more_than_one_look_up_reads_cannot_be_ruled_out(make_connector, account, fake_x,
                                                                                 fan):
    for i in range(6):
        fake_x.fake.add_dm(FAN, f"more {i}", to=USER_ID)
    fake_x.fake.page_size = 2
    with pytest.raises(UncertainOutcome) as caught:
        make_connector(direct_messages=True, dm_max_pages=2).find_reply(account, dm("lost?"), started())
    assert caught.value.code == "dm_too_many"


def test_a_message_look_up_without_conversation_or_person_says_so(dm_x, account):
    with pytest.raises(UncertainOutcome) as caught:
        dm_x.find_reply(account, dm(thread_id=None), started())
    assert caught.value.code == "dm_unknown"


def test_a_public_reply_after_a_5xx_is_found_by_its_text_and_target(dm_x, account, fake_x, fan):
    root = fake_x.fake.add_post(FAN, "@heraldhq is the shop open?")
    since = started()
    fake_x.fake.create_failures = ["5xx_created"]
    request = public("Open until 8pm!", in_reply_to=root, root_id=root)
    with pytest.raises(UncertainOutcome) as caught:
        dm_x.send_reply(account, request)
    assert "may have posted the reply" in caught.value.message
    posted = next(p["id"] for p in fake_x.fake.posts.values() if p["text"] == "Open until 8pm!")
    found = dm_x.find_reply(account, request, since)
    assert found is not None and (found.remote_id, found.thread_id) == (posted, root)
    other = fake_x.fake.add_post(FAN, "@heraldhq and tomorrow?")
    assert dm_x.find_reply(account, public("Open until 8pm!", in_reply_to=other), since) is None


def test_a_public_reply_too_recent_for_search_cannot_be_ruled_out(make_connector, account, fake_x, fan):
    root = fake_x.fake.add_post(FAN, "@heraldhq hello")
    connector = make_connector(search_index_lag_seconds=600)
    with pytest.raises(UncertainOutcome) as caught:
        connector.find_reply(account, public("Hi!", in_reply_to=root), started())
    assert caught.value.code == "search_lag"


def test_a_duplicate_of_a_reply_already_there_is_that_reply(dm_x, account, fake_x, fan):
    root = fake_x.fake.add_post(FAN, "@heraldhq thanks")
    first = dm_x.send_reply(account, public("You're welcome!", in_reply_to=root))
    again = dm_x.send_reply(account, public("You're welcome!", in_reply_to=root))
    assert again.remote_id == first.remote_id
    assert sum(p["text"] == "You're welcome!" for p in fake_x.fake.posts.values()) == 1
    other = fake_x.fake.add_post(FAN, "@heraldhq thanks again")
    with pytest.raises(DuplicateContent) as caught:
        dm_x.send_reply(account, public("You're welcome!", in_reply_to=other))
    assert "duplicate" in caught.value.message
