"""A tenant with an inbox to test: a fake engagement network (mentions, comments, DMs served from
memory with cursors and a budget, replies recorded), accounts connected on it, people with roles."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from herald.clock import utcnow
from herald.hookspecs import hookimpl
from herald.networks.connector import (
    AuthorProfile,
    Capabilities,
    ConnectedAccount,
    Mention,
    MentionPage,
    NetworkConnector,
    RateBudget,
    ReplyRequest,
    ReplyResult,
)
from herald.networks.errors import UncertainOutcome
from herald.tenancy.models import SocialAccount


@dataclass
class FakeEngagement:
    """The fake network's state: what it holds per account, and what Herald sent it."""

    mentions: dict[str, list[Mention]] = field(default_factory=dict)  # account remote id → items
    dms: dict[str, list[Mention]] = field(default_factory=dict)
    sent: list[tuple[str, ReplyRequest]] = field(default_factory=list)
    budget: RateBudget | None = None
    fail_next_send: list[BaseException] = field(default_factory=list)
    #: sends that "reached the network" although the call failed (for find_reply)
    delivered: dict[str, ReplyResult] = field(default_factory=dict)
    reads: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, account_remote: str, item: Mention) -> Mention:
        target = self.dms if item.kind == "dm" else self.mentions
        with self._lock:
            target.setdefault(account_remote, []).append(item)
        return item


NET = FakeEngagement()


def page_after(items: list[Mention], since: str | None, budget: RateBudget | None) -> MentionPage:
    # remote ids are "<prefix><number>": the cursor is the highest number seen
    start = int(since) if since else 0
    fresh = [m for m in items if _seq(m) > start]
    cursor = str(max([_seq(m) for m in fresh] + [start]))
    return MentionPage(items=fresh, cursor=cursor, budget=budget)


def _seq(m: Mention) -> int:
    return int("".join(ch for ch in ((m.edit_of and m.remote_id) or m.remote_id) if ch.isdigit()) or 0)


