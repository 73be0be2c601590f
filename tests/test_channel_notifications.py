"""Channel notifiers (``audience = "channel"``: Slack, Teams…) post where many people read, so
Herald hands them each notification once, placed in the tenant, and delivers it once per
destination they name — each its own job, so a retry repeats only the destination that failed."""

from __future__ import annotations

import dataclasses
import time
import types
from typing import Any

import pytest
from approvals_world import build_world

from herald.content.models import Post
from herald.inbox.models import Conversation
from herald.notifications.notifier import Notification, NotificationScope
from herald.notifications.preferences import channels
from herald.notifications.scope import scope_of
from herald.notifications.send import send
from herald.plugins import Notifier, PermanentError, TransientError, hookimpl


class Recorder:
    def __init__(self) -> None:
        self.asked: list[Notification] = []
        self.delivered: list[tuple[str | None, str]] = []
        self.scopes: list[NotificationScope | None] = []
        self.fail: dict[str, list[Exception]] = {}


def channel_plugin(rec: Recorder, destinations: tuple[str, ...] = ("ops", "sales")) -> types.ModuleType:
    mod = types.ModuleType("chat_channels")

    class Chat(Notifier):
        key = "chat"
        audience = "channel"

        def destinations(self, notification: Notification) -> list[str]:
            rec.asked.append(notification)
            return [*destinations, destinations[0]]  # a name given twice is delivered once

        def notify(self, notification: Notification) -> None:
            pending = rec.fail.get(notification.destination or "")
            if pending:
                raise pending.pop(0)
            rec.delivered.append((notification.destination, notification.title))
            rec.scopes.append(notification.scope)

    @hookimpl
    def herald_notifiers():  # type: ignore[no-untyped-def]
        return [Chat]

    mod.herald_notifiers = herald_notifiers  # type: ignore[attr-defined]
    mod.HERALD_HOOK_API = "1.3"  # type: ignore[attr-defined]
    mod.HERALD_DEFAULT_ENABLED = True  # type: ignore[attr-defined]
    return mod


@pytest.fixture
def world(seed, api, register_plugin):  # type: ignore[no-untyped-def]
    return build_world(seed, api, register_plugin)


@pytest.fixture
def rec(register_plugin) -> Recorder:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    register_plugin(channel_plugin(recorder), "chat_channels")
    return recorder


def notify_many(rt: Any, tenant_id: str, user_ids: list[str], kind: str = "approval.due",
                data: dict[str, Any] | None = None, title: str = "Review Launch") -> int:
    with rt.db.transaction() as s:
        return sum(send(s, Notification(tenant_id, uid, f"{uid}@acme.test", kind, title, data=data or {}))
                   for uid in user_ids)


def test_a_channel_notifier_gets_one_notification_for_all_its_recipients(world, rec, herald_runtime, run_jobs):
    people = [world.ids[n] for n in ("editor", "editor2", "manager")]
    assert notify_many(herald_runtime, world.tid, people) == 3 * 1 + 1  # in-app per person, the channel once
    assert run_jobs() == 0
    assert len(rec.asked) == 1
    assert sorted(rec.delivered) == [("ops", "Review Launch"), ("sales", "Review Launch")]
    assert (rec.asked[0].recipient_id, rec.asked[0].recipient_email) == ("", "")  # nobody's address


def test_another_event_in_the_same_transaction_is_its_own_channel_message(world, rec, herald_runtime, run_jobs):
    with herald_runtime.db.transaction() as s:
        for title in ("Review Launch", "Review Sale"):
            send(s, Notification(world.tid, world.ids["editor"], "e@acme.test", "approval.due", title))
    run_jobs()
    assert sorted(t for _, t in rec.delivered) == ["Review Launch", "Review Launch", "Review Sale", "Review Sale"]


def test_a_retry_repeats_only_the_destination_that_failed(world, rec, herald_runtime, run_jobs):
    rec.fail["sales"] = [TransientError("the chat service is down")]
    notify_many(herald_runtime, world.tid, [world.ids["editor"]])
    deadline = time.monotonic() + 30  # Redis/RQ retries after its first interval (10 s)
    while ("sales", "Review Launch") not in rec.delivered and time.monotonic() < deadline:
        assert run_jobs() == 0
        time.sleep(0.2)
    assert sorted(rec.delivered) == [("ops", "Review Launch"), ("sales", "Review Launch")]


def test_a_permanent_failure_is_not_retried(world, rec, herald_runtime, run_jobs):
    rec.fail["sales"] = [PermanentError("channel_not_found", code="channel_not_found")]
    notify_many(herald_runtime, world.tid, [world.ids["editor"]])
    assert run_jobs() == 0  # not failed for good: refused once and dropped
    assert rec.delivered == [("ops", "Review Launch")] and rec.fail["sales"] == []


