"""The X plugin under Herald's publishing engine, against the fake X: a thread cut short is
settled from the ids its attempt hinted, without a second post; a create that uses up X's window
holds the account's next publication until X's reset, without calling early."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from x_fake_server import CLIENT_ID, CLIENT_SECRET, HANDLE, USER_ID

from herald.clock import set_clock
from herald.content.models import Post
from herald.networks.connector import TokenSet
from herald.publishing.models import Publication, PublicationAttempt
from herald.publishing.scheduler import Scheduler
from herald.publishing.tokens import credential, store_tokens
from herald.tenancy.models import SocialAccount


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class XWorld:
    rt: Any
    admin: Any
    tenant: Any
    account_id: str
    clock: Clock
    fake: Any
    run_jobs: Any

    def publish_now(self, text: str, first_comment: str | None = None) -> str:
        content = {"targets": [self.account_id], "title": text[:40],
                   "variants": [{"network": None, "language": "en", "text": text, "first_comment": first_comment}]}
        r = self.admin.post(f"tenants/{self.tenant.id}/posts",
                            {"org_unit_id": self.tenant.units["root"].id, "content": content})
        assert r.status_code == 201, r.get_json()
        post_id = r.get_json()["id"]
        with self.rt.db.transaction() as s:  # what a completed approval workflow leaves behind
            post = s.get(Post, post_id)
            post.status, post.approved_version = "approved", post.current_version
        r = self.admin.post(f"tenants/{self.tenant.id}/posts/{post_id}/publish", {})
        assert r.status_code == 202, r.get_json()
        return post_id

    def drive(self) -> None:
        Scheduler(self.rt).tick()
        assert self.run_jobs() == 0

    def pub(self, post_id: str) -> Publication:
        with self.rt.db.transaction() as s:
            return s.scalars(select(Publication).where(Publication.post_id == post_id)).one()

    def attempts(self, pub_id: str) -> list[tuple[str, str]]:
        with self.rt.db.transaction() as s:
            return [(a.kind, a.outcome) for a in s.scalars(select(PublicationAttempt).where(
                PublicationAttempt.publication_id == pub_id).order_by(PublicationAttempt.number))]

    def creates(self) -> int:
        return len([r for r in self.fake.requests if r["method"] == "POST" and r["path"] == "/2/tweets"])


@pytest.fixture
def xworld(seed, api, herald_runtime, run_jobs, fake_x) -> Iterator[XWorld]:  # type: ignore[no-untyped-def]
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    set_clock(clock)
    try:
        tenant = seed.tenant("acme")
        _, token = seed.user(tenant, "admin@acme.test", [("tenant_admin", "root")])
        admin = api(token)
        r = admin.patch(f"tenants/{tenant.id}/plugins/network_x", {"enabled": True, "settings": {
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "api_base_url": fake_x.url,
            "upload_base_url": fake_x.url, "web_base_url": "https://x.test", "timeout_seconds": 5,
            "search_index_lag_seconds": 0}})
        assert r.status_code == 200, r.get_json()
        r = admin.post(f"tenants/{tenant.id}/social-accounts", {"org_unit_id": tenant.units["root"].id,
                                                                "network": "x", "handle": HANDLE})
        assert r.status_code == 201, r.get_json()
        account_id = r.get_json()["id"]
        x_token = fake_x.fake.add_user(USER_ID, HANDLE, "Herald HQ")
        with herald_runtime.db.transaction() as s:
            acct = s.get(SocialAccount, account_id)
            acct.external_id, acct.connection_state = USER_ID, "connected"
            store_tokens(s, acct, TokenSet(access_token=x_token))
        yield XWorld(herald_runtime, admin, tenant, account_id, clock, fake_x.fake, run_jobs)
    finally:
        set_clock(None)


def test_a_thread_cut_short_is_settled_from_its_hinted_ids_without_a_second_post(xworld):
    w = xworld
    w.fake.create_failures = [None, "5xx_created"]  # the first comment was made, but X answered 503
    post_id = w.publish_now("Launch day is here", first_comment="Details in the thread")
    w.drive()
    p = w.pub(post_id)
    head, comment = list(w.fake.posts)
    assert p.state == "scheduled" and p.lookup_hints == {"x_thread_ids": [head]}
    assert w.creates() == 2
    w.clock.now = p.due_at
    w.drive()
    p = w.pub(post_id)
    assert (p.state, p.remote_id, p.extra_ids) == ("published", head, [comment])
    assert p.remote_url == f"https://x.test/{HANDLE}/status/{head}"
    assert p.lookup_hints == {}
    assert w.creates() == 2 and list(w.fake.posts) == [head, comment]  # nothing posted again
    assert w.attempts(p.id) == [("publish", "uncertain"), ("lookup", "found")]


def test_the_hinted_ids_settle_the_thread_even_when_x_search_does_not_show_it(xworld):
    w = xworld
    w.fake.create_failures = [None, "5xx_not_created"]
    w.fake.index_posts_in_search = False  # a search-only lookup would conclude "not there" and post again
    post_id = w.publish_now("Launch day is here", first_comment="Details in the thread")
    w.drive()
    (head,) = list(w.fake.posts)
    w.clock.now = w.pub(post_id).due_at
    w.drive()
    p = w.pub(post_id)
    assert (p.state, p.remote_id, p.extra_ids) == ("published", head, [])
    assert w.creates() == 2 and list(w.fake.posts) == [head]
    assert w.attempts(p.id) == [("publish", "uncertain"), ("lookup", "found")]


def test_a_create_using_up_x_window_holds_the_account_until_x_reset(xworld):
    w = xworld
    w.fake.set_remaining(USER_ID, "create", 1)
    first = w.publish_now("The last post of this window")
    w.drive()
    reset = datetime.fromtimestamp(w.fake.reset_epoch, UTC)
    assert w.pub(first).state == "published"
    with w.rt.db.transaction() as s:
        assert credential(s, s.get(SocialAccount, w.account_id)).blocked_until == reset
    second = w.publish_now("Waits for the reset")
    w.drive()
    assert w.pub(second).state == "scheduled" and w.pub(second).due_at == reset
    assert w.creates() == 1  # not called: X would have answered 429
    w.clock.now = reset - timedelta(seconds=1)
    w.drive()
    assert w.pub(second).state == "scheduled" and w.creates() == 1
    w.clock.now = reset
    w.drive()
    assert w.pub(second).state == "published" and w.creates() == 2