class FakeEngagementConnector(NetworkConnector):
    key = "fakenet"
    display_name = "FakeNet"
    capabilities = Capabilities(max_text_length=280, supports_mentions=True, supports_direct_messages=True,
                                supports_replies=True, max_dm_length=1000, dm_reply_window_s=86400,
                                min_poll_interval_s=30)

    def fetch_mentions(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        NET.reads += 1
        return page_after(NET.mentions.get(account.remote_id, []), since, NET.budget)

    def fetch_direct_messages(self, account: ConnectedAccount, since: str | None) -> MentionPage:
        NET.reads += 1
        return page_after(NET.dms.get(account.remote_id, []), since, NET.budget)

    def send_reply(self, account: ConnectedAccount, request: ReplyRequest) -> ReplyResult:
        with NET._lock:
            NET.sent.append((account.remote_id, request))
            result = ReplyResult(remote_id=f"out{next(NET._ids)}", url="https://fakenet.example/x",
                                 thread_id=request.thread_id)
            if NET.fail_next_send:
                error = NET.fail_next_send.pop(0)
                if isinstance(error, UncertainOutcome):
                    NET.delivered[request.reply_id] = result
                raise error
            NET.delivered[request.reply_id] = result
        return result

    def find_reply(self, account: ConnectedAccount, request: ReplyRequest,
                   not_before: datetime) -> ReplyResult | None:
        return NET.delivered.get(request.reply_id)


class _Plugin:
    HERALD_HOOK_API = "1.1"

    @hookimpl
    def herald_network_connectors(self) -> list[type[NetworkConnector]]:
        return [FakeEngagementConnector]


_counter = itertools.count(1000)


def mention(text: str, *, author: str = "u1", kind: str = "mention", n: int | None = None, thread: str | None = None,
            root: str | None = None, in_reply_to: str | None = None, followers: int | None = None,
            verified: bool | None = None, language: str | None = None, at: datetime | None = None,
            direction: str = "inbound", **extra: Any) -> Mention:
    number = n if n is not None else next(_counter)
    prefix = {"dm": "d", "comment": "c"}.get(kind, "m")
    return Mention(remote_id=f"{prefix}{number}", text=text, author_id=author, author_handle=f"h_{author}",
                   created_at=at or utcnow(), kind=kind, thread_id=thread, root_id=root, in_reply_to=in_reply_to,
                   direction=direction, language=language,
                   author=AuthorProfile(author, f"h_{author}", f"Name {author}", followers, verified, language),
                   **extra)


@dataclass
class InboxWorld:
    tenant: Any
    admin: Any  # ApiClient of a tenant admin
    accounts: dict[str, str]  # unit name → account id
    remote: dict[str, str]  # account id → remote id
    rt: Any
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    run_jobs: Any = None  # runs queued jobs (notifications, replies, CRM pushes) to completion

    def url(self, path: str) -> str:
        return f"tenants/{self.tenant.id}/inbox/{path}"

    def deliver(self, unit: str, *items: Mention) -> list[Mention]:
        account_id = self.accounts[unit]
        return [NET.add(self.remote[account_id], m) for m in items]

    def ingest(self, unit: str, *items: Mention, source: str = "poll") -> Any:
        from herald.inbox.ingest import ingest

        with self.rt.db.transaction() as s:
            account = s.get(SocialAccount, self.accounts[unit])
            return ingest(s, account, list(items), source=source)

    def conversations(self, client: Any = None, **query: Any) -> list[dict[str, Any]]:
        r = (client or self.admin).get(self.url("conversations"), query_string=query)
        assert r.status_code == 200, r.get_json()
        return r.get_json()["items"]


@pytest.fixture
def inbox_world(seed, api, herald_runtime, register_plugin, run_jobs):  # type: ignore[no-untyped-def]
    NET.mentions.clear()
    NET.dms.clear()
    NET.sent.clear()
    NET.delivered.clear()
    NET.fail_next_send.clear()
    NET.budget = None
    NET.reads = 0
    register_plugin(_Plugin(), "fakenet")
    t = seed.tenant("acme", {"coffee": None, "espresso": "coffee", "tea": None})
    _, token = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    admin = api(token)
    r = admin.patch(f"tenants/{t.id}/plugins/fakenet", {"enabled": True})
    assert r.status_code == 200, r.get_json()
    accounts, remote = {}, {}
    for unit in ("coffee", "espresso", "tea"):
        r = admin.post(f"tenants/{t.id}/social-accounts", {"org_unit_id": t.units[unit].id, "network": "fakenet",
                                                           "handle": f"acme_{unit}"})
        assert r.status_code == 201, r.get_json()
        accounts[unit] = r.get_json()["id"]
    with herald_runtime.db.transaction() as s:
        for unit, account_id in accounts.items():
            account = s.get(SocialAccount, account_id)
            account.external_id = f"remote-{unit}"
            account.connection_state = "connected"
            remote[account_id] = account.external_id
    world = InboxWorld(t, admin, accounts, remote, herald_runtime, tokens={"admin": token}, run_jobs=run_jobs)
    for email, grants in (("agent@acme.test", [("agent", "coffee")]), ("tea@acme.test", [("agent", "tea")]),
                          ("viewer@acme.test", [("viewer", "root")]),
                          ("lead@acme.test", [("manager", "coffee")])):
        user, tok = seed.user(t, email, grants)
        name = email.split("@")[0]
        world.tokens[name] = tok
        world.users[name] = user
    return world


@pytest.fixture
def inbox_clock():  # type: ignore[no-untyped-def]
    """Herald's clock held still for the test (``clock[0] = ...`` moves it); restored after."""
    from datetime import UTC

    from herald.clock import set_clock

    now = [datetime.now(UTC)]
    set_clock(lambda: now[0])
    yield now
    set_clock(None)


def later(seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=seconds)


__all__ = ["NET", "FakeEngagementConnector", "InboxWorld", "inbox_clock", "inbox_world", "later", "mention", "replace"]
