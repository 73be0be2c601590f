"""The Mastodon plugin under Herald's publishing engine, against the fake instance: a create whose
answer was lost is found again instead of posted twice; a thread cut short is finished by the same
Idempotency-Keys; a create that spends the window holds the account until the instance's reset."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mastodon_fake_server import ACCOUNT_ID, HANDLE
from sqlalchemy import select

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
class World:
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


@pytest.fixture
def world(seed, api, herald_runtime, run_jobs, fake_mastodon, app_credentials) -> Iterator[World]:
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    set_clock(clock)
    try:
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
        yield World(herald_runtime, admin, tenant, account_id, clock, fake_mastodon.fake, run_jobs)
    finally:
        set_clock(None)


def test_a_create_whose_answer_was_lost_is_found_not_posted_again(world):
    w = world
    w.fake.break_answer_next("POST /api/v1/statuses")
    post_id = w.publish_now("Hello from Herald")
    w.drive()
    p = w.pub(post_id)
    assert p.state == "scheduled" and p.uncertain_since is not None
    w.clock.now = p.due_at
    w.drive()
    p = w.pub(post_id)
    (only,) = w.fake.statuses
    assert (p.state, p.remote_id) == ("published", only)
    assert w.attempts(p.id) == [("publish", "uncertain"), ("lookup", "found")]


def test_a_thread_cut_short_is_finished_without_posting_its_head_twice(world):
    w = world
    w.fake.fail_next("POST /api/v1/statuses", 503, "Service unavailable", after=1)
    post_id = w.publish_now("Launch day", first_comment="Details below")
    w.drive()
    (head,) = w.fake.statuses
    w.clock.now = w.pub(post_id).due_at
    for _ in range(3):  # the lookup says "publish again"; the retry comes when the engine schedules it
        w.drive()
        w.clock.now = max(w.clock.now, w.pub(post_id).due_at or w.clock.now)
    p = w.pub(post_id)
    head_again, comment = w.fake.statuses
    assert (p.state, p.remote_id, p.extra_ids) == ("published", head, [comment]) and head_again == head
    assert w.fake.statuses[comment]["in_reply_to_id"] == head


def test_a_create_spending_the_window_holds_the_account_until_the_reset(world):
    w = world
    w.fake.remaining = 1
    w.fake.reset_at = w.clock.now + timedelta(minutes=4)
    first = w.publish_now("The last call of this window")
    w.drive()
    assert w.pub(first).state == "published"
    with w.rt.db.transaction() as s:
        assert credential(s, s.get(SocialAccount, w.account_id)).blocked_until == w.fake.reset_at
    second = w.publish_now("Waits for the reset")
    w.drive()
    assert w.pub(second).state == "scheduled" and len(w.fake.statuses) == 1
