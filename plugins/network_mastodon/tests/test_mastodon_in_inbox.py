"""The Mastodon plugin under Herald's inbox, against the fake instance: mentions and direct
messages polled by cursor with the instance's budget, and a reply from a direct conversation
landing in it once, mentioning the person, even after an uncertain send."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from mastodon_fake_server import ACCOUNT_ID, HANDLE, Account
from sqlalchemy import select

from herald.inbox import polling, replies
from herald.inbox.models import Conversation, InboxItem, InboxReply, PollState
from herald.networks.connector import TokenSet
from herald.publishing.tokens import store_tokens
from herald.tenancy.models import SocialAccount

ANA = Account("300", "ana", display_name="Ana", followers_count=1200)


@dataclass
class Inbox:
    rt: Any
    admin: Any
    tenant: Any
    account_id: str
    fake: Any

    def items(self) -> list[tuple[str, str, str, str]]:
        with self.rt.db.transaction() as s:
            return [(i.remote_id, i.kind, i.direction, i.text) for i in
                    s.scalars(select(InboxItem).order_by(InboxItem.created_at, InboxItem.remote_id))]

    def conversation(self, thread: str) -> str:
        with self.rt.db.transaction() as s:
            return s.scalars(select(Conversation.id).where(Conversation.thread_key == f"dm:{thread}")).one()


@pytest.fixture
def inbox(seed, api, herald_runtime, fake_mastodon, app_credentials) -> Iterator[Inbox]:
    tenant = seed.tenant("acme")
    _, token = seed.user(tenant, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    r = admin.patch(f"tenants/{tenant.id}/plugins/network_mastodon", {"enabled": True, "settings": {
        "instance_url": fake_mastodon.url, **app_credentials, "timeout_seconds": 5}})
    assert r.status_code == 200, r.get_json()
    r = admin.post(f"tenants/{tenant.id}/social-accounts", {"org_unit_id": tenant.units["root"].id,
                                                            "network": "mastodon", "handle": HANDLE})
    assert r.status_code == 201, r.get_json()
    account_id = r.get_json()["id"]
    access = fake_mastodon.fake.add_account(ACCOUNT_ID, HANDLE)
    with herald_runtime.db.transaction() as s:
        acct = s.get(SocialAccount, account_id)
        acct.external_id, acct.connection_state = ACCOUNT_ID, "connected"
        store_tokens(s, acct, TokenSet(access_token=access))
    yield Inbox(herald_runtime, admin, tenant, account_id, fake_mastodon.fake)


def test_mentions_and_direct_messages_are_polled_once_each_with_the_instances_budget(inbox):
    w = inbox
    mention = w.fake.post_as(ANA, "@heraldhq love it")
    dm = w.fake.post_as(ANA, "@heraldhq is it in stock?", visibility="direct")
    assert polling.poll(w.account_id, "mentions", force=True).stored == 1
    assert polling.poll(w.account_id, "dms", force=True).stored == 1
    assert w.items() == [(mention["id"], "mention", "inbound", "@heraldhq love it"),
                         (dm["id"], "dm", "inbound", "@heraldhq is it in stock?")]
    with w.rt.db.transaction() as s:
        state = s.get(PollState, (w.account_id, "mentions"))
        assert state.cursor == w.fake.notifications[-1]["id"] and state.budget_limit == 300
    assert polling.poll(w.account_id, "mentions", force=True).stored == 0
    assert polling.poll(w.account_id, "dms", force=True).stored == 0


def test_a_reply_from_a_direct_conversation_lands_in_it_once_even_after_an_uncertain_send(inbox, run_jobs):
    w = inbox
    dm = w.fake.post_as(ANA, "@heraldhq hello?", visibility="direct")
    polling.poll(w.account_id, "dms", force=True)
    (thread,) = w.fake.conversations
    w.fake.break_answer_next("POST /api/v1/statuses")
    r = w.admin.post(f"tenants/{w.tenant.id}/inbox/conversations/{w.conversation(thread)}/replies",
                     {"text": "Hi Ana, here now."})
    assert r.status_code == 202, r.get_json()
    run_jobs()
    reply_id = r.get_json()["id"]
    with w.rt.db.transaction() as s:
        assert s.get(InboxReply, reply_id).uncertain_since is not None
    assert replies.send(reply_id) == "sent"
    ours = [st for st in w.fake.statuses.values() if st["account_id"] == ACCOUNT_ID]
    assert [(st["text"], st["visibility"], st["in_reply_to_id"]) for st in ours] == \
        [("@ana@other.example Hi Ana, here now.", "direct", dm["id"])]
    with w.rt.db.transaction() as s:
        assert s.get(InboxReply, reply_id).remote_id == ours[0]["id"]
    assert w.fake.conversations[thread]["last_status_id"] == ours[0]["id"]
