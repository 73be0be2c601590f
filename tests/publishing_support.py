"""Shared set-up of the publishing tests: a tenant with a scripted fake network, accounts,
people, approved posts, a controllable clock and a way to run the engine once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from herald.clock import set_clock
from herald.content.models import Post
from herald.networks.connector import TokenSet
from herald.publishing.config import EngineConfig, set_engine_config
from herald.publishing.models import Publication, PublicationAttempt
from herald.publishing.scheduler import Scheduler
from herald.publishing.tokens import store_tokens
from herald.queue.base import Job, resolve
from herald.tenancy.models import SocialAccount
from herald.testing.scripted_connector import FakeNetwork, scripted_network

T0 = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)  # a Monday in winter


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now

    def set(self, when: datetime) -> datetime:
        self.now = when
        return when


class CaptureQueue:
    """A queue that only records jobs, so a test can run one itself (e.g. to "kill" it)."""

    name = "capture"

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def enqueue(self, job: Job) -> str:
        self.jobs.append(job)
        return job.job_id or ""

    def health(self) -> dict[str, Any]:
        return {"kind": "capture"}

    def run_all(self) -> None:
        jobs, self.jobs = self.jobs, []
        for job in jobs:
            resolve(job.func)(*job.args, **job.kwargs)


@dataclass
class World:
    rt: Any
    tenant: Any
    admin: Any
    users: dict[str, Any]
    user_ids: dict[str, str]
    accounts: dict[str, str]
    net: FakeNetwork
    nolookup: FakeNetwork
    clock: Clock
    run_jobs: Any
    api: Any
    extra: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ posts
    def post(self, *accounts: str, text: str = "Fresh coffee", approve: bool = True, campaign: str | None = None,
             unit: str = "coffee", as_user: str = "editor", **variant: Any) -> str:
        content = {"targets": [self.accounts[a] for a in accounts], "title": text[:40],
                   "variants": [{"network": None, "language": "en", "text": text, **variant}]}
        body: dict[str, Any] = {"org_unit_id": self.tenant.units[unit].id, "content": content}
        if campaign:
            body["campaign"] = campaign
        r = self.users[as_user].post(f"tenants/{self.tenant.id}/posts", body)
        assert r.status_code == 201, r.get_json()
        post_id = r.get_json()["id"]
        if approve:
            self.approve(post_id)
        return post_id

    def scheduled(self, *accounts: str, at: datetime, **post: Any) -> str:
        """An approved post for ``accounts``, scheduled by the publisher at ``at``."""
        post_id = self.post(*accounts, **post)
        r = self.users["publisher"].post(self.url(f"posts/{post_id}/schedule"), {"at": at.isoformat()})
        assert r.status_code == 201, r.get_json()
        return post_id

    def attempts(self, pub_id: str) -> list[tuple[str, str]]:
        """(kind, outcome) of each attempt of a publication, in order."""
        with self.rt.db.transaction() as s:
            return [(a.kind, a.outcome) for a in s.scalars(select(PublicationAttempt).where(
                PublicationAttempt.publication_id == pub_id).order_by(PublicationAttempt.number)).all()]

    def approve(self, post_id: str) -> None:
        """What a completed approval workflow leaves behind: the current version approved."""
        with self.rt.db.transaction() as s:
            post = s.get(Post, post_id)
            post.status = "approved"
            post.approved_version = post.current_version

    def edit(self, post_id: str, text: str) -> None:
        r = self.users["editor"].get(f"tenants/{self.tenant.id}/posts/{post_id}")
        body = r.get_json()
        content = body["content"]
        content["variants"][0]["text"] = text
        r = self.users["editor"].request("PUT", f"tenants/{self.tenant.id}/posts/{post_id}/content",
                                         json={"base_version": body["current_version"], "content": content})
        assert r.status_code == 200, r.get_json()

    # ------------------------------------------------------------------ the engine
    def tick(self, queue: Any = None) -> int:
        return Scheduler(self.rt, queue=queue).tick()

    def drive(self) -> int:
        """One scheduler pass, then run the queued jobs."""
        n = self.tick()
        assert self.run_jobs() == 0
        return n

    def pubs(self, post_id: str) -> list[Publication]:
        with self.rt.db.transaction() as s:
            return list(s.scalars(select(Publication).where(Publication.post_id == post_id)
                                  .order_by(Publication.account_id)).all())

    def pub(self, post_id: str, account: str | None = None) -> Publication:
        found = [p for p in self.pubs(post_id) if account is None or p.account_id == self.accounts[account]]
        assert len(found) == 1, found
        return found[0]

    def status(self, post_id: str) -> str:
        with self.rt.db.transaction() as s:
            return s.get(Post, post_id).status

    def url(self, path: str) -> str:
        return f"tenants/{self.tenant.id}/{path}"


@pytest.fixture(name="world")
def world_fixture(seed, api, herald_runtime, register_plugin, run_jobs) -> Iterator[World]:  # type: ignore[no-untyped-def]
    clock = Clock(T0)
    set_clock(clock)
    set_engine_config(EngineConfig(threads=4))
    plugin, net = scripted_network("fake", supports_lookup=True)
    register_plugin(plugin, "fake_network")
    plugin2, nolookup = scripted_network("blind", supports_lookup=False, supports_delete=False)
    register_plugin(plugin2, "blind_network")
    t = seed.tenant("acme", {"coffee": None, "dubai": "coffee", "tea": None})
    _, admin_token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(admin_token)
    users, user_ids = {}, {}
    for name, grants in {"editor": [("editor", "coffee")], "publisher": [("publisher", "coffee")],
                         "manager": [("manager", "coffee")], "viewer": [("viewer", "coffee")],
                         "tea_editor": [("editor", "tea")]}.items():
        u, token = seed.user(t, f"{name}@acme.test", grants)
        users[name], user_ids[name] = api(token), u.id
    accounts = {}
    for name, unit, network in [("fake_coffee", "coffee", "fake"), ("fake_dubai", "dubai", "fake"),
                                ("blind_coffee", "coffee", "blind"), ("fake_tea", "tea", "fake")]:
        r = admin.post(f"tenants/{t.id}/social-accounts", {"org_unit_id": t.units[unit].id, "network": network,
                                                           "handle": name})
        assert r.status_code == 201, r.get_json()
        accounts[name] = r.get_json()["id"]
    with herald_runtime.db.transaction() as s:
        for acct_id in accounts.values():
            acct = s.get(SocialAccount, acct_id)
            store_tokens(s, acct, TokenSet(access_token="at-1", refresh_token="rt-1"))
            acct.connection_state = "connected"
    try:
        yield World(herald_runtime, t, admin, users, user_ids, accounts, net, nolookup, clock, run_jobs, api)
    finally:
        set_clock(None)
        set_engine_config(None)


# ----------------------------------------------------------------------------- the sandbox network
@pytest.fixture
def sandbox(seed, api, herald_runtime):  # type: ignore[no-untyped-def]
    """A tenant with the sandbox network enabled and one sandbox account: (tenant, admin, account id)."""
    t = seed.tenant("acme", {"coffee": None})
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    assert admin.patch(f"tenants/{t.id}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    r = admin.post(f"tenants/{t.id}/social-accounts", {"org_unit_id": t.units["coffee"].id, "network": "sandbox",
                                                       "handle": "acme_sandbox"})
    assert r.status_code == 201, r.get_json()
    return t, admin, r.get_json()["id"]


def connect_params(admin, t, account_id):  # type: ignore[no-untyped-def]
    """Start connecting the sandbox account; the callback's query (the sandbox approves at once)."""
    start = admin.post(f"tenants/{t.id}/social-accounts/{account_id}/connect")
    assert start.status_code == 201, start.get_json()
    url = urlparse(start.get_json()["authorize_url"])
    assert url.path == "/api/v1/connect/callback"  # the sandbox approves at once
    return {k: v[0] for k, v in parse_qs(url.query).items()}