def test_a_rolled_back_change_posts_nothing_and_forgets_what_it_had_queued(world, rec, herald_runtime, run_jobs):
    s = herald_runtime.db.session()
    try:
        send(s, Notification(world.tid, world.ids["editor"], "e@acme.test", "approval.due", "Review Launch"))
        s.rollback()
        assert send(s, Notification(world.tid, world.ids["editor"], "e@acme.test", "approval.due",
                                    "Review Launch")) == 2
        s.commit()
    finally:
        s.close()
    run_jobs()
    assert len(rec.asked) == 1


def test_channel_notifiers_never_get_invitations_or_password_reset_links(world, rec, herald_runtime, run_jobs):
    for kind in ("auth.invitation", "auth.password_reset"):
        notify_many(herald_runtime, world.tid, [world.ids["editor"]], kind=kind, title="secret link")
    run_jobs()
    assert rec.asked == [] and rec.delivered == []


def test_a_channel_is_the_tenants_setting_not_a_choice_on_peoples_preferences(world, rec, herald_runtime, run_jobs):
    with herald_runtime.db.transaction() as s:
        assert "chat" not in {c.key for c in channels(s, world.tid)}
    r = world.clients["editor"].request("PUT", "me/notification-preferences", json={"preferences": [
        {"kind": "approval.due", "channel": "chat", "enabled": False}]})
    assert r.status_code == 422
    notify_many(herald_runtime, world.tid, [world.ids["editor"]])
    run_jobs()
    assert len(rec.delivered) == 2


def test_a_post_belongs_to_its_unit_and_the_units_above_it(world, rec, herald_runtime, run_jobs):
    with herald_runtime.db.transaction() as s:
        post = Post(tenant_id=world.tid, org_unit_id=world.unit("dubai"), author_id=world.ids["creator"])
        s.add(post)
        s.flush()
        post_id = post.id
    notify_many(herald_runtime, world.tid, [world.ids["editor"]], data={"post_id": post_id})
    run_jobs()
    [asked] = rec.asked
    assert asked.scope == NotificationScope((world.unit("dubai"), world.unit("coffee"), world.unit("root")), ())
    assert rec.scopes == [asked.scope, asked.scope]  # each destination's job carries it whole


def test_a_conversation_belongs_to_its_accounts_unit_and_its_team(world, herald_runtime):
    with herald_runtime.db.transaction() as s:
        conv = Conversation(tenant_id=world.tid, account_id=world.accounts["tea"], network="reviewnet", kind="dm",
                            thread_key="dm:1", team_id="team_care")
        s.add(conv)
        s.flush()
        scope = scope_of(s, Notification(world.tid, "u", "e", "sla.breached", "t", data={"conversation_id": conv.id}))
    assert scope == NotificationScope((world.unit("tea"), world.unit("root")), ("team_care",))


def test_what_names_nothing_in_the_tree_or_another_tenants_post_belongs_to_the_root(world, seed, herald_runtime):
    post = world.create()
    globex = seed.tenant("globex")
    with herald_runtime.db.transaction() as s:
        root = (world.unit("root"),)
        assert scope_of(s, Notification(world.tid, "u", "e", "plugin.kind", "t")).org_unit_ids == root
        assert scope_of(s, Notification(world.tid, "u", "e", "approval.due", "t",
                                        data={"post_id": "post_missing"})).org_unit_ids == root
        assert scope_of(s, Notification(globex.id, "u", "e", "approval.due", "t",
                                        data={"post_id": post["id"]})).org_unit_ids == (globex.root.id,)


def test_the_channel_gets_the_full_address_of_the_page_on_the_public_url(world, rec, herald_runtime, run_jobs):
    herald_runtime.settings = dataclasses.replace(herald_runtime.settings, public_url="https://herald.example")
    notify_many(herald_runtime, world.tid, [world.ids["editor"]], data={"post_id": "post_abc"})
    run_jobs()
    assert rec.asked[0].page_url == "https://herald.example/console/posts/post_abc"


def test_people_notifiers_still_get_one_notification_per_recipient(world, herald_runtime, run_jobs):
    from sqlalchemy import select

    from herald.notifications.models import InAppNotification

    people = [world.ids[n] for n in ("editor", "editor2")]
    assert notify_many(herald_runtime, world.tid, people) == 2
    run_jobs()
    with herald_runtime.db.transaction() as s:
        got = s.scalars(select(InAppNotification.recipient_id).where(InAppNotification.title == "Review Launch")).all()
    assert sorted(got) == sorted(people)
