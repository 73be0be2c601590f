"""A scripted fake network for tests of the publishing engine: each call to ``publish``,
``find_published`` or ``refresh`` takes the next scripted action (default: succeed), and the
"network" keeps its posts in memory, so tests can count exactly what exists on it.

    plugin, net = scripted_network("fake", supports_lookup=True)
    register_plugin(plugin, "fake_network")
    net.publish.append(fail(TransientError("503 from the network")))
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from herald.clock import utcnow
from herald.hookspecs import hookimpl
from herald.networks.connector import (
    Capabilities,
    ConnectedAccount,
    NetworkConnector,
    PublishRequest,
    PublishResult,
    TokenSet,
)

Action = Callable[["FakeNetwork", ConnectedAccount, PublishRequest], PublishResult | None]


class Killed(BaseException):
    """Raised by :func:`crash_after_create` / :func:`crash_before_create`: the worker "dies"
    mid-call. A BaseException, so nothing in Herald records it — as after ``kill -9``."""


@dataclass
class RemotePost:
    remote_id: str
    account_id: str
    publication_id: str
    text: str
    created_at: datetime


@dataclass
class FakeNetwork:
    publish: deque[Action] = field(default_factory=deque)
    lookup: deque[Action] = field(default_factory=deque)
    refresh: deque[Callable[[TokenSet], TokenSet]] = field(default_factory=deque)
    posts: dict[str, RemotePost] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, account id or publication id)
    tokens_seen: list[str | None] = field(default_factory=list)
    requests: list[PublishRequest] = field(default_factory=list)  # every publish request, in order
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        with self._lock:
            remote_id = f"r{next(self._ids)}"
            self.posts[remote_id] = RemotePost(remote_id, account.id, request.publication_id, request.text, utcnow())
        return PublishResult(remote_id=remote_id, url=f"https://fake.example/p/{remote_id}")

    def posts_for(self, publication_id: str) -> list[RemotePost]:
        return [p for p in self.posts.values() if p.publication_id == publication_id]

    def count(self, operation: str) -> int:
        return sum(1 for op, _ in self.calls if op == operation)


def ok() -> Action:
    return lambda net, account, request: net.create(account, request)


def fail(error: BaseException) -> Action:
    def act(net: FakeNetwork, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        raise error
    return act


def crash_after_create() -> Action:
    """The post is created, then the worker dies before hearing the answer."""
    def act(net: FakeNetwork, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        net.create(account, request)
        raise Killed()
    return act


def crash_before_create() -> Action:
    """The worker dies after sending, before the network created anything."""
    def act(net: FakeNetwork, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
        raise Killed()
    return act


def scripted_network(key: str = "fake", *, supports_lookup: bool = True, supports_delete: bool = True,
                     max_text_length: int = 1000, supports_threads: bool = False) -> tuple[object, FakeNetwork]:
    """A plugin (register it with ``register_plugin``) offering connector ``key``, and its network."""
    net = FakeNetwork()

    class ScriptedConnector(NetworkConnector):
        display_name = f"Fake {key}"
        capabilities = Capabilities(max_text_length=max_text_length, supports_lookup=supports_lookup,
                                    supports_delete=supports_delete, supports_threads=supports_threads)

        def publish(self, account: ConnectedAccount, request: PublishRequest) -> PublishResult:
            net.calls.append(("publish", account.id))
            net.tokens_seen.append(account.tokens.access_token if account.tokens else None)
            net.requests.append(request)
            action = net.publish.popleft() if net.publish else ok()
            result = action(net, account, request)
            assert result is not None
            return result

        def find_published(self, account: ConnectedAccount, request: PublishRequest,
                           not_before: datetime) -> PublishResult | None:
            net.calls.append(("lookup", request.publication_id))
            if net.lookup:
                return net.lookup.popleft()(net, account, request)
            found = [p for p in net.posts_for(request.publication_id) if p.created_at >= not_before]
            return PublishResult(remote_id=found[0].remote_id) if found else None

        def delete(self, account: ConnectedAccount, remote_id: str) -> None:
            net.calls.append(("delete", remote_id))
            net.posts.pop(remote_id, None)

        def refresh(self, tokens: TokenSet) -> TokenSet:
            net.calls.append(("refresh", tokens.refresh_token or ""))
            if net.refresh:
                return net.refresh.popleft()(tokens)
            return TokenSet(access_token=f"{tokens.access_token}+", refresh_token=None)

    ScriptedConnector.key = key
    if not supports_delete:
        del ScriptedConnector.delete

    class Plugin:
        HERALD_HOOK_API = "1.0"
        HERALD_DEFAULT_ENABLED = True

        @staticmethod
        @hookimpl
        def herald_network_connectors() -> list[type[NetworkConnector]]:
            return [ScriptedConnector]

    return Plugin(), net
