"""The console's notifications: a bell with my unread count on every page, the notifications
page (newest first, paged, unread marked, mark one or all read, each leading to what it is about
on this site), my preferences per kind and channel — all without script, translated, and in a
real browser the bell's count falls when a notification is marked read."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)
from sqlalchemy import select
from test_console_accessibility import axe_script, check  # noqa: F401  (fixtures, shared)
from test_console_browser import Walk, base_url, browser  # noqa: F401  (fixtures, shared)

from herald.clock import utcnow
from herald.notifications.models import InAppNotification, NotificationPreference
from herald.people.models import User


def _store(rt: Any, world: Any, who: str, title: str, *, minutes_ago: int = 0, link: str | None = None,
           data: dict[str, Any] | None = None) -> str:
    with rt.db.transaction() as s:
        n = InAppNotification(tenant_id=world.tid, recipient_id=world.ids[who], kind="approval.due", title=title,
                              link=link, data=data or {}, created_at=utcnow() - timedelta(minutes=minutes_ago))
        s.add(n)
        s.flush()
        return n.id


def _bell(html: str) -> int:
    found = re.search(r'id="notification-bell"[^>]*data-unread="(\d+)"', html, re.S)
    assert found, "no bell in the header"
    return int(found.group(1))


def _submitted_post(world: Any, run_jobs: Any) -> str:
    """A post submitted to the workflow: its first step's deciders (the editor) are told."""
    content = {"title": "Launch", "targets": [world.accounts["longnet"]],
               "variants": [{"network": None, "language": "en", "text": "Fresh coffee today"}]}
    r = world.admin.post(f"tenants/{world.tid}/posts", {"org_unit_id": world.unit("coffee"), "content": content})
    assert r.status_code == 201, r.get_json()
    post_id = r.get_json()["id"]
    assert world.admin.post(f"tenants/{world.tid}/posts/{post_id}/submit", {}).status_code == 200
    assert run_jobs() == 0
    return post_id


def test_the_bell_shows_my_unread_count_on_every_console_page(app, world, herald_runtime):
    for i in range(3):
        _store(herald_runtime, world, "editor", f"n{i}")
    _store(herald_runtime, world, "creator", "not the editor's")
    editor, _ = sign_in(app, world, "editor")
    for path in ("/console/", "/console/posts", "/console/calendar", "/console/profile", "/console/tokens",
                 "/console/notifications", "/console/notifications/settings"):
        r = editor.get(path)
        assert r.status_code == 200, path
        assert _bell(r.get_data(as_text=True)) == 3, path
    missing = editor.get("/console/posts/post_missing")  # an error page inside the layout
    assert missing.status_code == 404 and _bell(missing.get_data(as_text=True)) == 3


def test_a_new_notification_leads_to_what_it_is_about(app, world, herald_runtime, run_jobs):
    post_id = _submitted_post(world, run_jobs)
    editor, _ = sign_in(app, world, "editor")
    html = editor.get("/console/notifications").get_data(as_text=True)
    assert _bell(html) == 1
    item = re.search(r'<li id="notification-[^"]+" class="notification unread" data-kind="approval.due".*?</li>',
                     html, re.S)
    assert item, html
    assert f'href="/console/posts/{post_id}"' in item.group(0)
    assert editor.get(f"/console/posts/{post_id}").status_code == 200


def test_the_page_lists_newest_first_and_never_links_off_this_site(app, world, herald_runtime):
    _store(herald_runtime, world, "editor", "oldest", minutes_ago=30, link="javascript:alert(1)")
    _store(herald_runtime, world, "editor", "middle", minutes_ago=20, link="https://evil.example/console/")
    _store(herald_runtime, world, "editor", "newest", minutes_ago=10, link="/console/calendar")
    editor, _ = sign_in(app, world, "editor")
    html = editor.get("/console/notifications").get_data(as_text=True)
    assert html.index("newest") < html.index("middle") < html.index("oldest")
    assert "javascript:" not in html and "evil.example" not in html
    assert '<a href="/console/calendar">newest</a>' in html


