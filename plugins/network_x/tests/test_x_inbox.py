"""The X plugin under Herald's inbox, against the fake X: direct messages polled by cursor with
X's budget, a reply sent from the inbox landing in the conversation once, and an uncertain send
looked up instead of sent twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from x_fake_server import CLIENT_ID, CLIENT_SECRET, HANDLE, USER_ID, one_to_one

from herald.inbox import polling, replies
from herald.inbox.models import Conversation, InboxItem, InboxReply, PollState
from herald.networks.connector import TokenSet
from herald.publishing.tokens import store_tokens
from herald.tenancy.models import SocialAccount

FAN = "944480690"
CONVERSATION = one_to_one(FAN, USER_ID)


@dataclass
class XInbox:
    rt: Any
    admin: Any
    tenant: Any
    account_id: str
    fake: Any

    def url(self, path: str) -> str:
        return f"tenants/{self.tenant.id}/inbox/{path}"

    def items(self) -> list[tuple[str, str, str]]:
        with self.rt.db.transaction() as s:
            return [(i.remote_id, i.direction, i.text) for i in
                    s.scalars(select(InboxItem).order_by(InboxItem.created_at, InboxItem.remote_id))]

    def conversation(self) -> str:
        with self.rt.db.transaction() as s:
            return s.scalars(select(Conversation.id).where(Conversation.thread_key == f"dm:{CONVERSATION}")).one()


@pytest.fixture
def xinbox(seed, api, herald_runtime, fake_x) -> Iterator[XInbox]:  # type: ignore[no-untyped-def]
    tenant = seed.tenant("acme")
    _, token = seed.user(tenant, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    r = admin.patch(f"tenants/{tenant.id}/plugins/network_x", {"enabled": True, "settings": {
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "api_base_url": fake_x.url,
        "web_base_url": "https://x.test", "timeout_seconds": 5, "direct_messages": True}})
    assert r.status_code == 200, r.get_json()
    r = admin.post(f"tenants/{tenant.id}/social-accounts", {"org_unit_id": tenant.units["root"].id,
                                                            "network": "x", "handle": HANDLE})
    assert r.status_code == 201, r.get_json()
    account_id = r.get_json()["id"]
    x_token = fake_x.fake.add_user(USER_ID, HANDLE, "Herald HQ")
    fake_x.fake.add_user(FAN, "ana_fan", "Ana", followers=1200)
    with herald_runtime.db.transaction() as s:
        acct = s.get(SocialAccount, account_id)
        acct.external_id, acct.connection_state = USER_ID, "connected"
        store_tokens(s, acct, TokenSet(access_token=x_token))
    yield XInbox(herald_runtime, admin, tenant, account_id, fake_x.fake)


def test_direct_messages_are_polled_once_each_with_x_budget(xinbox):
    w = xinbox
    first = w.fake.add_dm(FAN, "Is the blue one in stock?", to=USER_ID)
    ours = w.fake.add_dm(USER_ID, "Let me check.", to=FAN)
    out = polling.poll(w.account_id, "dms", force=True)
    assert (out.status, out.stored) == ("polled", 2), out.message
    assert w.items() == [(first, "inbound", "Is the blue one in stock?"), (ours, "outbound", "Let me check.")]
    with w.rt.db.transaction() as s:
        state = s.get(PollState, (w.account_id, "dms"))
        assert (state.cursor, state.budget_limit, state.budget_remaining) == (ours, 15, 14)
    again = polling.poll(w.account_id, "dms", force=True)
    assert (again.status, again.stored, again.duplicates) == ("polled", 0, 0)


def test_a_reply_from_the_inbox_lands_in_the_conversation_once(xinbox, run_jobs):
    w = xinbox
    w.fake.add_dm(FAN, "Is the blue one in stock?", to=USER_ID)
    assert polling.poll(w.account_id, "dms", force=True).stored == 1
    r = w.admin.post(w.url(f"conversations/{w.conversation()}/replies"), {"text": "Yes, ships tomorrow."})
    assert r.status_code == 202, r.get_json()
    assert run_jobs() == 0
    sends = [q for q in w.fake.requests if q["method"] == "POST" and "/messages" in q["path"]]
    assert [q["path"] for q in sends] == [f"/2/dm_conversations/{CONVERSATION}/messages"]
    with w.rt.db.transaction() as s:
        reply = s.get(InboxReply, r.get_json()["id"])
        assert reply.state == "sent" and reply.remote_id == w.fake.dm_events[-1]["id"]
    # the next poll reads the sent message back under the same id: stored once
    again = polling.poll(w.account_id, "dms", force=True)
    assert (again.stored, again.duplicates) == (0, 1)
    assert [d for _, d, _ in w.items()] == ["inbound", "outbound"]


def test_an_uncertain_send_is_looked_up_in_the_conversation_not_sent_twice(xinbox, run_jobs):
    w = xinbox
    w.fake.add_dm(FAN, "Hello?", to=USER_ID)
    polling.poll(w.account_id, "dms", force=True)
    w.fake.dm_failures = ["5xx_sent"]
    r = w.admin.post(w.url(f"conversations/{w.conversation()}/replies"), {"text": "Hi Ana, here now."})
    assert r.status_code == 202, r.get_json()
    run_jobs()
    reply_id = r.get_json()["id"]
    with w.rt.db.transaction() as s:
        reply = s.get(InboxReply, reply_id)
        assert reply.uncertain_since is not None
        assert reply.lookup_hints == {"x_dm_thread_id": CONVERSATION}
    assert replies.send(reply_id) == "sent"
    sends = [q for q in w.fake.requests if q["method"] == "POST" and "/messages" in q["path"]]
    assert len(sends) == 1 and sum(e["text"] == "Hi Ana, here now." for e in w.fake.dm_events) == 1
    with w.rt.db.transaction() as s:
        assert s.get(InboxReply, reply_id).remote_id == w.fake.dm_events[-1]["id"]
