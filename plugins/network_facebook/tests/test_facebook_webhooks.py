"""The Page webhook through Herald's app (both stacks), and its events read back as inbox items
identical to what polling returns."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import types

import pytest
from facebook_fake_graph import PAGE_ID, SECRETS

from herald.plugins import Event, EventSubscriber, TransientError, hookimpl
from herald_network_facebook.webhooks import events

ANNA = {"id": "7001", "name": "Anna Visitor"}


def url(tenant_id: str) -> str:
    return f"/plugins/network_facebook/webhook/{tenant_id}"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def feed_delivery(comment_id: str = "555_1", post_id: str = f"{PAGE_ID}_555", verb: str = "add",
                  message: str = "Where can I buy this?") -> dict:
    value = {"item": "comment", "verb": verb, "comment_id": comment_id, "post_id": post_id, "parent_id": post_id,
             "message": message, "from": ANNA, "created_time": 1769883030}
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": 1769883031,
                                         "changes": [{"field": "feed", "value": value}]}]}


def message_delivery(mid: str = "m_abc", echo: bool = False) -> dict:
    ends = [{"id": "7001"}, {"id": PAGE_ID}]
    sender, recipient = reversed(ends) if echo else ends
    message = {"mid": mid, "text": "Hello", **({"is_echo": True} if echo else {})}
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": 1769883030123, "messaging": [
        {"sender": sender, "recipient": recipient, "timestamp": 1769883030000, "message": message}]}]}


@pytest.fixture
def received(register_plugin) -> list[Event]:  # type: ignore[no-untyped-def]
    seen: list[Event] = []
    mod = types.ModuleType("record_facebook_events")

    class Recorder(EventSubscriber):
        key = "facebook_recorder"

        def deliver(self, event: Event) -> None:
            seen.append(event)

    mod.herald_event_subscribers = hookimpl(lambda: [Recorder])  # type: ignore[attr-defined]
    mod.HERALD_HOOK_API = "1.0"  # type: ignore[attr-defined]
    mod.HERALD_DEFAULT_ENABLED = True  # type: ignore[attr-defined]
    register_plugin(mod, "record_facebook_events")
    return seen


def deliver(client, tenant_id: str, payload: dict, secret: str | None = SECRETS["alpha"]):  # type: ignore[no-untyped-def]
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(secret, body)
    return client.post(url(tenant_id), data=body, headers=headers)


# ----------------------------------------------------------------------------- through Herald
def test_the_handshake_echoes_the_challenge_only_for_the_tenants_verify_token(client, tenants):
    ok = client.get(url(tenants["alpha"].id), query_string={
        "hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "alpha-verify-token"})
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "1158201444"
    wrong = client.get(url(tenants["alpha"].id), query_string={
        "hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "beta-verify-token"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.get_data(as_text=True)
    assert client.get(url(tenants["gamma"].id), query_string={"hub.mode": "subscribe"}).status_code == 404


def test_a_signed_delivery_is_recorded_once_as_a_facebook_event(client, tenants, received, run_jobs):
    assert deliver(client, tenants["alpha"].id, feed_delivery()).get_json() == {"recorded": 1, "duplicates": 0}
    assert deliver(client, tenants["alpha"].id, feed_delivery()).get_json() == {"recorded": 0, "duplicates": 1}
    run_jobs()
    assert [(e.type, e.tenant_id) for e in received] == [("facebook.feed", tenants["alpha"].id)]
    assert received[0].data["value"]["message"] == "Where can I buy this?"


def test_unsigned_or_wrongly_signed_deliveries_are_refused_and_not_recorded(client, tenants, received, run_jobs):
    assert deliver(client, tenants["alpha"].id, feed_delivery(), secret=None).status_code == 401
    assert deliver(client, tenants["alpha"].id, feed_delivery(), secret=SECRETS["beta"]).status_code == 403
    assert deliver(client, tenants["gamma"].id, feed_delivery()).status_code == 404
    run_jobs()
    assert received == []


def test_a_signed_body_that_is_not_a_delivery_is_a_bad_request(client, tenants):
    resp = deliver(client, tenants["alpha"].id, {"object": "page"})
    assert resp.status_code == 400 and resp.mimetype == "application/problem+json"


# ----------------------------------------------------------------------------- events to items
def test_a_comment_seen_by_webhook_is_the_item_polling_returns(connector, account, graph):
    post_id = graph.add_post("Launch")
    comment_id = graph.add_comment(post_id, "Where can I buy this?", ANNA, time.time())
    (polled,) = connector.fetch_mentions(account, None).items
    ((type_, data, _),) = events(feed_delivery(comment_id, post_id))
    (pushed,) = connector.items_from_webhook(account, type_, data)
    same = ("remote_id", "kind", "thread_id", "root_id", "in_reply_to", "author_id", "text", "direction")
    assert {k: getattr(pushed, k) for k in same} == {k: getattr(polled, k) for k in same}


def test_edited_and_removed_comments_update_and_tombstone_the_item(connector, account):
    for verb, edit_of, deleted in (("edited", "555_1", False), ("remove", None, True)):
        ((type_, data, _),) = events(feed_delivery(verb=verb))
        (item,) = connector.items_from_webhook(account, type_, data)
        assert (item.edit_of, item.deleted) == (edit_of, deleted)


def test_a_message_seen_by_webhook_lands_in_the_conversation_polling_knows(connector, account, graph):
    graph.add_message("t_9", ANNA, True, "Hi", time.time())
    ((type_, data, key),) = events(message_delivery())
    (item,) = connector.items_from_webhook(account, type_, data)
    assert (item.remote_id, item.thread_id, item.direction, item.author_handle) == ("m_abc", "t_9", "inbound",
                                                                                   "Anna Visitor")
    assert key == f"facebook.messages:{PAGE_ID}:m_abc"


def test_an_echo_is_outbound_and_for_the_page_that_sent_it(connector, account, graph):
    graph.add_message("t_9", ANNA, True, "Hi", time.time())
    ((type_, data, _),) = events(message_delivery(echo=True))
    assert connector.webhook_account(type_, data) == PAGE_ID
    (item,) = connector.items_from_webhook(account, type_, data)
    assert item.direction == "outbound" and item.author_id == PAGE_ID


def test_a_message_whose_conversation_is_not_listed_yet_is_retried_later(connector, account):
    ((type_, data, _),) = events(message_delivery())
    with pytest.raises(TransientError):
        connector.items_from_webhook(account, type_, data)


def test_other_feed_items_and_other_pages_yield_nothing(connector, account, graph):
    reaction = feed_delivery()
    reaction["entry"][0]["changes"][0]["value"]["item"] = "reaction"
    other = feed_delivery()
    other["entry"][0]["id"] = "999"
    for payload in (reaction, other):
        ((type_, data, _),) = events(payload)
        assert connector.items_from_webhook(account, type_, data) == []
    assert graph.calls == []


def test_odd_shapes_in_a_signed_delivery_are_skipped_not_fatal(client, tenants, received, run_jobs):
    odd = {"object": "page", "entry": [7, {"id": ["x"], "changes": [None, {"field": "../x"}, {"field": 3}],
                                           "messaging": ["s", {"message": {"mid": 5}}, {"message": "m"}]}]}
    assert deliver(client, tenants["alpha"].id, odd).get_json() == {"recorded": 0, "duplicates": 0}
    run_jobs()
    assert received == []
