"""Webhook deliveries as recorded events and as inbox items: messaging events recorded once per
message, the account each event is for, and items identical to what polling returns for the
same comment, mention or message (the inbox keeps one item per account and remote id)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from instagram_fake_graph import USER_ID, ts
from instagram_webhook_kit import deliver

from herald.plugins import AuthorProfile, Mention, TransientError
from herald_network_instagram.webhook_events import events

ANA = {"username": "ana.fan", "id": "6001"}
IDENTITY = ("remote_id", "kind", "thread_id", "root_id", "in_reply_to", "direction", "author_id", "author_handle",
            "text", "edit_of", "deleted")


def identity(item: Mention) -> tuple[Any, ...]:
    return tuple(getattr(item, name) for name in IDENTITY)


def recorded(payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(type, data) of each event the callback records for ``payload``."""
    return [(e.type, e.data) for e in events(payload)]


def comment_delivery(comment_id: str, media_id: str, text: str, sender: dict[str, str],
                     parent_id: str | None = None, entry_id: str = USER_ID) -> dict[str, Any]:
    value: dict[str, Any] = {"from": sender, "media": {"id": media_id, "media_product_type": "FEED"},
                             "id": comment_id, "text": text}
    if parent_id:
        value["parent_id"] = parent_id
    return {"object": "instagram", "entry": [{"id": entry_id, "time": int(time.time()), "changes": [
        {"field": "comments", "value": value}]}]}


def message_delivery(mid: str, text: str, *, echo: bool = False, person: str = "6001", account: str = USER_ID,
                     entry_time: int = 1569262486134, **message: Any) -> dict[str, Any]:
    sender, recipient = (account, person) if echo else (person, account)
    body: dict[str, Any] = {"mid": mid, "text": text, **message}
    if echo:
        body["is_echo"] = True
    return {"object": "instagram", "entry": [{"id": account, "time": entry_time, "messaging": [
        {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": int(time.time() * 1000),
         "message": body}]}]}


def items(connector, account, payload) -> list[Mention]:  # type: ignore[no-untyped-def]
    out: list[Mention] = []
    for event_type, data in recorded(payload):
        out.extend(connector.items_from_webhook(account, event_type, data))
    return out


@pytest.fixture
def post(graph):
    """The account's post with a comment by Ana, a reply under it by Ben, and the account's own reply."""
    now = time.time()
    graph.media = [{"id": "1790", "caption": "new", "timestamp": ts(now - 7200), "permalink": "https://ig.test/p/1"}]
    graph.comments = {"1790": [
        {"id": "1801", "text": "Price?", "timestamp": ts(now - 600), "username": "ana.fan",
         "from": {"id": "6001", "username": "ana.fan"}},
        {"id": "1802", "text": "+1", "timestamp": ts(now - 500), "username": "ben",
         "from": {"id": "6002", "username": "ben"}, "parent_id": "1801"},
        {"id": "1803", "text": "€19", "timestamp": ts(now - 400), "username": "acme.brand",
         "from": {"id": USER_ID, "username": "acme.brand"}, "parent_id": "1801"}]}
    return graph


@pytest.fixture
def chat(graph):
    now = time.time()
    return graph.add_conversation("aWdfconvA", ANA, [("in", "Hi! Is it in stock?", now - 60),
                                                     ("out", "Yes!", now - 30)])


# ----------------------------------------------------------------------------- polling
def test_polled_comments_are_rich_items_under_their_post(post, connector, account):
    page = connector.fetch_mentions(account, None)
    by_id = {m.remote_id: m for m in page.items}
    top, reply, own = by_id["1801"], by_id["1802"], by_id["1803"]
    assert (top.kind, top.thread_id, top.root_id, top.in_reply_to) == ("comment", "1790", "1790", "1790")
    assert (reply.in_reply_to, reply.root_id) == ("1801", "1790")
    assert top.author == AuthorProfile(remote_id="6001", handle="ana.fan")
    assert (top.direction, own.direction) == ("inbound", "outbound")
    assert top.url == "https://ig.test/p/1"
    assert page.budget is not None and page.budget.limit == 100


def test_polled_tags_are_mentions_of_their_own_media(graph, connector, account):
    graph.tags = [{"id": "1795", "caption": "Loving @acme.brand", "timestamp": ts(time.time()), "username": "fan",
                   "permalink": "https://ig.test/p/5"}]
    (tag,) = connector.fetch_mentions(account, None).items
    assert (tag.remote_id, tag.kind, tag.thread_id, tag.root_id, tag.url) == (
        "1795", "mention", "1795", "1795", "https://ig.test/p/5")
    assert tag.author is None  # Meta names the owner by username only


