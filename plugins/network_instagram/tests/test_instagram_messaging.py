"""Reading direct messages: conversations and their messages, directions, authors, attachments,
the cursor, the 20-most-recent limit, the read budget and hostile answers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import instagram_fake_graph as fake
import pytest
from instagram_fake_graph import USER_ID, ts

from herald.plugins import AuthorProfile, RateLimited, TransientError
from herald_network_instagram.dm_cursor import DmCursor
from herald_network_instagram.messaging import GAP_FLAG

ANA = {"username": "ana.fan", "id": "6001"}
BEN = {"username": "ben", "id": "6002"}


@pytest.fixture
def base() -> float:
    return float(int(time.time()) - 3600)


@pytest.fixture
def dms(graph, base):
    graph.add_conversation("aWdfconvA", ANA, [("in", "Is the shop open?", base), ("out", "Yes, until 6.", base + 60),
                                              ("in", "Thanks!", base + 120)])
    graph.add_conversation("aWdfconvB", BEN, [("in", "Do you ship abroad?", base + 30)])
    return graph


def _ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.remote_id for m in page.items]


def test_messages_come_with_their_conversation_direction_and_author(dms, connector, account, base):
    page = connector.fetch_direct_messages(account, None)
    assert [(m.text, m.thread_id, m.direction) for m in page.items] == [
        ("Is the shop open?", "aWdfconvA", "inbound"), ("Do you ship abroad?", "aWdfconvB", "inbound"),
        ("Yes, until 6.", "aWdfconvA", "outbound"), ("Thanks!", "aWdfconvA", "inbound")]
    assert {m.kind for m in page.items} == {"dm"}
    first = page.items[0]
    assert first.remote_id == dms.conversations["aWdfconvA"].messages[-1]["id"]
    assert (first.author_id, first.author_handle) == ("6001", "ana.fan")
    assert first.author == AuthorProfile(remote_id="6001", handle="ana.fan")
    assert first.created_at == datetime.fromtimestamp(base, UTC)
    reply = page.items[2]
    assert (reply.author_id, reply.author_handle) == (USER_ID, "acme.brand")
    assert dms.calls_to("GET", f"{USER_ID}/conversations")[0]["platform"] == "instagram"
    assert dms.calls_to("GET", "aWdfconvA")[0]["fields"] == "messages,participants"


def test_attachments_become_media_and_only_web_links_are_kept(graph, connector, account, base):
    conv = graph.add_conversation("aWdfconvA", ANA, [])
    graph.add_message(conv, "in", "", base, attachments={"data": [
        {"image_data": {"url": "https://cdn.test/a.jpg", "preview_url": "https://cdn.test/a-small.jpg"}},
        {"video_data": {"url": "https://cdn.test/v.mp4"}},
        {"file_url": "https://cdn.test/f.pdf"},
        {"image_data": {"url": "javascript:alert(1)"}},
        {"type": "audio", "payload": {"url": "https://cdn.test/s.mp4"}},
        "not an attachment"]})
    (item,) = connector.fetch_direct_messages(account, None).items
    assert item.media == [{"kind": "image", "url": "https://cdn.test/a.jpg"},
                          {"kind": "video", "url": "https://cdn.test/v.mp4"},
                          {"kind": "file", "url": "https://cdn.test/f.pdf"},
                          {"kind": "file", "url": "https://cdn.test/s.mp4"}]
    fields = graph.calls_to("GET", item.remote_id)[0]["fields"]
    assert fields.startswith("id,created_time,from,to,message,attachments")


def test_the_cursor_neither_repeats_nor_loses_messages(dms, connector, account, base):
    first = connector.fetch_direct_messages(account, None)
    assert len(first.items) == 4 and first.cursor is not None
    again = connector.fetch_direct_messages(account, first.cursor)
    assert again.items == [] and again.cursor is None  # None: keep the old cursor
    # a message in the very second of the newest one, and one in another conversation
    same_second = dms.add_message(dms.conversations["aWdfconvA"], "in", "One more thing", base + 120)
    later = dms.add_message(dms.conversations["aWdfconvB"], "in", "Hello?", base + 200)
    page = connector.fetch_direct_messages(account, first.cursor)
    assert _ids(page) == [same_second["id"], later["id"]]
    assert connector.fetch_direct_messages(account, page.cursor).items == []


def test_a_message_that_surfaces_a_little_late_is_still_read(dms, connector, account, base):
    first = connector.fetch_direct_messages(account, None)
    late = dms.add_message(dms.conversations["aWdfconvB"], "in", "sent before, listed after", base + 90)
    page = connector.fetch_direct_messages(account, first.cursor)
    assert _ids(page) == [late["id"]]


def test_conversations_not_active_since_the_cursor_are_not_opened(dms, connector, account, base):
    first = connector.fetch_direct_messages(account, None)
    dms.conversations["aWdfconvB"].updated_time = ts(base - 86400)
    dms.calls.clear()
    dms.add_message(dms.conversations["aWdfconvA"], "in", "new", base + 500)
    page = connector.fetch_direct_messages(account, first.cursor)
    assert [m.text for m in page.items] == ["new"]
    assert dms.calls_to("GET", "aWdfconvB") == []
    assert len(dms.calls_to("GET", r"aWdfmid\d+")) == 1  # only the new message's details


def test_conversations_are_read_across_pages(graph, connector, account, base):
    for i in range(5):
        graph.add_conversation(f"aWdfconv{i}", {"username": f"p{i}", "id": f"70{i}"}, [("in", f"hi {i}", base + i)])
    page = connector.fetch_direct_messages(account, None)
    assert sorted(m.text for m in page.items) == [f"hi {i}" for i in range(5)]
    assert len(graph.calls_to("GET", f"{USER_ID}/conversations")) == 3  # 2 + 2 + 1


def test_updated_time_as_a_unix_timestamp_is_understood(dms, connector, account, base):
    dms.unix_updated_time = True
    first = connector.fetch_direct_messages(account, None)
    dms.add_message(dms.conversations["aWdfconvB"], "in", "later", base + 300)
    assert [m.text for m in connector.fetch_direct_messages(account, first.cursor).items] == ["later"]


def test_the_first_poll_reads_only_the_most_recently_active_conversations(graph, make_connector, account, base):
    for i in range(4):
        graph.add_conversation(f"aWdfconv{i}", {"username": f"p{i}", "id": f"70{i}"}, [("in", f"hi {i}", base + i)])
    page = make_connector(recent_conversations_limit=2).fetch_direct_messages(account, None)
    assert sorted(m.text for m in page.items) == ["hi 2", "hi 3"]


def test_more_than_20_new_messages_in_one_conversation_are_read_up_to_the_readable_20(dms, connector, account, base):
    first = connector.fetch_direct_messages(account, None)
    burst = [dms.add_message(dms.conversations["aWdfconvA"], "in", f"m{i}", base + 1000 + i) for i in range(25)]
    page = connector.fetch_direct_messages(account, first.cursor)
    assert _ids(page) == [m["id"] for m in burst[5:]]  # the 20 most recent; Meta keeps the rest from us
    assert page.items[0].raw[GAP_FLAG] is True
    assert not any(GAP_FLAG in m.raw for m in page.items[1:])
    assert all(dms.calls_to("GET", m["id"]) == [] for m in burst[:5])


def test_a_new_conversation_of_exactly_20_messages_has_no_gap(graph, connector, account, base):
    graph.add_conversation("aWdfconvA", ANA, [("in", "old", base)])
    first = connector.fetch_direct_messages(account, None)
    conv = graph.add_conversation("aWdfconvN", BEN, [("in", f"m{i}", base + 100 + i) for i in range(20)])
    page = connector.fetch_direct_messages(account, first.cursor)
    assert _ids(page) == [m["id"] for m in reversed(conv.messages)]
    assert not any(GAP_FLAG in m.raw for m in page.items)


def test_no_gap_is_flagged_when_the_new_messages_fit(dms, connector, account, base):
    first = connector.fetch_direct_messages(account, None)
    for i in range(3):
        dms.add_message(dms.conversations["aWdfconvA"], "in", f"m{i}", base + 1000 + i)
    page = connector.fetch_direct_messages(account, first.cursor)
    assert len(page.items) == 3 and not any(GAP_FLAG in m.raw for m in page.items)


def test_a_cursor_that_cannot_be_read_reads_the_most_recent_again(dms, connector, account):
    for cursor in ("dm1:{not json", "dm1:[1,2]", 'dm1:{"t":"x","seen":[]}', "garbage"):
        assert len(connector.fetch_direct_messages(account, cursor).items) == 4


def test_the_cursor_stays_small_through_a_burst():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    cursor = DmCursor().advanced({f"m{i}": at + timedelta(milliseconds=i) for i in range(5000)})
    assert len(cursor.seen) == 2000 and "m4999" in cursor.seen
    assert DmCursor.decode(cursor.encode()).seen == cursor.seen


def test_a_message_refused_for_good_is_skipped_but_an_outage_fails_the_poll(dms, connector, account):
    newest = dms.conversations["aWdfconvA"].messages[0]["id"]
    dms.fail_next("GET", newest, 100, "Object does not exist", subcode=33)
    assert len(connector.fetch_direct_messages(account, None).items) == 3
    dms.fail_next("GET", newest, 1, "An unknown error occurred", status=500, is_transient=True)
    with pytest.raises(TransientError):
        connector.fetch_direct_messages(account, None)


def test_throttling_while_reading_conversations_is_rate_limited(dms, connector, account):
    dms.fail_next("GET", f"{USER_ID}/conversations", 613, "Calls to this api have exceeded the rate limit.")
    with pytest.raises(RateLimited):
        connector.fetch_direct_messages(account, None)


def test_the_read_budget_comes_from_the_usage_headers(dms, connector, account):
    dms.app_usage = {"call_count": 30, "total_cputime": 5, "total_time": 7}
    dms.buc_usage = {"call_count": 62, "total_cputime": 10, "total_time": 12, "estimated_time_to_regain_access": 0}
    before = datetime.now(UTC)
    budget = connector.fetch_direct_messages(account, None).budget
    assert budget is not None and (budget.limit, budget.remaining) == (100, 38)
    assert before + timedelta(minutes=59) < budget.reset_at <= datetime.now(UTC) + timedelta(hours=1)


def test_a_used_up_allowance_leaves_no_budget_until_the_regain_time(dms, connector, account):
    dms.buc_usage = {"call_count": 100, "total_cputime": 10, "total_time": 12, "estimated_time_to_regain_access": 5}
    budget = connector.fetch_mentions(account, None).budget
    assert budget is not None and budget.remaining == 0
    assert budget.reset_at - datetime.now(UTC) <= timedelta(minutes=5)
    assert budget.reset_at - datetime.now(UTC) > timedelta(minutes=4)


def test_hostile_answers_are_skipped_item_by_item(dms, connector, account, monkeypatch):
    original = fake._node

    def odd(state, node_id, p):  # type: ignore[no-untyped-def]
        status, body = original(state, node_id, p)
        if node_id == "aWdfconvA":
            body["participants"] = "nobody"
            body["messages"]["data"] += [{"created_time": "2026-01-01T00:00:00+0000"}, {"id": ["x"]}, 7,
                                         {"id": "../../me", "created_time": 5}]
        elif node_id.startswith("aWdfmid") and body.get("message") == "Thanks!":
            body["from"] = "not a dict"
            body["message"] = {"text": "not a string"}
            body["created_time"] = None
        return status, body

    monkeypatch.setattr(fake, "_node", odd)
    original_conversations = fake._conversations

    def odd_list(state, p):  # type: ignore[no-untyped-def]
        status, body = original_conversations(state, p)
        body["data"] = [{"id": {"x": 1}}, "junk", {"updated_time": 12}, *body["data"]]
        return status, body

    monkeypatch.setattr(fake, "_conversations", odd_list)
    page = connector.fetch_direct_messages(account, None)
    assert len(page.items) == 4
    odd_item = next(m for m in page.items if m.author_id == "")
    assert (odd_item.text, odd_item.author, odd_item.direction, odd_item.created_at) == ("", None, "inbound", None)
    assert not any(path.startswith("..") or path == "me" for _, path, _ in dms.calls)
