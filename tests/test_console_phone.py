"""The console on a phone (390 × 844) and a tablet (768 × 1024), in a real browser (Debian's
Chromium through Playwright), in English and in Arabic (right to left): no page scrolls sideways,
axe's WCAG 2.1 A/AA rules pass at phone width as they do on the desktop, primary actions are at
least 44 px tall, the menu folds into a "Menu" button that works with and without scripts, and
the inbox shows the conversation list and the open conversation as two views with a way back.

One world is built for the module and one browser context per screen is signed in once; each
page is then only visited, so the many small tests stay quick."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from console_world import PASSWORD, build_console_world, serve
from inbox_support import NET, _Plugin, mention
from test_console_accessibility import _axe_script, check, post_in_review
from test_console_browser import Walk, browser, more_posts  # noqa: F401  (the module's browser)
from test_console_calendar import connect

from herald.config import Settings
from herald.runtime import Runtime, build_runtime, set_current
from herald.tenancy.models import SocialAccount
from herald.testing.client import ApiClient
from herald.testing.fixtures import _KEY, LOOPBACK_TEST_SERVERS
from herald.testing.seed import Seed

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
TOUCH_PX = 44  # the smallest height of a primary action on a touch screen (WCAG 2.5.5's target)

#: The pages of the administrator's menu, the profile, a post in review, a published post and an
#: open inbox conversation; ``{…}`` are filled in from the world.
PAGES = ["/console/", "/console/posts", "/console/posts/{review}", "/console/posts/{published}",
         "/console/compose", "/console/calendar", "/console/inbox", "/console/inbox?c={conv}",
         "/console/admin/units", "/console/admin/users", "/console/admin/accounts", "/console/admin/roles",
         "/console/admin/tokens", "/console/admin/plugins", "/console/admin/workflows",
         "/console/admin/inbox/teams", "/console/admin/audit", "/console/tokens", "/console/profile",
         "/console/library", "/console/x/network_sandbox/"]

OVERFLOW = """() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  wide: Array.from(document.querySelectorAll('body *')).filter(e => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1)
        && !e.closest('.table-scroll, table, .visually-hidden, .skip, dialog:not([open])');
    }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''))})"""
SMALL_TARGETS = """(least) => Array.from(document.querySelectorAll(
    'main button:not(.link), .menu-toggle > summary, #menu a, .conv-link, .inbox-back'))
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.height < least; })
  .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${e.textContent.trim().slice(0, 30)}" `
       + `${Math.round(e.getBoundingClientRect().height)}px`)"""


@dataclass
class PhoneSite:
    """The served console, its world and what the pages' placeholders stand for."""

    base: str
    world: Any
    rt: Runtime
    values: dict[str, str]
    contexts: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str, lang: str) -> str:
        path = path.format(**self.values)  # the language asked for each time: a choice may be kept
        return f"{self.base}{path}{'&' if '?' in path else '?'}lang={lang}"


@contextmanager
def module_runtime(backend: Any, folder: Path) -> Iterator[Runtime]:
    """A Herald runtime for a whole module (the test kit's ``herald_runtime`` is per test)."""
    database_url, redis_url, queue_name = backend.fresh(folder)
    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "HERALD_ENCRYPTION_KEYS": _KEY, "HERALD_SECRET_KEY": "test-secret",
         "HERALD_INSTANCE_PATH": str(folder / "instance"), "HERALD_OUTBOUND_ALLOW": LOOPBACK_TEST_SERVERS,
         "HERALD_TENANT_OVERRIDES": "*"},
        redis_url=redis_url, queue_name=queue_name)
    queue = None
    if redis_url is None:
        from herald.queue.embedded import EmbeddedQueue

        queue = EmbeddedQueue(queue_name, speedup=1000.0)
    rt = build_runtime(settings, queue=queue)
    rt.settings = dataclasses.replace(rt.settings, session_cookie_secure=False)  # plain HTTP on loopback
    try:
        yield rt
    finally:
        if redis_url:
            from redis import Redis
            from rq import Queue

            Queue(queue_name, connection=Redis.from_url(redis_url)).delete(delete_jobs=True)
        rt.close()
        set_current(None)


def run_queued(rt: Runtime) -> None:
    """Run the queued jobs to completion (embedded queue in-process, RQ in burst mode)."""
    from herald.publishing.scheduler import Scheduler

    Scheduler(rt).tick()
    drain = getattr(rt.queue, "drain", None)
    if drain is not None:
        assert drain(30)
        return
    rt.queue.run_burst()  # type: ignore[attr-defined]


