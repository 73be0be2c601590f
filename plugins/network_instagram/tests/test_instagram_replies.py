"""Answers from the account: checked before sending (UTF-8 bytes, windows, ids, media), sent to
the endpoint each kind needs, Meta's refusals mapped, and looked up after an uncertain outcome."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from instagram_fake_graph import USER_ID, ts

from herald.plugins import (
    AuthExpired,
    MediaFile,
    PermanentError,
    RateLimited,
    ReplyRequest,
    UncertainOutcome,
)
from herald_network_instagram.error_map import PermissionMissing
from herald_network_instagram.replies import ALREADY_SENT_PREFIX, MessagingWindowClosed

ANA = {"username": "ana.fan", "id": "6001"}
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ARABIC = "شكرا لك على رسالتك"  # 2 bytes per letter in UTF-8
EMOJI = "🎉"  # 4 bytes
IMAGE = MediaFile(kind="image", mime_type="image/jpeg", size=10, url="https://media.herald.test/a.jpg",
                  read=lambda: b"")


def dm(text: str = "Thanks for writing!", **kw: object) -> ReplyRequest:
    return ReplyRequest(reply_id="rep_1", kind="dm", text=text, **{"recipient_id": "6001", **kw})  # type: ignore[arg-type]


def codes(problems) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(p.field, p.code) for p in problems]


@pytest.fixture
def chat(graph):
    """A conversation in which Ana wrote an hour ago: the window is open."""
    now = time.time()
    return graph.add_conversation("aWdfconvA", ANA, [("in", "Hi! Is it in stock?", now - 3600)])


@pytest.fixture
def commented(graph):
    graph.media = [{"id": "1790", "caption": "new", "timestamp": ts(time.time() - 7200), "permalink": "p"}]
    graph.comments = {"1790": [{"id": "1801", "text": "Price?", "timestamp": ts(time.time() - 600),
                                "username": "ana.fan", "from": {"id": "6001", "username": "ana.fan"}}]}
    return graph


# ----------------------------------------------------------------------------- before sending
def test_a_direct_message_is_counted_in_utf8_bytes(connector):
    assert connector.validate_reply(dm("a" * 1000), NOW) == []
    assert connector.validate_reply(dm(EMOJI * 250), NOW) == []  # 1,000 bytes exactly
    (problem,) = connector.validate_reply(dm(EMOJI * 251), NOW)
    assert (problem.field, problem.code) == ("text", "too_long")
    assert "1000 bytes" in problem.message and "1004 bytes" in problem.message
    arabic = (ARABIC * 40)[:600]  # 600 characters, far fewer than 1,000, but over 1,000 bytes
    (problem,) = connector.validate_reply(dm(arabic), NOW)
    assert problem.code == "too_long" and f"{len(arabic.encode())} bytes" in problem.message


def test_a_text_over_the_limit_in_characters_is_reported_once_in_bytes(connector):
    problems = connector.validate_reply(dm("x" * 1200), NOW)
    assert codes(problems) == [("text", "too_long")]
    assert "bytes" in problems[0].message


def test_a_public_reply_is_counted_in_characters(connector):
    reply = ReplyRequest(reply_id="r", kind="comment", text=(ARABIC * 200)[:2000], in_reply_to="1801", root_id="1790")
    assert connector.validate_reply(reply, NOW) == []


def test_a_direct_message_after_the_24_hour_window_is_refused_before_sending(connector):
    assert connector.validate_reply(dm(last_inbound_at=NOW - timedelta(hours=23)), NOW) == []
    problems = connector.validate_reply(dm(last_inbound_at=NOW - timedelta(hours=25)), NOW)
    assert codes(problems) == [("kind", "window_closed")]
    assert connector.reply_window_closes_at(dm(last_inbound_at=NOW)) == NOW + timedelta(hours=24)


def test_a_private_reply_is_allowed_for_7_days_after_the_comment(connector):
    private = dm(recipient_id=None, private=True, in_reply_to="1801", last_inbound_at=NOW - timedelta(days=6))
    assert connector.validate_reply(private, NOW) == []
    late = dm(recipient_id=None, private=True, in_reply_to="1801", last_inbound_at=NOW - timedelta(days=8))
    (problem,) = connector.validate_reply(late, NOW)
    assert problem.code == "window_closed" and "7 days" in problem.message


def test_each_kind_names_what_it_answers(connector):
    assert codes(connector.validate_reply(dm(recipient_id=None), NOW)) == [("recipient_id", "missing")]
    assert codes(connector.validate_reply(dm(recipient_id="../me"), NOW)) == [("recipient_id", "missing")]
    assert codes(connector.validate_reply(dm(recipient_id=None, private=True), NOW)) == [("in_reply_to", "missing")]
    comment = ReplyRequest(reply_id="r", kind="comment", text="Hi")
    assert codes(connector.validate_reply(comment, NOW)) == [("in_reply_to", "missing")]
    on_post = ReplyRequest(reply_id="r", kind="comment", text="Hi", in_reply_to="1790", root_id="1790")
    assert codes(connector.validate_reply(on_post, NOW)) == [("in_reply_to", "unsupported")]
    mention = ReplyRequest(reply_id="r", kind="mention", text="Hi")
    assert codes(connector.validate_reply(mention, NOW)) == [("root_id", "missing")]
    odd = ReplyRequest(reply_id="r", kind="story", text="Hi")
    assert codes(connector.validate_reply(odd, NOW)) == [("kind", "unsupported")]


def test_media_rules_per_kind(connector):
    assert connector.validate_reply(dm("", media=[IMAGE]), NOW) == []
    assert codes(connector.validate_reply(dm("Look", media=[IMAGE]), NOW)) == [("media", "text_and_media")]
    assert codes(connector.validate_reply(dm("", media=[IMAGE, IMAGE]), NOW)) == [("media", "too_many")]
    no_url = MediaFile(kind="image", mime_type="image/jpeg", size=1, url=None, read=lambda: b"")
    assert codes(connector.validate_reply(dm("", media=[no_url]), NOW)) == [("media[0]", "no_url")]
    public = ReplyRequest(reply_id="r", kind="comment", text="Hi", in_reply_to="1801", media=[IMAGE])
    assert codes(connector.validate_reply(public, NOW)) == [("media", "unsupported")]


# ----------------------------------------------------------------------------- sending
def test_a_comment_reply_goes_to_the_comments_replies_edge(graph, connector, account, commented):
    result = connector.send_reply(account, ReplyRequest(reply_id="r", kind="comment", text="€19, link in bio",
                                                        in_reply_to="1801", root_id="1790"))
    assert graph.replies == [("1801", "€19, link in bio")]
    assert result.remote_id.isdigit() and result.thread_id == "1790"


def test_a_mention_reply_goes_to_the_mentions_edge(graph, connector, account):
    in_comment = ReplyRequest(reply_id="r", kind="mention", text="Thanks!", in_reply_to="1800", root_id="1790")
    assert connector.send_reply(account, in_comment).thread_id == "1790"
    in_caption = ReplyRequest(reply_id="r2", kind="mention", text="Thanks!", in_reply_to="1790", root_id="1790")
    connector.send_reply(account, in_caption)
    assert graph.mention_replies == [{"media_id": "1790", "message": "Thanks!", "comment_id": "1800"},
                                     {"media_id": "1790", "message": "Thanks!"}]


def test_a_direct_message_goes_to_the_person_and_lands_in_their_conversation(graph, connector, account, chat):
    result = connector.send_reply(account, dm("Yes, we have it. مرحبا 🎉"))
    (call,) = graph.calls_to("POST", f"{USER_ID}/messages")
    assert json.loads(call["recipient"]) == {"id": "6001"}
    assert json.loads(call["message"]) == {"text": "Yes, we have it. مرحبا 🎉"}
    assert call["access_token"] == "long-lived-1"
    assert result.remote_id == chat.messages[0]["id"] and result.thread_id == "aWdfconvA"


def test_a_direct_message_by_conversation_is_addressed_to_its_other_participant(graph, connector, account, chat):
    result = connector.send_reply(account, dm(recipient_id=None, thread_id="aWdfconvA"))
    assert json.loads(graph.calls_to("POST", f"{USER_ID}/messages")[0]["recipient"]) == {"id": "6001"}
    assert result.thread_id == "aWdfconvA"


def test_an_attachment_is_sent_as_a_message_of_its_own(graph, connector, account, chat):
    connector.send_reply(account, dm("", media=[IMAGE]))
    message = json.loads(graph.calls_to("POST", f"{USER_ID}/messages")[0]["message"])
    assert message == {"attachment": {"type": "image", "payload": {"url": "https://media.herald.test/a.jpg"}}}


def test_instagrams_own_window_refusal_is_a_clear_permanent_error(graph, connector, account):
    graph.add_conversation("aWdfconvA", ANA, [("in", "Hi", time.time() - 30 * 3600)])
    with pytest.raises(MessagingWindowClosed) as caught:
        connector.send_reply(account, dm())  # Herald did not know when Ana last wrote
    exc = caught.value
    assert isinstance(exc, PermanentError) and not isinstance(exc, PermissionMissing)
    assert "24-hour window closed" in exc.message and "outside of allowed window" in exc.message
    assert exc.code == "10/2534022"
    assert graph.sent_messages == []


def test_a_closed_window_known_to_herald_is_refused_without_calling_instagram(graph, connector, account, chat):
    with pytest.raises(MessagingWindowClosed):
        connector.send_reply(account, dm(last_inbound_at=datetime.now(UTC) - timedelta(hours=25)))
    assert graph.calls_to("POST", r".*") == []


def test_a_private_reply_answers_the_comment_once(graph, connector, account, commented):
    private = dm("We sent you the price privately", recipient_id=None, private=True, in_reply_to="1801")
    result = connector.send_reply(account, private)
    assert json.loads(graph.calls_to("POST", f"{USER_ID}/messages")[0]["recipient"]) == {"comment_id": "1801"}
    assert result.remote_id.startswith("aWdfmid") and result.thread_id is not None
    again = connector.send_reply(account, private)  # Meta: 10/2534025, already sent
    assert again.remote_id == f"{ALREADY_SENT_PREFIX}1801"
    assert len(graph.sent_messages) == 1


def test_a_refused_permission_on_a_private_reply_is_not_taken_for_an_earlier_reply(graph, connector, account,
                                                                                   commented):
    graph.fail_next("POST", f"{USER_ID}/messages", 10, "(#10) Application does not have permission for this action")
    with pytest.raises(PermissionMissing):
        connector.send_reply(account, dm(recipient_id=None, private=True, in_reply_to="1801"))


def test_a_private_reply_to_an_unknown_comment_is_permanent(graph, connector, account):
    with pytest.raises(PermanentError) as caught:
        connector.send_reply(account, dm(recipient_id=None, private=True, in_reply_to="1999"))
    assert caught.value.code == "100/2534014" and not isinstance(caught.value, PermissionMissing)


def test_other_refusals_are_mapped_as_for_publishing(graph, connector, account, chat):
    graph.fail_next("POST", f"{USER_ID}/messages", 190, "Error validating access token", subcode=463)
    with pytest.raises(AuthExpired):
        connector.send_reply(account, dm())
    graph.fail_next("POST", f"{USER_ID}/messages", 613, "Calls to this api have exceeded the rate limit.")
    with pytest.raises(RateLimited):
        connector.send_reply(account, dm())
    graph.fail_next("POST", f"{USER_ID}/messages", 10, "(#10) Application does not have permission for this action")
    with pytest.raises(PermissionMissing):
        connector.send_reply(account, dm())


# ----------------------------------------------------------------------------- uncertain outcomes
def test_a_5xx_after_sending_is_uncertain_and_the_message_is_found_in_the_conversation(graph, connector, account,
                                                                                       chat):
    graph.send_mode = "500_after"
    started = datetime.now(UTC)
    with pytest.raises(UncertainOutcome) as caught:
        connector.send_reply(account, dm("Sent once"))
    assert caught.value.hints == {"instagram_recipient_id": "6001"}
    graph.send_mode = "ok"
    retry = dm("Sent once", lookup_hints=MappingProxyType(caught.value.hints))
    found = connector.find_reply(account, retry, started)
    assert found is not None and found.remote_id == graph.sent_messages[0]["message_id"]
    assert found.thread_id == "aWdfconvA"
    assert len(graph.sent_messages) == 1


def test_a_timeout_is_uncertain(graph, connector, account, chat):
    graph.send_mode = "slow_after"
    with pytest.raises(UncertainOutcome):
        connector.send_reply(account, dm())


def test_an_answer_without_the_message_id_is_uncertain(graph, connector, account, chat):
    graph.send_mode = "no_id"
    with pytest.raises(UncertainOutcome):
        connector.send_reply(account, dm())


def test_a_message_that_did_not_go_out_is_not_found(graph, connector, account, chat):
    started = datetime.now(UTC)
    assert connector.find_reply(account, dm("never sent"), started) is None
    stranger = dm("never sent", recipient_id="6999")
    assert connector.find_reply(account, stranger, started) is None  # no conversation with them at all


def test_a_message_buried_under_more_than_20_newer_ones_cannot_be_ruled_out(graph, connector, account, chat):
    started = datetime.now(UTC) - timedelta(minutes=1)
    for i in range(21):
        graph.add_message(chat, "in", f"spam {i}", time.time())
    with pytest.raises(UncertainOutcome):
        connector.find_reply(account, dm("buried"), started)


def test_a_comment_reply_is_found_among_the_posts_comments(graph, connector, account, commented):
    graph.send_mode = "500_after"
    request = ReplyRequest(reply_id="r", kind="comment", text="See DM", in_reply_to="1801", root_id="1790")
    started = datetime.now(UTC)
    with pytest.raises(UncertainOutcome):
        connector.send_reply(account, request)
    found = connector.find_reply(account, request, started)
    assert found is not None and found.remote_id == graph.comments["1790"][-1]["id"]
    other = ReplyRequest(reply_id="r", kind="comment", text="Not sent", in_reply_to="1801", root_id="1790")
    assert connector.find_reply(account, other, started) is None


def test_what_cannot_be_looked_up_says_so(connector, account):
    started = datetime.now(UTC)
    with pytest.raises(UncertainOutcome):
        connector.find_reply(account, ReplyRequest(reply_id="r", kind="mention", text="Hi", root_id="1790"), started)
    with pytest.raises(UncertainOutcome):
        connector.find_reply(account, ReplyRequest(reply_id="r", kind="comment", text="Hi", in_reply_to="1"), started)
    # resending a private reply is safe: Instagram refuses a second one, which counts as sent
    assert connector.find_reply(account, dm(recipient_id=None, private=True, in_reply_to="1801"), started) is None