# ----------------------------------------------------------------------------- same items, both ways
@pytest.mark.parametrize("comment_id", ["1801", "1802", "1803"])
def test_a_comment_seen_by_webhook_is_the_item_polling_returns(post, connector, account, comment_id):
    polled = next(m for m in connector.fetch_mentions(account, None).items if m.remote_id == comment_id)
    raw = next(c for c in post.comments["1790"] if c["id"] == comment_id)
    delivered = items(connector, account, comment_delivery(comment_id, "1790", raw["text"], raw["from"],
                                                           raw.get("parent_id")))
    assert [identity(m) for m in delivered] == [identity(polled)]
    assert delivered[0].author == polled.author


def test_a_mention_seen_by_webhook_is_the_item_polling_returns(graph, connector, account):
    stamp = ts(time.time())
    graph.tags = [{"id": "1795", "caption": "Loving @acme.brand", "timestamp": stamp, "username": "fan"}]
    graph.mentioned_media = {"1795": {"id": "1795", "caption": "Loving @acme.brand", "media_type": "IMAGE",
                                      "timestamp": stamp}}
    (polled,) = connector.fetch_mentions(account, None).items
    payload = {"object": "instagram", "entry": [{"id": USER_ID, "time": 1, "changes": [
        {"field": "mentions", "value": {"media_id": "1795"}}]}]}
    (delivered,) = items(connector, account, payload)
    assert (delivered.remote_id, delivered.kind, delivered.thread_id, delivered.root_id, delivered.text) == (
        polled.remote_id, polled.kind, polled.thread_id, polled.root_id, polled.text)


def test_a_mention_in_a_comment_is_read_and_placed_under_its_media(graph, connector, account):
    graph.mentioned_comments = {"1811": {"id": "1811", "text": "@acme.brand look", "timestamp": ts(time.time())}}
    payload = {"object": "instagram", "entry": [{"id": USER_ID, "time": 1, "changes": [
        {"field": "mentions", "value": {"media_id": "1795", "comment_id": "1811"}}]}]}
    (item,) = items(connector, account, payload)
    assert (item.remote_id, item.kind, item.thread_id, item.root_id, item.in_reply_to, item.text) == (
        "1811", "mention", "1795", "1795", "1795", "@acme.brand look")


def test_a_message_seen_by_webhook_is_the_item_polling_returns(graph, connector, account, chat):
    polled = connector.fetch_direct_messages(account, None).items
    inbound, outbound = polled
    delivered = items(connector, account, message_delivery(inbound.remote_id, "Hi! Is it in stock?"))
    echo = items(connector, account, message_delivery(outbound.remote_id, "Yes!", echo=True))
    assert [identity(m) for m in delivered + echo] == [identity(inbound), identity(outbound)]
    assert delivered[0].author == inbound.author == AuthorProfile(remote_id="6001", handle="ana.fan")
    assert graph.calls_to("GET", f"{USER_ID}/conversations")[-1]["user_id"] == "6001"


def test_an_echo_is_outbound_and_for_the_account_that_sent_it(connector, account, chat):
    ((event_type, data),) = recorded(message_delivery("aWdfmidX", "Sent from the app", echo=True))
    assert connector.webhook_account(event_type, data) == USER_ID
    (item,) = connector.items_from_webhook(account, event_type, data)
    assert (item.direction, item.author_id, item.author_handle, item.thread_id) == (
        "outbound", USER_ID, "acme.brand", "aWdfconvA")


def test_message_attachments_become_media(connector, account, chat):
    payload = message_delivery("aWdfmidA", "", attachments=[
        {"type": "image", "payload": {"url": "https://cdn.test/a.jpg"}},
        {"type": "ig_reel", "payload": {"url": "https://cdn.test/r"}}, {"type": "image"}, "junk"])
    (item,) = items(connector, account, payload)
    assert item.media == [{"kind": "image", "url": "https://cdn.test/a.jpg"}, {"kind": "post", "url": "https://cdn.test/r"}]