def inbox_conversations(world: Any, rt: Runtime, register: Callable[..., Any]) -> str:
    """The fake engagement network on the coffee unit with an English and an Arabic
    conversation; returns the English one's id."""
    from herald.inbox.ingest import ingest
    from herald.inbox.models import Conversation

    for store in (NET.mentions, NET.dms, NET.delivered):
        store.clear()
    register(_Plugin(), "fakenet")
    assert world.admin.patch(f"tenants/{world.tid}/plugins/fakenet", {"enabled": True}).status_code == 200
    account_id = world.add_account("fakenet", "acme_inbox")
    with rt.db.transaction() as s:
        account = s.get(SocialAccount, account_id)
        account.external_id, account.connection_state = "remote-coffee", "connected"
        ingest(s, account, [mention("My order never arrived, and I have been waiting for a very long time now",
                                    author="c1", n=1),
                            mention("هل يمكنني تغيير طلبي؟", author="c2", kind="dm", n=2, thread="t2",
                                    language="ar")], source="poll")
    with rt.db.session() as s:
        return next(c.id for c in s.query(Conversation).all() if c.preview.startswith("My order"))


@pytest.fixture(scope="module")
def site(_herald_backends: dict[str, Any], tmp_path_factory: pytest.TempPathFactory,
         browser: Any) -> Iterator[PhoneSite]:  # noqa: F811
    """The console served once for the module, on the embedded stack only: what is checked here is
    how pages are laid out, which does not depend on the database (the other console tests run
    on both)."""
    from herald.app import create_app

    with module_runtime(_herald_backends["embedded"], tmp_path_factory.mktemp("phone")) as rt:
        app = create_app(runtime=rt, test_config={"TESTING": True})
        client = app.test_client()
        registered: list[str] = []

        def register(plugin: object, name: str) -> None:
            rt.plugins.register(plugin, name)
            registered.append(name)

        try:
            world = build_console_world(Seed(rt), lambda token=None: ApiClient(client, token), register)
            assert world.admin.patch(f"tenants/{world.tid}/plugins/network_sandbox",
                                     {"enabled": True}).status_code == 200
            connect(world, world.add_account("sandbox", "acme_sandbox"))
            more_posts(world, rt)
            run_queued(rt)
            conv = inbox_conversations(world, rt, register)
            with serve(app) as base:
                scratch = browser.new_page(viewport=PHONE)
                review = post_in_review(world, scratch, base)
                scratch.close()
                published = next(p["id"] for p in world.admin.get(f"tenants/{world.tid}/posts").get_json()["items"]
                                 if p["id"] != review)
                found = PhoneSite(base, world, rt, {"review": review, "published": published, "conv": conv,
                                                    "tid": world.tid})
                yield found
                for context in found.contexts.values():
                    context.close()
        finally:
            for name in registered:
                rt.plugins.unregister(name)


@pytest.fixture(scope="module")
def axe() -> Path:
    return _axe_script()


def signed_in(site: PhoneSite, browser: Any, viewport: dict[str, int], scripts: bool = True) -> Any:  # noqa: F811
    """A page of a browser context signed in as the administrator, one per kind of screen."""
    key = f"{viewport['width']}-{scripts}"
    if key not in site.contexts:
        # the console's Content-Security-Policy refuses injected scripts: the checker is let in
        context = browser.new_context(viewport=viewport, bypass_csp=True, java_script_enabled=scripts,
                                      has_touch=True)
        page = context.new_page()
        Walk(page, site.base, site.world).sign_in("admin")
        site.contexts[key] = context
    return site.contexts[key].pages[0]


