"""The console's calendar and the publishing section of a post, through the Flask test client:
items laid out by day in the viewer's zone, filters, the descendants toggle, failures standing
out, rescheduling by form (allowed and refused), and schedule / publish now / retry / cancel /
unpublish calling the planning services the API calls. The publishing engine is driven here by
one scheduler pass and the queued jobs (``tick``), as the engine's own tests do."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from console_world import build_console_world, sign_in

from herald.clock import utcnow
from herald.content.models import Post
from herald.people.models import User
from herald.publishing.models import Publication
from herald.publishing.scheduler import Scheduler


@pytest.fixture
def world(seed, api, register_plugin):  # type: ignore[no-untyped-def]
    w = build_console_world(seed, api, register_plugin)
    assert w.admin.patch(f"tenants/{w.tid}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    coffee = w.add_account("sandbox", "acme_sandbox")
    tea = w.add_account("sandbox", "tea_sandbox", unit="tea")
    for account_id in (coffee, tea):
        connect(w, account_id)
    w.accounts.update(sandbox=coffee, sandbox_coffee=coffee, sandbox_tea=tea)
    return w


def connect(w: Any, account_id: str) -> None:
    """Connect a sandbox account (its OAuth flow approves at once)."""
    start = w.admin.post(f"tenants/{w.tid}/social-accounts/{account_id}/connect")
    assert start.status_code == 201, start.get_json()
    params = {k: v[0] for k, v in parse_qs(urlparse(start.get_json()["authorize_url"]).query).items()}
    done = w.admin.get("/api/v1/connect/callback", query_string=params)
    assert done.status_code == 200, done.get_json()


def arabic_account(w: Any) -> str:
    """A second sandbox account of the coffee unit whose audience reads Arabic: a post in English
    and Arabic publishes its Arabic text there and its English text on the first account."""
    r = w.admin.post(f"tenants/{w.tid}/social-accounts", {"org_unit_id": w.unit("coffee"), "network": "sandbox",
                                                         "handle": "acme_sandbox_ar", "audience_languages": ["ar"]})
    assert r.status_code == 201, r.get_json()
    connect(w, r.get_json()["id"])
    w.accounts["sandbox_ar"] = r.get_json()["id"]
    return r.get_json()["id"]


def approved_post(w: Any, rt: Any, *accounts_: str, text: str = "Fresh coffee", unit: str = "coffee",
                  campaign: str | None = None, arabic: str | None = None) -> str:
    variants = [{"network": None, "language": "en", "text": text}]
    if arabic:
        variants.append({"network": None, "language": "ar", "text": arabic})
    body: dict[str, Any] = {"org_unit_id": w.unit(unit), "content": {
        "title": text[:40], "targets": [w.accounts[a] for a in accounts_], "variants": variants}}
    if campaign:
        body["campaign"] = campaign
    r = w.admin.post(f"tenants/{w.tid}/posts", body)
    assert r.status_code == 201, r.get_json()
    with rt.db.transaction() as s:  # what a completed approval workflow leaves behind
        post = s.get(Post, r.get_json()["id"])
        post.status, post.approved_version = "approved", post.current_version
    return r.get_json()["id"]


def schedule(w: Any, post_id: str, local: str, zone: str) -> None:
    r = w.admin.post(f"tenants/{w.tid}/posts/{post_id}/schedule", {"local_time": local, "time_zone": zone})
    assert r.status_code == 201, r.get_json()


def tick(rt: Any, run_jobs: Any) -> None:
    Scheduler(rt).tick()
    assert run_jobs() == 0


def pubs(rt: Any, post_id: str) -> list[Publication]:
    with rt.db.transaction() as s:
        return list(s.query(Publication).filter(Publication.post_id == post_id).order_by(Publication.language))


def set_person(rt: Any, w: Any, who: str, **values: Any) -> None:
    with rt.db.transaction() as s:
        person = s.get(User, w.ids[who])
        for k, v in values.items():
            setattr(person, k, v)


def day_cell(html: str, day: date) -> str:
    """The HTML of the calendar's cell for ``day`` ('' if the page does not show it)."""
    found = re.search(rf'<td class="day[^"]*" data-date="{day.isoformat()}">(.*?)</td>', html, re.S)
    return found.group(1) if found else ""


def later(days: int) -> date:
    return (utcnow() + timedelta(days=days)).date()