def test_marking_one_read_lowers_the_count_and_needs_the_csrf_token(app, world, herald_runtime):
    first = _store(herald_runtime, world, "editor", "first")
    _store(herald_runtime, world, "editor", "second")
    editor, csrf = sign_in(app, world, "editor")
    assert editor.post(f"/console/notifications/{first}/read").status_code == 403
    r = editor.post(f"/console/notifications/{first}/read", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/notifications")
    html = editor.get("/console/notifications").get_data(as_text=True)
    assert _bell(html) == 1
    assert re.search(rf'id="notification-{first}" class="notification" [^>]*data-read="true"', html)


def test_nobody_marks_another_persons_notification(app, world, herald_runtime):
    theirs = _store(herald_runtime, world, "creator", "for the creator")
    editor, csrf = sign_in(app, world, "editor")
    assert "for the creator" not in editor.get("/console/notifications").get_data(as_text=True)
    r = editor.post(f"/console/notifications/{theirs}/read", data={"csrf_token": csrf}, follow_redirects=True)
    assert "No such notification." in r.get_data(as_text=True)
    with herald_runtime.db.transaction() as s:
        assert s.get(InAppNotification, theirs).read_at is None


def test_mark_all_read_empties_the_unread_filter(app, world, herald_runtime):
    for i in range(4):
        _store(herald_runtime, world, "editor", f"unread note {i}")
    editor, csrf = sign_in(app, world, "editor")
    assert "unread note 0" in editor.get("/console/notifications?unread=1").get_data(as_text=True)
    r = editor.post("/console/notifications/read-all", data={"csrf_token": csrf, "unread": "1"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/notifications?unread=1")
    html = editor.get("/console/notifications?unread=1").get_data(as_text=True)
    assert _bell(html) == 0 and "unread note 0" not in html and "No unread notifications." in html


def test_the_page_is_paged_without_script(app, world, herald_runtime):
    for i in range(30):
        _store(herald_runtime, world, "editor", f"note-{i:02d}", minutes_ago=i)
    editor, _ = sign_in(app, world, "editor")
    first = editor.get("/console/notifications").get_data(as_text=True)
    shown = re.findall(r"note-\d\d", first)
    assert shown[0] == "note-00" and len(set(shown)) == 25
    older = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert older
    second = editor.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert sorted(set(re.findall(r"note-\d\d", second))) == [f"note-{i}" for i in range(25, 30)]
    forged = editor.get("/console/notifications?cursor=!!forged")
    assert forged.status_code == 400 and "cursor" in forged.get_data(as_text=True)


def test_my_preferences_page_turns_a_kind_off_on_one_channel(app, world, herald_runtime, run_jobs):
    editor, csrf = sign_in(app, world, "editor")
    html = editor.get("/console/notifications/settings").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" id="(on:[^"]+)" name="\1" value="1" checked>', html)
    assert "on:approval.due:inapp" in boxes and "on:sla.breached:inapp" in boxes
    keep = {name: "1" for name in boxes if name != "on:approval.due:inapp"}
    assert editor.post("/console/notifications/settings", data=keep).status_code == 403  # no CSRF token
    r = editor.post("/console/notifications/settings", data={"csrf_token": csrf, **keep}, follow_redirects=True)
    assert "Your notification preferences were saved." in r.get_data(as_text=True)
    assert 'id="on:approval.due:inapp" name="on:approval.due:inapp" value="1">' in r.get_data(as_text=True)
    with herald_runtime.db.transaction() as s:
        rows = s.scalars(select(NotificationPreference).where(
            NotificationPreference.user_id == world.ids["editor"])).all()
        assert [(p.kind, p.channel, p.enabled) for p in rows] == [("approval.due", "inapp", False)]
    _submitted_post(world, run_jobs)  # the editor would be told the post waits for them
    assert _bell(editor.get("/console/").get_data(as_text=True)) == 0


@pytest.mark.parametrize("lang", ["ar", "fa", "ur", "hi"])
def test_the_notifications_pages_are_translated(app, world, herald_runtime, lang):
    _store(herald_runtime, world, "editor", "a title")
    with herald_runtime.db.transaction() as s:
        s.get(User, world.ids["editor"]).locale = lang
    editor, _ = sign_in(app, world, "editor")
    html = editor.get("/console/notifications").get_data(as_text=True)
    assert f'lang="{lang}"' in html
    for english in (">Notifications<", "Mark all read", "Unread only", "A post waits for my decision",
                    "Notifications, unread:"):
        assert english not in html, (lang, english)
    settings = editor.get("/console/notifications/settings").get_data(as_text=True)
    assert "A conversation's SLA was breached" not in settings and "Notification settings" not in settings
    if lang in ("ar", "fa", "ur"):
        assert 'dir="rtl"' in html


# ----------------------------------------------------------------------------- in a browser


def test_in_a_browser_the_bell_count_falls_after_marking_read(browser, base_url, world, herald_runtime,  # noqa: F811
                                                              axe_script):  # noqa: F811
    first = _store(herald_runtime, world, "editor", "first", minutes_ago=5, data={"post_id": "post_x"})
    _store(herald_runtime, world, "editor", "second")
    page = browser.new_page(bypass_csp=True)
    try:
        Walk(page, base_url, world).sign_in("editor")
        assert page.inner_text("#notification-count") == "2"
        page.click("#notification-bell")
        page.wait_for_url(f"{base_url}/console/notifications")
        problems = check(page, axe_script, "/console/notifications")
        page.click(f"#notification-{first} form button")
        page.wait_for_url(f"{base_url}/console/notifications")
        assert page.inner_text("#notification-count") == "1"
        assert page.get_attribute(f"#notification-{first}", "data-read") == "true"
        page.click("#read-all")
        page.wait_for_url(f"{base_url}/console/notifications")
        assert page.inner_text("#notification-count") == "0"
        page.goto(f"{base_url}/console/notifications/settings")
        problems += check(page, axe_script, "/console/notifications/settings")
        assert not problems, "\n".join(problems)
    finally:
        page.close()