def overflow(page: Any) -> dict[str, Any]:
    page.wait_for_load_state("load")
    return page.evaluate(OVERFLOW)


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", PAGES)
def test_every_console_page_fits_a_phone_and_passes_the_accessibility_checks(site, browser, axe, path,  # noqa: F811
                                                                             lang):
    page = signed_in(site, browser, PHONE)
    response = page.goto(site.url(path, lang))
    assert response is not None and response.status == 200, path
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr") or "/x/" in path
    width = overflow(page)
    assert width["scroll"] <= width["inner"], f"{path} scrolls sideways on a phone: {width}"
    if "/x/" not in path:  # a plugin's own page (the sandbox's feed) brings its own stylesheet
        small = page.evaluate(SMALL_TARGETS, TOUCH_PX)
        assert small == [], f"{path}: primary actions smaller than {TOUCH_PX}px: {small}"
    problems = check(page, axe, f"{path} ({lang}, 390px)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PAGES)
def test_every_console_page_fits_a_tablet(site, browser, path):  # noqa: F811
    page = signed_in(site, browser, TABLET)
    page.goto(site.url(path, "ar"))
    width = overflow(page)
    assert width["scroll"] <= width["inner"], f"{path} scrolls sideways on a tablet: {width}"


def test_every_menu_entry_is_among_the_pages_checked_on_a_phone(site, browser):  # noqa: F811
    page = signed_in(site, browser, PHONE)
    page.goto(site.url("/console/", "en"))
    listed = {site.url(p, "en").removeprefix(site.base).split("?")[0] for p in PAGES}
    menu = page.eval_on_selector_all("#menu a", "els => els.map(a => a.getAttribute('href'))")
    assert len(menu) >= 10
    assert [href for href in menu if href not in listed] == []


@pytest.mark.parametrize("scripts", [True, False], ids=["with-scripts", "without-scripts"])
def test_on_a_phone_the_menu_is_folded_into_a_menu_button(site, browser, scripts):  # noqa: F811
    page = signed_in(site, browser, PHONE, scripts)
    page.goto(site.url("/console/posts", "ar"))
    assert not page.is_visible("#menu a[href='/console/admin/audit']")
    toggle = page.locator(".menu-toggle > summary")
    assert toggle.is_visible()
    assert toggle.bounding_box()["height"] >= TOUCH_PX
    toggle.click()
    audit = page.locator("#menu a[href='/console/admin/audit']")
    assert audit.is_visible()
    assert audit.bounding_box()["height"] >= TOUCH_PX
    # the open menu pushes the page down and stays within the screen
    box = page.locator("#menu").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    if scripts:  # Escape folds it again and gives the focus back to the button
        audit.focus()
        page.keyboard.press("Escape")
        assert not audit.is_visible()
        assert page.evaluate("document.activeElement.matches('.menu-toggle > summary')")
    else:
        toggle.click()
        assert not audit.is_visible()
    toggle.click()
    audit.click()
    page.wait_for_url("**/console/admin/audit**")
    assert not page.is_visible("#menu a[href='/console/admin/audit']")  # folded on the next page


def test_on_a_desktop_the_menu_is_always_shown_and_the_button_is_not(site, browser):  # noqa: F811
    page = signed_in(site, browser, {"width": 1200, "height": 900})
    page.goto(site.url("/console/posts", "en"))
    assert page.is_visible("#menu a[href='/console/admin/audit']")
    assert not page.is_visible(".menu-toggle > summary")


@pytest.mark.parametrize("scripts", [True, False], ids=["with-scripts", "without-scripts"])
def test_on_a_phone_the_inbox_shows_the_list_then_the_conversation_with_a_way_back(site, browser,  # noqa: F811
                                                                                   scripts):
    page = signed_in(site, browser, PHONE, scripts)
    page.goto(site.url("/console/inbox", "en"))
    conv = site.values["conv"]
    link = page.locator(f'#conv-list .conv[data-id="{conv}"] a')
    assert link.is_visible()
    assert not page.is_visible("#inbox-pane")
    assert not page.is_visible("#f-status")  # the filters wait behind their own disclosure
    page.click("#filters-toggle > summary")
    assert page.is_visible("#f-status")
    link.click()
    page.wait_for_selector(f'#pane[data-conv="{conv}"]')
    assert page.is_visible("#inbox-pane")
    assert not link.is_visible()  # the list makes room for the conversation
    assert f"c={conv}" in page.url
    back = page.locator(".inbox-back")
    assert back.is_visible() and back.bounding_box()["height"] >= TOUCH_PX
    # the reply box opens and its text field fits the screen, ready for the on-screen keyboard
    if page.get_attribute("#reply-box", "open") is None:  # open already while one's reply lease lasts
        page.click("#reply-open")
    text = page.locator("#reply-text")
    text.click()
    box = text.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("parseFloat(getComputedStyle(document.getElementById('reply-text')).fontSize)") >= 16
    text.fill("We are looking into it.")
    assert page.locator("#reply-send").bounding_box()["height"] >= TOUCH_PX
    assert overflow(page)["scroll"] <= PHONE["width"]
    back.click()
    page.wait_for_function("!document.querySelector('#inbox-pane')"
                           " || getComputedStyle(document.querySelector('#inbox-pane')).display === 'none'")
    assert link.is_visible()
    assert "c=" not in page.url
    if scripts:  # and the browser's own Back goes back to the conversation it came from
        page.go_back()
        page.wait_for_selector(f'#pane[data-conv="{conv}"]')
        assert page.is_visible("#inbox-pane")
        assert not link.is_visible()


def test_on_a_phone_a_wide_table_scrolls_inside_its_own_box(site, browser):  # noqa: F811
    page = signed_in(site, browser, PHONE)
    page.goto(site.url("/console/admin/audit", "ar"))
    page.wait_for_load_state("load")
    tables = page.evaluate("""() => Array.from(document.querySelectorAll('main table')).map(t => {
        const box = t.closest('.table-scroll') || t;
        return {wide: box.scrollWidth > box.clientWidth, focusable: box.tabIndex >= 0,
                scrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX),
                hint: box.classList.contains('scrolls')};
    })""")
    assert tables, "the audit log has a table"
    wide = [t for t in tables if t["wide"]]
    assert wide, tables  # the audit log is wider than a phone …
    assert all(t["scrolls"] and t["focusable"] and t["hint"] for t in wide), wide  # … and scrolls in its box


def test_signing_in_fits_a_phone_too(site, browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{site.base}/console/?lang=ar")
    assert overflow(page)["scroll"] <= PHONE["width"]
    page.fill("#tenant", site.world.tenant.tenant.slug)
    page.click("button[type=submit]")
    assert overflow(page)["scroll"] <= PHONE["width"]
    page.fill("#email", site.world.emails["admin"])
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{site.base}/console/**")
    assert overflow(page)["scroll"] <= PHONE["width"]
    context.close()