# ----------------------------------------------------------------------------- the calendar
def test_the_calendar_puts_each_item_on_its_day_in_the_viewers_zone_in_month_and_week(
        app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(10)
    post_id = approved_post(w, rt, "sandbox", text="Late night in London")
    schedule(w, post_id, f"{d.isoformat()}T23:30", "UTC")  # 08:30 the next day in Tokyo
    set_person(rt, w, "manager", time_zone="Asia/Tokyo")
    manager, _ = sign_in(app, w, "manager")
    for view in ("month", "week"):
        r = manager.get(f"/console/calendar?view={view}&date={(d + timedelta(days=1)).isoformat()}")
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert "Late night in London" in day_cell(html, d + timedelta(days=1)), view
        assert "Late night in London" not in day_cell(html, d)
        assert "8:30" in day_cell(html, d + timedelta(days=1)) and "Asia/Tokyo" in html
        assert f'href="/console/posts/{post_id}"' in html
    set_person(rt, w, "manager", time_zone="UTC")
    html = manager.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    assert "Late night in London" in day_cell(html, d) and "11:30" in day_cell(html, d)
    # a week view shows seven days, a month whole weeks
    week = manager.get(f"/console/calendar?view=week&date={d.isoformat()}").get_data(as_text=True)
    assert week.count('<td class="day') == 7
    month = manager.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    assert month.count('<td class="day') in (28, 35, 42)


def test_previous_and_next_move_by_the_period_and_keep_the_filters(app, world):
    manager, _ = sign_in(app, world, "manager")
    html = manager.get(f"/console/calendar?view=week&date=2030-05-15&network=sandbox&descendants=0"
                       f"&unit={world.unit('coffee')}").get_data(as_text=True)
    prev = re.search(r'<a href="([^"]+)" rel="prev"', html).group(1).replace("&amp;", "&")
    nxt = re.search(r'<a href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "date=2030-05-08" in prev and "date=2030-05-22" in nxt
    for link in (prev, nxt):
        assert "network=sandbox" in link and "descendants=0" in link and "view=week" in link
    for nonsense in ("0001-01-01", "9999-12-31", "2030-13-01", "yesterday"):  # today's month instead
        r = manager.get(f"/console/calendar?date={nonsense}")
        assert r.status_code == 200 and utcnow().strftime("%Y-%m") in r.get_data(as_text=True)
    month = manager.get("/console/calendar?date=2030-01-31").get_data(as_text=True)
    assert "date=2030-02-01" in re.search(r'<a href="([^"]+)" rel="next"', month).group(1)
    assert "date=2029-12-01" in re.search(r'<a href="([^"]+)" rel="prev"', month).group(1)


def test_the_calendar_filters_by_account_network_campaign_state_author_and_unit(app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(12)
    coffee = approved_post(w, rt, "sandbox_coffee", text="Coffee launch", campaign="spring")
    tea = approved_post(w, rt, "sandbox_tea", text="Tea launch", unit="tea")
    schedule(w, coffee, f"{d.isoformat()}T10:00", "UTC")
    schedule(w, tea, f"{d.isoformat()}T11:00", "UTC")
    manager, _ = sign_in(app, w, "manager")

    def shown(query: str) -> set[str]:
        html = manager.get(f"/console/calendar?date={d.isoformat()}&{query}").get_data(as_text=True)
        return {t for t in ("Coffee launch", "Tea launch") if t in day_cell(html, d)}

    assert shown("") == {"Coffee launch", "Tea launch"}
    assert shown(f"account={w.accounts['sandbox_tea']}") == {"Tea launch"}
    assert shown("network=sandbox") == {"Coffee launch", "Tea launch"}
    assert shown("network=longnet") == set()
    assert shown("campaign=spring") == {"Coffee launch"}
    assert shown("status=scheduled") == {"Coffee launch", "Tea launch"}
    assert shown("status=published") == set()
    assert shown(f"author={w.ids['admin']}") == {"Coffee launch", "Tea launch"}
    assert shown(f"author={w.ids['editor']}") == set()
    assert shown(f"unit={w.unit('tea')}") == {"Tea launch"}
    # the root with its descendants shows both; the root alone holds no post itself
    assert shown(f"unit={w.unit('root')}") == {"Coffee launch", "Tea launch"}
    assert shown(f"unit={w.unit('root')}&descendants=0") == set()
    # an editor of coffee sees only coffee's posts, whatever the filter asks
    editor, _ = sign_in(app, w, "editor")
    html = editor.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    assert "Coffee launch" in day_cell(html, d) and "Tea launch" not in html
    assert editor.get(f"/console/calendar?date={d.isoformat()}&unit={w.unit('tea')}").status_code == 200
    assert "Tea launch" not in editor.get(f"/console/calendar?date={d.isoformat()}&unit={w.unit('tea')}") \
        .get_data(as_text=True)
    bad = manager.get("/console/calendar?status=nonsense").get_data(as_text=True)
    assert "Unknown state: nonsense." in bad


def test_failed_and_needs_attention_publications_stand_out_with_a_sign_and_words(
        app, world, herald_runtime, run_jobs):
    w, rt = world, herald_runtime
    fine = approved_post(w, rt, "sandbox", text="All good")
    broken = approved_post(w, rt, "sandbox", text="Refused [sandbox:permanent]")
    manager, csrf = sign_in(app, w, "manager")
    for post_id in (fine, broken):
        r = manager.post(f"/console/posts/{post_id}/schedule", data={"csrf_token": csrf, "action": "publish_now"})
        assert r.status_code == 303
    tick(rt, run_jobs)
    assert [p.state for p in pubs(rt, broken)] == ["failed"]
    html = manager.get("/console/calendar").get_data(as_text=True)
    items = re.findall(r'<li class="item ([^"]*)" data-code="(\w+)".*?</li>', html, re.S)
    assert ("state-failed trouble", "failed") in items
    assert ("state-published", "published") in items
    failed = re.search(r'<li class="item state-failed trouble".*?</li>', html, re.S).group(0)
    assert "⚠ Failed" in failed and f"/console/posts/{broken}" in failed
    assert "1 publication needs attention." in html
    with rt.db.transaction() as s:
        s.query(Publication).filter(Publication.post_id == fine).update({"state": "needs_attention"})
    html = manager.get("/console/calendar").get_data(as_text=True)
    assert "⚠ Needs attention" in html and "2 publications need attention." in html


# ----------------------------------------------------------------------------- rescheduling
def test_a_scheduled_item_is_moved_to_another_day_keeping_its_time_in_its_planned_zone(
        app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(8)
    post_id = approved_post(w, rt, "sandbox", text="Move me")
    schedule(w, post_id, f"{d.isoformat()}T09:15", "America/New_York")
    manager, csrf = sign_in(app, w, "manager")
    html = manager.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    item = re.search(r'<li class="item state-scheduled".*?</li>', html, re.S).group(0)
    assert 'draggable="true"' in item and 'class="handle"' in item
    pub_id = re.search(r'data-publication="([^"]+)"', item).group(1)
    assert 'name="date" value="' + d.isoformat() + '"' in item and 'value="09:15"' in item
    target = d + timedelta(days=3)
    r = manager.post("/console/calendar/reschedule", data={
        "csrf_token": csrf, "publication_id": pub_id, "date": target.isoformat(),
        "next": f"/console/calendar?date={d.isoformat()}"})
    assert r.status_code == 303 and r.headers["Location"] == f"/console/calendar?date={d.isoformat()}"
    (pub,) = pubs(rt, post_id)
    assert (pub.local_time, pub.time_zone) == (f"{target.isoformat()}T09:15", "America/New_York")
    page = manager.get(r.headers["Location"]).get_data(as_text=True)
    assert "The post was moved to" in page
    assert "post.rescheduled" in [e["action"] for e in w.admin.get(
        f"tenants/{w.tid}/audit-events?object_id={post_id}").get_json()["items"]]
    # a day in the past is refused with the service's reason, nothing changes
    r = manager.post("/console/calendar/reschedule", data={
        "csrf_token": csrf, "publication_id": pub_id, "date": "2001-01-01"})
    assert r.status_code == 303
    assert "already passed" in manager.get("/console/calendar").get_data(as_text=True)
    assert pubs(rt, post_id)[0].local_time == f"{target.isoformat()}T09:15"


def test_a_person_without_the_schedule_permission_sees_no_handle_and_a_posted_form_is_refused(
        app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(9)
    post_id = approved_post(w, rt, "sandbox", text="Not yours to move")
    schedule(w, post_id, f"{d.isoformat()}T09:00", "UTC")
    pub_id = pubs(rt, post_id)[0].id
    editor, csrf = sign_in(app, w, "editor")  # may view coffee's posts, may not schedule
    html = editor.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    assert "Not yours to move" in day_cell(html, d)
    assert 'draggable="true"' not in html and 'class="handle"' not in html and "calendar/reschedule" not in html
    r = editor.post("/console/calendar/reschedule", data={
        "csrf_token": csrf, "publication_id": pub_id, "date": (d + timedelta(days=1)).isoformat()})
    assert r.status_code == 303
    assert "posts.schedule" in editor.get("/console/calendar").get_data(as_text=True)
    assert pubs(rt, post_id)[0].local_time == f"{d.isoformat()}T09:00"
    # and without the session's CSRF token nobody's form counts
    manager, _ = sign_in(app, w, "manager")
    assert manager.post("/console/calendar/reschedule", data={
        "publication_id": pub_id, "date": (d + timedelta(days=1)).isoformat()}).status_code == 403
    assert pubs(rt, post_id)[0].local_time == f"{d.isoformat()}T09:00"


# ----------------------------------------------------------------------------- the post page
def test_the_post_page_schedules_an_approved_post_in_a_chosen_zone_and_shows_it_in_mine(
        app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(15)
    post_id = approved_post(w, rt, "sandbox", text="Tokyo breakfast")
    set_person(rt, w, "manager", time_zone="Europe/Berlin")
    manager, csrf = sign_in(app, w, "manager")
    page = manager.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert '<option selected>Europe/Berlin</option>' in page and 'value="publish_now"' in page
    assert 'name="action" value="schedule"' in page
    r = manager.post(f"/console/posts/{post_id}/schedule", data={
        "csrf_token": csrf, "action": "schedule", "local_time": f"{d.isoformat()}T09:00",
        "time_zone": "Asia/Tokyo", "account_ids": [w.accounts["sandbox"]]})
    assert r.status_code == 303
    (pub,) = pubs(rt, post_id)
    assert (pub.state, pub.local_time, pub.time_zone) == ("scheduled", f"{d.isoformat()}T09:00", "Asia/Tokyo")
    assert pub.scheduled_at.astimezone(UTC) == datetime(d.year, d.month, d.day, 0, 0, tzinfo=UTC)
    page = manager.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert "The post is planned for" in page and f"{d.isoformat()} 09:00 (Asia/Tokyo)" in page
    assert "1:00" in re.search(r"your time: ([^<]*)", page).group(1)  # 09:00 Tokyo is 01:00 in Berlin (CET)
    assert 'value="reschedule"' in page and 'value="cancel"' in page
    # a bad zone and a missing time are refused with the reason, nothing is written
    other = approved_post(w, rt, "sandbox", text="Nowhere")
    manager.post(f"/console/posts/{other}/schedule", data={
        "csrf_token": csrf, "action": "schedule", "local_time": f"{d.isoformat()}T09:00", "time_zone": "Mars/Base"})
    assert "is not an IANA time zone" in manager.get(f"/console/posts/{other}").get_data(as_text=True)
    manager.post(f"/console/posts/{other}/schedule", data={"csrf_token": csrf, "action": "schedule"})
    assert "Choose the day and time to publish." in manager.get(f"/console/posts/{other}").get_data(as_text=True)
    assert pubs(rt, other) == []


def test_publish_now_shows_partial_success_and_retry_and_cancel_act_on_one_publication(
        app, world, herald_runtime, run_jobs):
    w, rt = world, herald_runtime
    arabic_account(w)
    post_id = approved_post(w, rt, "sandbox", "sandbox_ar", text="Fresh coffee", arabic="قهوة [sandbox:permanent]")
    manager, csrf = sign_in(app, w, "manager")
    r = manager.post(f"/console/posts/{post_id}/schedule", data={"csrf_token": csrf, "action": "publish_now"})
    assert r.status_code == 303
    tick(rt, run_jobs)
    ar, en = pubs(rt, post_id)
    assert (ar.state, en.state) == ("failed", "published")
    page = manager.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert "1 of 2 published" in page
    assert "The sandbox refuses this post for good." in page
    assert f'href="{en.remote_url}"' in page
    failed = re.search(rf'<li class="publication state-failed trouble" data-code="failed" id="pub-{ar.id}">.*?</li>',
                       page, re.S).group(0)
    assert "⚠ Failed" in failed and 'value="retry"' in failed and 'value="cancel"' in failed
    done = re.search(rf'<li class="publication state-published"[^>]*id="pub-{en.id}">.*?</li>', page, re.S).group(0)
    assert 'value="unpublish"' in done and 'value="retry"' not in done
    # retry: the publication is due again (and fails again, the text still says so)
    r = manager.post(f"/console/publications/{ar.id}/retry", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["Location"] == f"/console/posts/{post_id}"
    assert pubs(rt, post_id)[0].state == "scheduled"
    assert "The publication will be tried again." in manager.get(r.headers["Location"]).get_data(as_text=True)
    tick(rt, run_jobs)
    assert pubs(rt, post_id)[0].state == "failed"
    # cancel: that publication is given up, the other stays published
    manager.post(f"/console/publications/{ar.id}/cancel", data={"csrf_token": csrf})
    assert [p.state for p in pubs(rt, post_id)] == ["cancelled", "published"]
    page = manager.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert "1 of 1 published" in page
    # a cancelled publication cannot be cancelled again: the service says why
    manager.post(f"/console/publications/{ar.id}/cancel", data={"csrf_token": csrf})
    assert "cannot be cancelled" in manager.get(f"/console/posts/{post_id}").get_data(as_text=True)
    # unpublish removes it from the network
    manager.post(f"/console/publications/{en.id}/unpublish", data={"csrf_token": csrf})
    assert pubs(rt, post_id)[1].state == "deleted"
    actions = {e["action"] for e in w.admin.get(f"tenants/{w.tid}/audit-events?limit=200").get_json()["items"]}
    assert {"post.publish_requested", "publication.published", "publication.failed", "publication.retried",
            "publication.cancelled", "publication.unpublished"} <= actions


def test_people_without_publishing_permissions_see_no_publishing_buttons_and_are_refused(
        app, world, herald_runtime, run_jobs):
    w, rt = world, herald_runtime
    arabic_account(w)
    post_id = approved_post(w, rt, "sandbox", "sandbox_ar", text="Hands off", arabic="قهوة [sandbox:permanent]")
    editor, csrf = sign_in(app, w, "editor")
    page = editor.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert "Nothing is planned for this post yet." in page
    assert 'value="publish_now"' not in page and 'value="schedule"' not in page
    editor.post(f"/console/posts/{post_id}/schedule", data={"csrf_token": csrf, "action": "publish_now"})
    assert "posts.publish" in editor.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert pubs(rt, post_id) == []
    manager, mcsrf = sign_in(app, w, "manager")
    manager.post(f"/console/posts/{post_id}/schedule", data={"csrf_token": mcsrf, "action": "publish_now"})
    tick(rt, run_jobs)
    ar, _en = pubs(rt, post_id)
    page = editor.get(f"/console/posts/{post_id}").get_data(as_text=True)
    assert "1 of 2 published" in page and 'value="retry"' not in page and 'value="unpublish"' not in page
    editor.post(f"/console/publications/{ar.id}/retry", data={"csrf_token": csrf})
    assert pubs(rt, post_id)[0].state == "failed"
    # a draft offers no publishing, and a hand-posted form meets the approval gate
    draft = w.admin.post(f"tenants/{w.tid}/posts", {"org_unit_id": w.unit("coffee"), "content": {
        "title": "Draft", "targets": [w.accounts["sandbox"]],
        "variants": [{"network": None, "language": "en", "text": "Draft"}]}}).get_json()["id"]
    page = manager.get(f"/console/posts/{draft}").get_data(as_text=True)
    assert 'value="publish_now"' not in page
    manager.post(f"/console/posts/{draft}/schedule", data={"csrf_token": mcsrf, "action": "publish_now"})
    assert pubs(rt, draft) == []
    assert 'role="alert"' in manager.get(f"/console/posts/{draft}").get_data(as_text=True)


def test_the_calendar_is_in_the_menu_of_people_who_can_view_posts(app, world):
    viewer, _ = sign_in(app, world, "viewer")
    assert 'href="/console/calendar"' in viewer.get("/console/").get_data(as_text=True)
    assert viewer.get("/console/calendar").status_code == 200
