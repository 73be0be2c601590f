"""The console in a real browser (Debian's Chromium driven by Playwright) against a real Herald
server on a loopback port: enable plugins, compose a post for three networks in English and
Arabic, take it through a three-step workflow as three people, publish it now to the sandbox
network, see it on the sandbox's feed and on the calendar, and find every step in the audit log —
once in English and once in Arabic, where the layout must mirror."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from console_world import PASSWORD, build_console_world, serve
from test_console_calendar import connect

from herald.clock import utcnow
from herald.content.models import Post
from herald.people.models import User
from herald.publishing.scheduler import Scheduler

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("HERALD_TEST_CHROMIUM", "/usr/bin/chromium")
# The README's screenshots: HERALD_TEST_SCREENSHOTS=docs/screenshots writes them there.
KEEP = {"console-compose-en.png", "console-review-en.png", "console-review-ar.png", "console-calendar-en.png",
        "console-calendar-ar.png"}
ARABIC = "قهوة طازجة اليوم من أكمي"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(app: Any, herald_runtime: Any) -> Iterator[str]:
    # plain HTTP on loopback: the session cookie cannot be Secure here
    herald_runtime.settings = dataclasses.replace(herald_runtime.settings, session_cookie_secure=False)
    with serve(app) as url:
        yield url


class Walk:
    """One browser page and the steps of the walk, with selectors that do not depend on the
    console's language."""

    def __init__(self, page: Any, base: str, world: Any) -> None:
        self.page, self.base, self.world = page, base, world

    def sign_in(self, who: str) -> None:
        self.page.goto(f"{self.base}/console/")
        self.page.fill("#tenant", self.world.tenant.tenant.slug)
        self.page.click("button[type=submit]")
        self.page.fill("#email", self.world.emails[who])
        self.page.fill("#password", PASSWORD)
        self.page.click("form button[type=submit]")
        self.page.wait_for_url(f"{self.base}/console/")

    def sign_out(self) -> None:
        self.page.click("header form button")
        self.page.wait_for_url("**/sign-in/**")

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)


def shoot(page: Any, folder: Path, name: str) -> None:
    target = Path(os.environ.get("HERALD_TEST_SCREENSHOTS") or folder)
    if name in KEEP:
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / name), full_page=True)


def run_engine(rt: Any, run_jobs: Any) -> None:
    """One pass of the publishing engine. The live server here runs no scheduler (in
    production ``herald scheduler`` and the workers do), so the test does its work: one
    scheduler tick, then the queued jobs — in-process on the embedded queue, by an RQ worker in
    burst mode on Redis."""
    Scheduler(rt).tick()
    assert run_jobs() == 0