def test_an_edited_message_names_the_message_it_edits(connector, account, chat):
    payload = message_delivery("aWdfmidE", "ignored")
    item = payload["entry"][0]["messaging"][0]
    item["message_edit"] = {"mid": "aWdfmidE", "text": "Is it in stock in blue?", "num_edit": 1}
    del item["message"]
    (edited,) = items(connector, account, payload)
    assert (edited.remote_id, edited.edit_of, edited.text, edited.thread_id) == (
        "aWdfmidE", "aWdfmidE", "Is it in stock in blue?", "aWdfconvA")


def test_a_deleted_message_is_a_tombstone(connector, account, chat):
    (gone,) = items(connector, account, message_delivery("aWdfmidD", "", is_deleted=True))
    assert (gone.remote_id, gone.deleted) == ("aWdfmidD", True)


def test_a_message_whose_conversation_is_not_listed_yet_is_retried_later(connector, account):
    with pytest.raises(TransientError):
        items(connector, account, message_delivery("aWdfmidN", "Hello", person="6099"))


def test_a_mention_that_is_gone_yields_nothing(graph, connector, account):
    payload = {"object": "instagram", "entry": [{"id": USER_ID, "time": 1, "changes": [
        {"field": "mentions", "value": {"media_id": "1795"}}]}]}
    assert items(connector, account, payload) == []


# ----------------------------------------------------------------------------- which account
def test_each_event_names_the_account_it_is_for(connector):
    ((t, inbound),) = recorded(message_delivery("m1", "hi", account="1784111"))
    assert (t, inbound["account_remote_id"], inbound["entry_id"]) == ("instagram.messages", "1784111", "1784111")
    assert connector.webhook_account(t, inbound) == "1784111"
    ((t, change),) = recorded(comment_delivery("1801", "1790", "hi", ANA, entry_id="1784222"))
    assert (t, connector.webhook_account(t, change), change["entry_id"]) == ("instagram.comments", "1784222", "1784222")
    assert connector.webhook_account("instagram.story_insights", change) is None
    assert connector.webhook_account("x.comments", change) is None
    assert connector.webhook_account("instagram.comments", "not a dict") is None  # type: ignore[arg-type]
    # events recorded before entry_id was added still name their account
    older = {k: v for k, v in inbound.items() if k != "account_remote_id"}
    assert connector.webhook_account("instagram.messages", older) == "1784111"
    assert connector.webhook_event_prefix == "instagram."


def test_an_event_for_another_account_yields_no_items(post, connector, account):
    payload = comment_delivery("1801", "1790", "Price?", ANA, entry_id="1784999")
    assert items(connector, account, payload) == []


# ----------------------------------------------------------------------------- hostile payloads
@pytest.mark.parametrize("value", [
    None, "text", 7, [], {}, {"id": ["1801"]}, {"id": {"x": 1}}, {"id": True},
    {"id": "1801", "from": "ana", "media": "1790", "text": 5, "parent_id": []},
])
def test_a_malformed_comment_is_ignored_or_kept_without_what_it_lacks(connector, account, value):
    data = {"object": "instagram", "account_remote_id": USER_ID, "entry_id": USER_ID, "field": "comments",
            "value": value, "time": "yesterday"}
    out = connector.items_from_webhook(account, "instagram.comments", data)
    assert all(m.remote_id == "1801" and m.text == "" and m.author is None for m in out)


@pytest.mark.parametrize("value", [
    None, {}, {"media_id": "1790){caption}"}, {"media_id": 1790.5}, {"media_id": "1790", "comment_id": "../x"},
])
def test_a_malformed_mention_is_ignored_without_calling_instagram(graph, connector, account, value):
    data = {"account_remote_id": USER_ID, "field": "mentions", "value": value}
    assert connector.items_from_webhook(account, "instagram.mentions", data) == []
    assert graph.calls == []


@pytest.mark.parametrize("item", [
    None, "x", {}, {"sender": "6001", "recipient": {"id": USER_ID}, "message": {"mid": "m", "text": "hi"}},
    {"sender": {"id": "6001"}, "recipient": {"id": USER_ID}, "message": "hi"},
    {"sender": {"id": "6001"}, "recipient": {"id": USER_ID}, "message": {"text": "no mid"}},
    {"sender": {"id": "6001"}, "recipient": {"id": USER_ID}, "message": {"mid": ["m"], "text": "hi"}},
    {"sender": {"id": "../../me"}, "recipient": {"id": USER_ID}, "message": {"mid": "m", "text": "hi"}},
    {"sender": {"id": "6001"}, "recipient": {"id": USER_ID}, "read": {"mid": "m"}},
])
def test_a_malformed_messaging_item_is_ignored(graph, connector, account, item):
    payload = {"object": "instagram", "entry": [{"id": USER_ID, "messaging": [item]}]}
    assert items(connector, account, payload) == []
    data = {"account_remote_id": USER_ID, "field": "messages", "value": item}
    assert connector.items_from_webhook(account, "instagram.messages", data) == []
    assert graph.calls == []


