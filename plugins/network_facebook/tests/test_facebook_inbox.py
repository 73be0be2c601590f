"""Comments and Messenger conversations read into the inbox, and the answers sent back."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from facebook_fake_graph import PAGE_ID, PAGE_NAME, FakeGraph

from herald.plugins import PermanentError, ReplyRequest, UncertainOutcome, utcnow
from herald_network_facebook.error_map import MessagingWindowClosed

ANNA = {"id": "7001", "name": "Anna Visitor"}


def post_with_comments(graph: FakeGraph) -> tuple[str, str, str, str]:
    post_id = graph.add_post("Launch day")
    now = time.time()
    first = graph.add_comment(post_id, "Love it", ANNA, now - 300)
    ours = graph.add_comment(post_id, "Thanks!", {"id": PAGE_ID, "name": PAGE_NAME}, now - 200, parent=first)
    later = graph.add_comment(post_id, "When in stores?", ANNA, now - 100)
    return post_id, first, ours, later


def test_comments_on_recent_posts_become_items_with_their_thread_and_parent(connector, account, graph):
    post_id, first, ours, later = post_with_comments(graph)
    page = connector.fetch_mentions(account, None)
    by_id = {m.remote_id: m for m in page.items}
    assert [m.remote_id for m in page.items] == [first, ours, later]  # oldest first, across comment pages
    assert by_id[first].kind == "comment" and by_id[first].thread_id == post_id == by_id[first].root_id
    assert by_id[first].in_reply_to == post_id and by_id[ours].in_reply_to == first
    assert by_id[first].author.display_name == "Anna Visitor" and by_id[first].direction == "inbound"
    assert by_id[ours].direction == "outbound"  # the Page's own reply is never routed
    assert page.cursor == by_id[later].created_at.isoformat()


def test_a_later_poll_reads_only_what_is_new_since_the_cursor(connector, account, graph):
    post_id, *_ = post_with_comments(graph)
    cursor = connector.fetch_mentions(account, None).cursor
    fresh = graph.add_comment(post_id, "Me too", ANNA, time.time())
    items = connector.fetch_mentions(account, cursor).items
    assert fresh in [m.remote_id for m in items] and len(items) <= 2  # at most the cursor's own second again


def test_the_poll_budget_comes_from_the_usage_headers(connector, account, graph):
    graph.app_usage = {"call_count": 75, "total_cputime": 10, "total_time": 10}
    graph.add_post("p")
    budget = connector.fetch_mentions(account, None).budget
    assert budget is not None and budget.limit == 100 and budget.remaining == 25


def test_messenger_conversations_become_direct_messages_in_both_directions(connector, account, graph):
    now = time.time()
    mid_in = graph.add_message("t_1", ANNA, True, "Is it open today?", now - 60)
    mid_out = graph.add_message("t_1", ANNA, False, "Yes, until 6", now - 30)
    page = connector.fetch_direct_messages(account, None)
    assert [(m.remote_id, m.direction) for m in page.items] == [(mid_in, "inbound"), (mid_out, "outbound")]
    assert {m.thread_id for m in page.items} == {"t_1"} and page.items[0].author_handle == "Anna Visitor"
    later = graph.add_message("t_1", ANNA, True, "Thanks", time.time() + 2)
    assert later in [m.remote_id for m in connector.fetch_direct_messages(account, page.cursor).items]


def test_a_reply_to_a_comment_is_posted_under_it(connector, account, graph):
    post_id, first, *_ = post_with_comments(graph)
    result = connector.send_reply(account, ReplyRequest("rep_1", "comment", "Thank you!", in_reply_to=first))
    reply = graph.comments[post_id][-1]
    assert reply["id"] == result.remote_id and reply["parent"] == {"id": first} and reply["message"] == "Thank you!"


def test_a_direct_message_reply_goes_to_the_person_with_messaging_type_response(connector, account, graph):
    graph.add_message("t_1", ANNA, True, "Hello?", time.time() - 60)
    result = connector.send_reply(account, ReplyRequest("rep_1", "dm", "Hi Anna", thread_id="t_1"))
    sent = graph.calls_to("POST", f"{PAGE_ID}/messages")[0]
    assert sent["messaging_type"] == "RESPONSE" and '"id":"7001"' in sent["recipient"]  # read off the thread
    assert result.remote_id == graph.conversations["t_1"]["messages"][0]["id"] and result.thread_id == "t_1"


def test_a_message_after_the_24_hour_window_is_a_problem_before_sending(connector):
    request = ReplyRequest("rep_1", "dm", "Late", recipient_id="7001", last_inbound_at=utcnow() - timedelta(hours=25))
    assert [p.code for p in connector.validate_reply(request, utcnow())] == ["window_closed"]


def test_facebooks_own_window_refusal_is_final(connector, account, graph):
    graph.add_message("t_1", ANNA, True, "Old", time.time() - 30 * 3600)
    with pytest.raises(MessagingWindowClosed):
        connector.send_reply(account, ReplyRequest("rep_1", "dm", "Late", recipient_id="7001"))


def test_answers_without_a_target_are_problems_and_never_sent(connector, account, graph):
    assert [p.field for p in connector.validate_reply(ReplyRequest("r", "comment", "x"), utcnow())] == ["in_reply_to"]
    assert [p.field for p in connector.validate_reply(ReplyRequest("r", "dm", "x"), utcnow())] == ["recipient_id"]
    with pytest.raises(PermanentError):
        connector.send_reply(account, ReplyRequest("r", "comment", "x", in_reply_to="1/../me"))
    assert graph.calls_to("POST", r".*") == []


def test_a_timed_out_reply_is_uncertain_and_found_afterwards_instead_of_sent_twice(make_connector, account, graph):
    post_id, first, *_ = post_with_comments(graph)
    graph.add_message("t_1", ANNA, True, "Hello?", time.time() - 60)
    started = utcnow() - timedelta(seconds=2)
    comment = ReplyRequest("rep_1", "comment", "On its way", in_reply_to=first)
    message = ReplyRequest("rep_2", "dm", "See you", recipient_id="7001")
    graph.create_mode = "slow_after"
    for request in (comment, message):
        with pytest.raises(UncertainOutcome):
            make_connector(request_timeout_s=1.0).send_reply(account, request)
    time.sleep(0.6)
    graph.create_mode = "ok"
    found = make_connector().find_reply(account, comment, started)
    assert found is not None and found.remote_id == graph.comments[post_id][-1]["id"]
    found = make_connector().find_reply(account, message, started)
    assert found is not None and (found.remote_id, found.thread_id) == (graph.conversations["t_1"]["messages"][0]["id"],
                                                                      "t_1")
    other = ReplyRequest("rep_3", "comment", "Never sent", in_reply_to=first)
    assert make_connector().find_reply(account, other, started) is None