def more_posts(world: Any, rt: Any) -> None:
    """Two more posts on the calendar: one for tomorrow, one published now that the sandbox
    refuses (it must stand out)."""
    for days, text in ((1, "Latte art workshop on Saturday"), (0, "New roast [sandbox:permanent]")):
        content = {"title": text[:30], "targets": [world.accounts["sandbox"]],
                   "variants": [{"network": None, "language": "en", "text": text}]}
        post_id = world.admin.post(f"tenants/{world.tid}/posts", {"org_unit_id": world.unit("coffee"),
                                                                  "content": content}).get_json()["id"]
        with rt.db.transaction() as s:  # approved through the workflow in the walk itself; here, directly
            post = s.get(Post, post_id)
            post.status, post.approved_version = "approved", post.current_version
        if days:
            when = (utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT10:00")
            r = world.admin.post(f"tenants/{world.tid}/posts/{post_id}/schedule",
                                 {"local_time": when, "time_zone": "UTC"})
        else:
            r = world.admin.post(f"tenants/{world.tid}/posts/{post_id}/publish", {})
        assert r.status_code in (201, 202), r.get_json()


def walk(browser: Any, base: str, world: Any, lang: str, folder: Path, rt: Any, run_jobs: Any) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    w = Walk(page, base, world)

    # an administrator enables the second network for the tenant
    w.sign_in("admin")
    page.goto(f"{base}/console/admin/plugins/shortnet")
    page.click("button[name=action][value=enable]")
    page.wait_for_selector("button[name=action][value=disable]")  # the page after the form's redirect
    assert world.admin.get(f"tenants/{world.tid}/plugins/shortnet").get_json()["enabled"] is True
    assert page.locator("button[name=action][value=disable]").count() == 1
    world.add_account("shortnet", "acme_short")
    # and the sandbox network, with an account connected to it
    page.goto(f"{base}/console/admin/plugins/network_sandbox")
    page.click("button[name=action][value=enable]")
    page.locator("button[name=action][value=disable]").wait_for()  # the answer's page, not the form's
    assert page.locator("button[name=action][value=disable]").count() == 1
    connect(world, world.add_account("sandbox", "acme_sandbox"))
    # and a second sandbox account whose audience reads Arabic: it gets the post's Arabic text
    r = world.admin.post(f"tenants/{world.tid}/social-accounts", {
        "org_unit_id": world.unit("coffee"), "network": "sandbox", "handle": "acme_sandbox_ar",
        "audience_languages": ["ar"]})
    world.accounts["sandbox_ar"] = r.get_json()["id"]
    connect(world, world.accounts["sandbox_ar"])
    w.sign_out()

    # a creator composes one post for both networks, in English and Arabic
    w.sign_in("creator")
    assert page.locator("html").get_attribute("lang") == lang
    page.goto(f"{base}/console/compose")
    page.select_option("#org_unit_id", world.unit("coffee"))
    page.fill("#title", "Launch")
    page.check(f"input[name=targets][value='{world.accounts['longnet']}']")
    page.check(f"input[name=targets][value='{world.accounts['shortnet']}']")
    page.check(f"input[name=targets][value='{world.accounts['sandbox']}']")
    page.check(f"input[name=targets][value='{world.accounts['sandbox_ar']}']")
    page.select_option("#variant-0-language", "en")
    page.fill("#variant-0-text", "Fresh coffee today at Acme, all day long, come by")
    # the live check reports the short network's limit next to the variant
    page.locator(".problems[data-field='variants[0]'] .problem").first.wait_for()
    assert "40" in w.text(".problems[data-field='variants[0]']")
    page.fill("#variant-0-text", "Fresh coffee today")
    page.locator(".problems[data-field='variants[0]'] .problem").first.wait_for(state="detached")
    page.click("button[name=action][value=add_variant]")  # compose starts with one variant
    page.select_option("#variant-1-language", "ar")
    page.fill("#variant-1-text", ARABIC)
    shoot(page, folder, f"console-compose-{lang}.png")
    page.click("button[name=action][value=submit]")
    page.wait_for_url("**/console/posts/*")
    post_id = page.url.rsplit("/", 1)[1]
    assert page.get_attribute(".status", "data-code") == "in_review"
    arabic = page.locator(".post-text[lang=ar]")
    assert arabic.inner_text() == ARABIC and arabic.get_attribute("dir") == "auto"
    # a creator may not decide: the form is not shown
    assert page.locator("button[name=decision]").count() == 0
    w.sign_out()

    # three people approve, one step each
    for who in ("editor", "legal", "manager"):
        w.sign_in(who)
        page.click(f"main a[href='/console/posts/{post_id}']")  # from "waiting for me"
        if who == "legal":
            shoot(page, folder, f"console-review-{lang}.png")
        page.fill("#comment", f"Fine by {who}")
        page.click("button[name=decision][value=approve]")
        page.wait_for_url(f"**/console/posts/{post_id}")
        w.sign_out()
    assert world.admin.get(f"tenants/{world.tid}/posts/{post_id}").get_json()["status"] == "approved"

    # the manager publishes it now, on the sandbox only (the two test networks cannot publish)
    w.sign_in("manager")
    page.goto(f"{base}/console/posts/{post_id}")
    for network in ("longnet", "shortnet"):
        page.uncheck(f"input[name=account_ids][value='{world.accounts[network]}']")
    page.click("button[name=action][value=publish_now]")
    page.wait_for_url(f"**/console/posts/{post_id}")
    # English on one sandbox account, Arabic on the other (its audience's language), due now
    assert page.locator(".publication[data-code=scheduled]").count() == 2
    run_engine(rt, run_jobs)
    page.reload()
    assert page.locator(".publication[data-code=published]").count() == 2
    assert page.get_attribute(".publish-summary", "data-published") == "2"
    assert page.get_attribute(".status", "data-code") == "published"
    page.locator(".publication a.remote").first.click()  # to the post on the sandbox's feed
    page.wait_for_url("**/console/x/network_sandbox/**")
    feed = page.inner_text("body")
    assert "Fresh coffee today" in feed and ARABIC in feed

    # the calendar shows it (published, today), a post refused by the network, and one for tomorrow
    more_posts(world, rt)
    run_engine(rt, run_jobs)
    page.goto(f"{base}/console/calendar")
    # one card for the post, however many accounts and languages it went out in
    assert page.locator(f"li.item[data-code=published] a[href='/console/posts/{post_id}']").count() == 1
    assert page.locator("li.item.trouble[data-code=failed]").count() == 1
    if (utcnow() + timedelta(days=1)).month == utcnow().month:  # tomorrow is still on this month's page
        assert page.locator("li.item[data-code=scheduled][draggable=true]").count() == 1
    shoot(page, folder, f"console-calendar-{lang}.png")
    w.sign_out()

    # every step is in the audit log, publishing included
    w.sign_in("admin")
    page.goto(f"{base}/console/admin/audit?object_id={post_id}")
    actions = [cell.get_attribute("data-code") for cell in page.locator("td.action").all()]
    assert actions.count("approval.decided") == 3
    for action in ("post.created", "post.submitted", "approval.started", "post.approved",
                   "post.publish_requested"):
        assert action in actions
    publications = world.admin.get(f"tenants/{world.tid}/posts/{post_id}/publications").get_json()["publications"]
    for publication in publications:
        page.goto(f"{base}/console/admin/audit?object_id={publication['id']}")
        assert "publication.published" in [c.get_attribute("data-code") for c in page.locator("td.action").all()]
    page.click("main form[method=post] button")
    assert page.locator("#verify-result").get_attribute("class") == "flash ok"
    page.goto(f"{base}/console/admin/audit?action=plugin.configured")
    assert page.locator("td.action").count() >= 1
    shoot(page, folder, f"console-audit-{lang}.png")
    page.close()


def test_the_console_walk_from_plugin_to_published_post_in_english(browser, base_url, seed, api, register_plugin,
                                                                   herald_runtime, run_jobs, tmp_path):
    world = build_console_world(seed, api, register_plugin)
    walk(browser, base_url, world, "en", tmp_path, herald_runtime, run_jobs)
    page = browser.new_page()
    Walk(page, base_url, world).sign_in("editor")
    assert page.locator("html").get_attribute("dir") == "ltr"
    nav = page.locator("nav.menu").bounding_box()
    assert nav["x"] < 50  # on the left


def test_the_console_walk_in_arabic_mirrors_the_layout(browser, base_url, seed, api, register_plugin,
                                                      herald_runtime, run_jobs, tmp_path):
    world = build_console_world(seed, api, register_plugin)
    with herald_runtime.db.transaction() as s:
        for user_id in world.ids.values():
            s.get(User, user_id).locale = "ar"
    walk(browser, base_url, world, "ar", tmp_path, herald_runtime, run_jobs)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    Walk(page, base_url, world).sign_in("editor")
    assert page.locator("html").get_attribute("dir") == "rtl"
    nav = page.locator("nav.menu").bounding_box()
    assert nav["x"] + nav["width"] > 1200 - 50 and nav["x"] > 600  # on the right
    assert "الرئيسية" in page.inner_text("nav.menu")  # translated, not English


UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


def test_every_console_control_is_labelled_and_the_skip_link_takes_the_keyboard_to_the_content(
        browser, base_url, seed, api, register_plugin):
    world = build_console_world(seed, api, register_plugin)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    w = Walk(page, base_url, world)
    w.sign_in("admin")
    for path in ("/console/", "/console/posts", "/console/calendar", "/console/compose", "/console/profile",
                 "/console/admin/units",
                 "/console/admin/users", "/console/admin/plugins/shortnet", "/console/admin/plugins/email_notifier",
                 "/console/admin/workflows",
                 f"/console/admin/workflows/{world.unit('coffee')}", "/console/admin/audit"):
        page.goto(base_url + path)
        assert page.evaluate(UNLABELLED) == [], path
    page.goto(f"{base_url}/console/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator("a.skip").bounding_box()["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_post_is_scheduled_in_another_zone_and_dragged_to_another_day_keeping_its_time(
        browser, base_url, seed, api, register_plugin, herald_runtime):
    world = build_console_world(seed, api, register_plugin)
    assert world.admin.patch(f"tenants/{world.tid}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    connect(world, world.add_account("sandbox", "acme_sandbox"))
    content = {"title": "Brunch", "targets": [world.accounts["sandbox"]],
               "variants": [{"network": None, "language": "en", "text": "Brunch in New York"}]}
    post_id = world.admin.post(f"tenants/{world.tid}/posts", {"org_unit_id": world.unit("coffee"),
                                                              "content": content}).get_json()["id"]
    with herald_runtime.db.transaction() as s:
        post = s.get(Post, post_id)
        post.status, post.approved_version = "approved", post.current_version
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    w = Walk(page, base_url, world)
    w.sign_in("manager")  # time zone: the tenant's, UTC

    # the schedule form shows the chosen New York time in the viewer's zone as it is typed
    day = (utcnow() + timedelta(days=2)).date()
    page.goto(f"{base_url}/console/posts/{post_id}")
    assert page.locator("#time_zone").input_value() == "UTC"
    page.select_option("#time_zone", "America/New_York")
    page.fill("#local_time", f"{day.isoformat()}T09:15")
    utc = datetime.combine(day, time(9, 15), ZoneInfo("America/New_York")).astimezone(UTC)
    page.locator("#in-my-zone").wait_for()
    assert f"{utc.hour % 12 or 12}:{utc.minute:02d}" in page.inner_text("#in-my-zone output")
    page.click("button[name=action][value=schedule]")
    page.wait_for_url(f"**/console/posts/{post_id}")
    assert page.locator(".publication[data-code=scheduled]").count() == 1

    # on the week's calendar, drag it one day over: it keeps 09:15 New York time
    target = day + timedelta(days=1)
    page.goto(f"{base_url}/console/calendar?view=week&date={day.isoformat()}")
    if page.locator(f"td[data-date='{target.isoformat()}']").count() == 0:  # the week ends on `day`
        target = day - timedelta(days=1)
    item = page.locator(f"td[data-date='{day.isoformat()}'] li.item[draggable=true]")
    assert item.count() == 1
    item.drag_to(page.locator(f"td[data-date='{target.isoformat()}']"))
    page.wait_for_load_state()
    page.locator(f"td[data-date='{target.isoformat()}'] li.item").wait_for()
    assert page.locator(f"td[data-date='{day.isoformat()}'] li.item").count() == 0
    pubs = world.admin.get(f"tenants/{world.tid}/posts/{post_id}/publications").get_json()["publications"]
    assert (pubs[0]["local_time"], pubs[0]["time_zone"]) == (f"{target.isoformat()}T09:15", "America/New_York")
    assert page.locator(".flash.ok").count() == 1
