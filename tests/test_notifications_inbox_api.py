"""My notifications through the API: newest first and paged like every list, only the unread on
request, marked read one by one or all at once — and only ever my own, never another person's or
another tenant's. My notification preferences choose, per kind and channel (in-app, email, any
notifier plugin), what the sending path delivers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from herald.clock import utcnow
from herald.notifications.kinds import NotificationKind
from herald.notifications.models import InAppNotification, NotificationPreference
from herald.notifications.notifier import Notification
from herald.notifications.send import send
from herald.plugins import Notifier, hookimpl


class ChatNotifier(Notifier):
    """A chat channel as a notifier plugin would add one: it keeps what it was asked to send."""

    key = "chat"
    display_name = "Team chat"
    sent: ClassVar[list[tuple[str, str]]] = []

    def notify(self, notification: Notification) -> None:
        ChatNotifier.sent.append((notification.recipient_id, notification.kind))


class ChatPlugin:
    HERALD_HOOK_API = "1.0"

    @staticmethod
    @hookimpl
    def herald_notifiers():  # type: ignore[no-untyped-def]
        return [ChatNotifier]


@pytest.fixture
def people(seed, api):  # type: ignore[no-untyped-def]
    """Two people of acme (one an administrator) and one of globex, each with a client."""
    acme, globex = seed.tenant("acme"), seed.tenant("globex")
    admin, admin_token = seed.user(acme, "admin@acme.test", [("tenant_admin", "root")])
    ann, ann_token = seed.user(acme, "ann@acme.test")
    bob, bob_token = seed.user(acme, "bob@acme.test")
    gil, gil_token = seed.user(globex, "gil@globex.test")
    return {"acme": acme, "globex": globex, "admin": (admin, api(admin_token)), "ann": (ann, api(ann_token)),
            "bob": (bob, api(bob_token)), "gil": (gil, api(gil_token))}


def _store(rt: Any, user: Any, title: str, *, minutes_ago: int = 0, link: str | None = None,
           data: dict[str, Any] | None = None, read: bool = False) -> str:
    with rt.db.transaction() as s:
        n = InAppNotification(tenant_id=user.tenant_id, recipient_id=user.id, kind="approval.due", title=title,
                              link=link, data=data or {}, created_at=utcnow() - timedelta(minutes=minutes_ago),
                              read_at=utcnow() if read else None)
        s.add(n)
        s.flush()
        return n.id


def _send(rt: Any, run_jobs: Any, user: Any, kind: str, title: str) -> int:
    with rt.db.transaction() as s:
        queued = send(s, Notification(user.tenant_id, user.id, user.email, kind, title))
    assert run_jobs() == 0
    return queued


def test_my_notifications_come_newest_first_with_the_unread_ones_marked(people, herald_runtime, run_jobs):
    ann, client = people["ann"]
    for title in ("first", "second", "third"):
        _send(herald_runtime, run_jobs, ann, "approval.due", title)
    _store(herald_runtime, ann, "old and read", minutes_ago=60, read=True)
    body = client.get("me/notifications").get_json()
    assert [n["title"] for n in body["items"]][-1] == "old and read"
    assert {n["title"] for n in body["items"][:3]} == {"first", "second", "third"}
    assert [n["read"] for n in body["items"]] == [False, False, False, True]
    assert body["next_cursor"] is None
    unread = client.get("me/notifications", query_string={"unread": "true"}).get_json()["items"]
    assert len(unread) == 3 and all(n["read_at"] is None for n in unread)
    assert client.get("me/notifications/unread-count").get_json() == {"unread": 3}


def test_walking_the_pages_of_my_notifications_yields_each_once(people, herald_runtime):
    ann, client = people["ann"]
    made = [_store(herald_runtime, ann, f"n{i}", minutes_ago=i) for i in range(7)]
    walked, cursor = [], None
    while True:
        r = client.get("me/notifications", query_string={"limit": "3", **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200
        walked += [n["id"] for n in r.get_json()["items"]]
        cursor = r.get_json()["next_cursor"]
        if not cursor:
            break
    assert walked == made  # newest (0 minutes ago) first, each once


def test_marking_one_read_lowers_the_unread_count(people, herald_runtime):
    ann, client = people["ann"]
    first = _store(herald_runtime, ann, "one")
    _store(herald_runtime, ann, "two")
    r = client.post(f"me/notifications/{first}/read")
    assert r.status_code == 200 and r.get_json()["read"] is True and r.get_json()["read_at"]
    assert client.get("me/notifications/unread-count").get_json()["unread"] == 1
    again = client.post(f"me/notifications/{first}/read")  # already read: unchanged
    assert again.status_code == 200 and again.get_json()["read_at"] == r.get_json()["read_at"]


def test_mark_all_read_marks_only_mine(people, herald_runtime):
    (ann, client), (bob, _) = people["ann"], people["bob"]
    for i in range(3):
        _store(herald_runtime, ann, f"ann {i}")
    bobs = _store(herald_runtime, bob, "bob's")
    assert client.post("me/notifications/read-all").get_json() == {"marked": 3, "unread": 0}
    assert client.post("me/notifications/read-all").get_json() == {"marked": 0, "unread": 0}
    with herald_runtime.db.transaction() as s:
        assert s.get(InAppNotification, bobs).read_at is None


def test_a_person_never_sees_nor_marks_another_persons_or_another_tenants_notification(people, herald_runtime):
    (ann, ann_client), (bob, _), (gil, gil_client) = people["ann"], people["bob"], people["gil"]
    bobs = _store(herald_runtime, bob, "for bob")
    gils = _store(herald_runtime, gil, "for gil")
    _store(herald_runtime, ann, "for ann")
    assert [n["title"] for n in ann_client.get("me/notifications").get_json()["items"]] == ["for ann"]
    assert [n["title"] for n in gil_client.get("me/notifications").get_json()["items"]] == ["for gil"]
    for other in (bobs, gils):
        r = ann_client.post(f"me/notifications/{other}/read")
        assert r.status_code == 404 and r.mimetype == "application/problem+json"
    r = gil_client.post(f"me/notifications/{bobs}/read")
    assert r.status_code == 404
    with herald_runtime.db.transaction() as s:
        assert s.get(InAppNotification, bobs).read_at is None and s.get(InAppNotification, gils).read_at is None
    assert gil_client.get("me/notifications/unread-count").get_json() == {"unread": 1}


def test_a_notification_links_only_to_a_page_of_this_site(people, herald_runtime):
    ann, client = people["ann"]
    cases = {
        "javascript": ("javascript:alert(1)", {}),
        "elsewhere": ("https://evil.example/console/posts/x", {}),
        "protocol-relative": ("//evil.example/console/", {}),
        "backslash": ("/console/\\evil.example", {}),
        "not the console": ("/posts/post_abc", {}),
        "console page": ("/console/calendar?view=week", {}),
        "post": ("/posts/post_abc", {"post_id": "post_abc"}),
        "conversation": ("/console/inbox/conv_1", {"conversation_id": "conv_1"}),
        "forged id": (None, {"post_id": "../../evil"}),
    }
    for i, (title, (link, data)) in enumerate(cases.items()):
        _store(herald_runtime, ann, title, minutes_ago=i, link=link, data=data)
    links = {n["title"]: n["link"] for n in client.get("me/notifications").get_json()["items"]}
    assert links == {
        "javascript": None, "elsewhere": None, "protocol-relative": None, "backslash": None, "not the console": None,
        "console page": "/console/calendar?view=week", "post": "/console/posts/post_abc",
        "conversation": "/console/inbox?c=conv_1", "forged id": None,
    }


def test_the_openapi_document_declares_what_the_notification_endpoints_give(people, client, herald_runtime):
    _, api_client = people["ann"]
    doc = client.get("/api/v1/openapi.json").get_json()
    ops = {
        ("get", "/api/v1/me/notifications"): client_get(api_client, "me/notifications", cursor="!!forged"),
        ("post", "/api/v1/me/notifications/{notification_id}/read"):
            api_client.post("me/notifications/ntf_missing/read"),
        ("put", "/api/v1/me/notification-preferences"):
            api_client.put("me/notification-preferences", {"preferences": [{"kind": "nope", "channel": "inapp",
                                                                             "enabled": False}]}),
    }
    for (method, path), r in ops.items():
        assert r.status_code in {int(c) for c in doc["paths"][path][method]["responses"]}, (method, path)
        assert r.mimetype == "application/problem+json"
    assert [r.status_code for r in ops.values()] == [400, 404, 422]
    assert client.get("/api/v1/me/notifications").status_code == 401
    for path in ("/api/v1/me/notifications/unread-count", "/api/v1/me/notifications/read-all"):
        assert path in doc["paths"]


def client_get(api_client: Any, path: str, **query: str) -> Any:
    return api_client.get(path, query_string=query)


# ----------------------------------------------------------------------------- preferences
def test_preferences_list_every_kind_on_every_enabled_channel_all_on_by_default(people, register_plugin):
    acme, (_, admin) = people["acme"], people["admin"]
    register_plugin(ChatPlugin(), "chat_notifier")
    assert admin.patch(f"tenants/{acme.id}/plugins/chat_notifier", {"enabled": True}).status_code == 200
    _, client = people["ann"]
    body = client.get("me/notification-preferences").get_json()
    assert [c["key"] for c in body["channels"]] == ["inapp", "chat"]  # email is off until configured
    kinds = {k["key"] for k in body["kinds"]}
    assert {"approval.due", "approval.send_back", "conversation.assigned", "sla.breached"} <= kinds
    assert "auth.password_reset" not in kinds  # required: not a choice
    assert len(body["preferences"]) == len(kinds) * 2 and all(p["enabled"] for p in body["preferences"])
    # a tenant that did not enable the chat plugin has no chat channel
    _, gil = people["gil"]
    assert [c["key"] for c in gil.get("me/notification-preferences").get_json()["channels"]] == ["inapp"]


def test_a_kind_turned_off_on_one_channel_still_arrives_on_the_others(people, register_plugin, herald_runtime,
                                                                      run_jobs):
    acme, (_, admin), (ann, client), (bob, _) = people["acme"], people["admin"], people["ann"], people["bob"]
    register_plugin(ChatPlugin(), "chat_notifier")
    assert admin.patch(f"tenants/{acme.id}/plugins/chat_notifier", {"enabled": True}).status_code == 200
    ChatNotifier.sent.clear()
    r = client.put("me/notification-preferences", {"preferences": [
        {"kind": "approval.due", "channel": "chat", "enabled": False},
        {"kind": "sla.breached", "channel": "inapp", "enabled": False},
        {"kind": "sla.breached", "channel": "chat", "enabled": True}]})
    assert r.status_code == 200, r.get_json()
    off = {(p["kind"], p["channel"]) for p in r.get_json()["preferences"] if not p["enabled"]}
    assert off == {("approval.due", "chat"), ("sla.breached", "inapp")}
    assert _send(herald_runtime, run_jobs, ann, "approval.due", "waits") == 1
    assert _send(herald_runtime, run_jobs, ann, "sla.breached", "breached") == 1
    assert _send(herald_runtime, run_jobs, bob, "approval.due", "waits for bob") == 2  # bob chose nothing
    assert sorted(ChatNotifier.sent) == sorted([(ann.id, "sla.breached"), (bob.id, "approval.due")])
    titles = [n["title"] for n in client.get("me/notifications").get_json()["items"]]
    assert titles == ["waits"]
    # PUT replaces: what is not listed is on again
    assert client.put("me/notification-preferences", {"preferences": []}).status_code == 200
    assert all(p["enabled"] for p in client.get("me/notification-preferences").get_json()["preferences"])


class CrmPlugin:
    """A plugin that sends notifications of its own declares their kinds."""

    HERALD_HOOK_API = "1.2"

    @staticmethod
    @hookimpl
    def herald_notification_kinds():  # type: ignore[no-untyped-def]
        return [NotificationKind("acme_crm.sync_failed", "A CRM sync I own failed", "crm"),
                NotificationKind("approval.due", "Taken over", "crm"),  # Herald's own: ignored
                NotificationKind("auth.password_reset", "Required", "crm"),  # required: never a choice
                "not a kind"]


def test_herald_notification_kinds_a_plugin_declares_reach_people_of_tenants_that_enabled_it(
        people, register_plugin, herald_runtime, run_jobs):
    acme, (_, admin), (ann, client) = people["acme"], people["admin"], people["ann"]
    register_plugin(CrmPlugin(), "acme_crm")
    kinds = {k["key"]: k for k in client.get("me/notification-preferences").get_json()["kinds"]}
    assert "acme_crm.sync_failed" not in kinds  # not enabled for acme yet
    refused = client.put("me/notification-preferences", {"preferences": [
        {"kind": "acme_crm.sync_failed", "channel": "inapp", "enabled": False}]})
    assert refused.status_code == 422
    assert admin.patch(f"tenants/{acme.id}/plugins/acme_crm", {"enabled": True}).status_code == 200
    kinds = {k["key"]: k for k in client.get("me/notification-preferences").get_json()["kinds"]}
    assert kinds["acme_crm.sync_failed"]["name"] == "A CRM sync I own failed"
    assert kinds["approval.due"]["name"] == "A post waits for my decision"  # Herald's stays Herald's
    assert "auth.password_reset" not in kinds
    r = client.put("me/notification-preferences", {"preferences": [
        {"kind": "acme_crm.sync_failed", "channel": "inapp", "enabled": False}]})
    assert r.status_code == 200, r.get_json()
    assert _send(herald_runtime, run_jobs, ann, "acme_crm.sync_failed", "sync failed") == 0
    _, gil = people["gil"]  # globex did not enable the plugin
    assert "acme_crm.sync_failed" not in {k["key"] for k in gil.get("me/notification-preferences").get_json()["kinds"]}


def test_required_messages_are_sent_whatever_the_person_chose(people, herald_runtime):
    ann, client = people["ann"]
    r = client.put("me/notification-preferences", {"preferences": [
        {"kind": "auth.password_reset", "channel": "inapp", "enabled": False}]})
    assert r.status_code == 422
    with herald_runtime.db.transaction() as s:  # even a row written by hand does not stop it
        s.add(NotificationPreference(user_id=ann.id, tenant_id=ann.tenant_id, kind="auth.password_reset",
                                     channel="inapp", enabled=False))
    with herald_runtime.db.transaction() as s:
        assert send(s, Notification(ann.tenant_id, ann.id, ann.email, "auth.password_reset", "reset")) == 1


def test_wrong_preferences_are_refused_and_nothing_is_written(people, herald_runtime):
    ann, client = people["ann"]
    assert client.put("me/notification-preferences", {"preferences": [
        {"kind": "approval.due", "channel": "inapp", "enabled": False}]}).status_code == 200
    for bad in ([{"kind": "approval.due", "channel": "carrier_pigeon", "enabled": False}],
                [{"kind": "approval.due", "channel": "inapp", "enabled": False},
                 {"kind": "approval.due", "channel": "inapp", "enabled": True}],
                [{"kind": "approval.due", "channel": "inapp"}],
                [{"kind": "approval.due", "channel": "inapp", "enabled": "sometimes"}]):
        r = client.put("me/notification-preferences", {"preferences": bad})
        assert r.status_code == 422, bad
        assert r.mimetype == "application/problem+json"
    with herald_runtime.db.transaction() as s:
        rows = s.scalars(select(NotificationPreference).where(NotificationPreference.user_id == ann.id)).all()
        assert [(p.kind, p.channel, p.enabled) for p in rows] == [("approval.due", "inapp", False)]


def test_my_preferences_are_mine_alone(people, herald_runtime, run_jobs):
    (ann, client), (bob, bob_client), (gil, _) = people["ann"], people["bob"], people["gil"]
    assert client.put("me/notification-preferences", {"preferences": [
        {"kind": "approval.due", "channel": "inapp", "enabled": False}]}).status_code == 200
    assert all(p["enabled"] for p in bob_client.get("me/notification-preferences").get_json()["preferences"])
    assert _send(herald_runtime, run_jobs, ann, "approval.due", "x") == 0
    assert _send(herald_runtime, run_jobs, bob, "approval.due", "x") == 1
    assert _send(herald_runtime, run_jobs, gil, "approval.due", "x") == 1


def test_an_email_links_to_the_console_page_on_the_public_url_and_nowhere_else(herald_runtime):
    import dataclasses

    from herald.builtin.email_notifier import email_link

    def note(link: str | None, data: dict[str, Any] | None = None) -> Notification:
        return Notification("ten_x", "usr_1", "ann@acme.test", "approval.due", "t", link=link, data=data or {})

    herald_runtime.settings = dataclasses.replace(herald_runtime.settings, public_url="https://herald.example")
    assert email_link(note("/posts/post_abc", {"post_id": "post_abc"})) == "https://herald.example/console/posts/post_abc"
    assert email_link(note("https://herald.example/sign-in/acme/reset?token=t")) == \
        "https://herald.example/sign-in/acme/reset?token=t"  # a link its sender built whole
    assert email_link(note("javascript:alert(1)")) is None
    assert email_link(note("/posts/post_abc")) is None  # not a console path
    herald_runtime.settings = dataclasses.replace(herald_runtime.settings, public_url=None)
    assert email_link(note("/console/calendar")) is None  # a bare path is no use in a mail client