def test_malformed_deliveries_record_nothing_rather_than_fail():
    for payload in (None, [], {"entry": "x"}, {"entry": [None, 1, {"messaging": "x", "changes": {"a": 1}}]},
                    {"entry": [{"id": USER_ID, "messaging": [{"message": {"mid": "m"}}]}]}):
        assert events(payload) == []


# ----------------------------------------------------------------------------- through the callback
def test_a_direct_message_delivery_is_recorded_once_however_often_it_is_replayed(client, tenants, received,
                                                                                  run_jobs):
    tenant = tenants["alpha"].id
    payload = message_delivery("aWdfmid1", "Hello there")
    assert deliver(client, tenant, payload) == {"recorded": 1, "duplicates": 0}
    assert deliver(client, tenant, payload) == {"recorded": 0, "duplicates": 1}
    later = message_delivery("aWdfmid1", "Hello there", entry_time=1569262999999)  # a retry's other time
    assert deliver(client, tenant, later) == {"recorded": 0, "duplicates": 1}
    assert deliver(client, tenant, message_delivery("aWdfmid2", "Still there?"))["recorded"] == 1
    run_jobs()
    assert [e.type for e in received] == ["instagram.messages", "instagram.messages"]
    first = received[0].data
    assert (first["account_remote_id"], first["entry_id"], first["field"]) == (USER_ID, USER_ID, "messages")
    assert first["value"]["message"] == {"mid": "aWdfmid1", "text": "Hello there"}
    assert first["value"]["sender"] == {"id": "6001"}


def test_an_echo_is_recorded_for_the_account_that_sent_it(client, tenants, received, run_jobs):
    answer = deliver(client, tenants["alpha"].id, message_delivery("aWdfmidE", "From the app", echo=True))
    assert answer["recorded"] == 1
    run_jobs()
    (event,) = received
    assert event.data["account_remote_id"] == USER_ID and event.data["value"]["message"]["is_echo"] is True


def test_changes_and_messages_of_one_delivery_are_each_recorded(client, tenants, received, run_jobs):
    payload = comment_delivery("1801", "1790", "Price?", ANA)
    payload["entry"][0]["messaging"] = message_delivery("aWdfmid3", "hi")["entry"][0]["messaging"]
    assert deliver(client, tenants["alpha"].id, payload) == {"recorded": 2, "duplicates": 0}
    run_jobs()
    assert sorted(e.type for e in received) == ["instagram.comments", "instagram.messages"]
    change = next(e for e in received if e.type == "instagram.comments")
    assert change.data["entry_id"] == USER_ID == change.data["account_remote_id"]


def test_an_edit_and_a_deletion_are_recorded_apart_from_the_message(client, tenants, received, run_jobs):
    tenant = tenants["alpha"].id
    assert deliver(client, tenant, message_delivery("aWdfmid4", "Blue?"))["recorded"] == 1
    edit = message_delivery("aWdfmid4", "")
    edit["entry"][0]["messaging"][0]["message_edit"] = {"mid": "aWdfmid4", "text": "Blue or red?", "num_edit": 1}
    del edit["entry"][0]["messaging"][0]["message"]
    assert deliver(client, tenant, edit) == {"recorded": 1, "duplicates": 0}
    assert deliver(client, tenant, edit) == {"recorded": 0, "duplicates": 1}
    assert deliver(client, tenant, message_delivery("aWdfmid4", "", is_deleted=True))["recorded"] == 1
    run_jobs()
    assert len(received) == 3


def test_a_delivery_of_odd_messaging_items_is_acknowledged_and_records_nothing(client, tenants, received, run_jobs):
    payload = {"object": "instagram", "entry": [{"id": USER_ID, "time": 1, "messaging": [
        {"sender": {"id": "6001"}, "recipient": {"id": USER_ID}, "read": {"mid": "x"}},
        {"sender": "6001", "message": {"mid": "y"}}, None, 3]}]}
    assert deliver(client, tenants["alpha"].id, payload) == {"recorded": 0, "duplicates": 0}
    run_jobs()
    assert received == []
