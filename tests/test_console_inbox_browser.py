"""The inbox page in a real browser (Debian's Chromium through Playwright): sign in through the
form, move through the conversations with j / k, see a new message arrive without a reload,
see a colleague's "… is replying" notice appear live, and the same page mirrored in Arabic."""

from __future__ import annotations

from typing import Any

import pytest
from inbox_support import mention
from test_console_browser import base_url, browser  # noqa: F401  (fixtures)
from test_console_inbox import PASSWORD, InboxConsole, build_inbox_console

from herald.inbox.models import Conversation

WAIT_MS = 10_000  # the page polls every 3 s


@pytest.fixture(name="inbox")
def inbox_fixture(seed: Any, api: Any, herald_runtime: Any, register_plugin: Any) -> InboxConsole:
    return build_inbox_console(seed, api, herald_runtime, register_plugin)


def signed_in(browser: Any, base: str, world: InboxConsole, who: str, lang: str = "en") -> Any:  # noqa: F811
    context = browser.new_context(locale=lang, extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(f"{base}/console/")
    page.fill("#tenant", "acme")
    page.click("button[type=submit]")
    page.fill("#email", world.emails[who])
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    page.goto(f"{base}/console/inbox" + (f"?lang={lang}" if lang != "en" else ""))
    page.wait_for_selector("#conv-list .conv")
    return page


def ids_in_list(page: Any) -> list[str]:
    return page.eval_on_selector_all("#conv-list .conv", "els => els.map(e => e.dataset.id)")


def test_j_and_k_walk_the_list_and_new_messages_arrive_without_a_reload(browser, base_url, inbox):  # noqa: F811
    page = signed_in(browser, base_url, inbox, "agent")
    order = ids_in_list(page)
    assert len(order) == 2
    page.evaluate("window.__same_page = true")
    page.keyboard.press("j")
    page.wait_for_selector(f'#pane[data-conv="{order[0]}"]')
    page.keyboard.press("j")
    page.wait_for_selector(f'#pane[data-conv="{order[1]}"]')
    assert page.get_attribute(f'#conv-list .conv[data-id="{order[1]}"] a', "aria-current") == "true"
    page.keyboard.press("k")
    page.wait_for_selector(f'#pane[data-conv="{order[0]}"]')
    assert f"c={order[0]}" in page.url
    first = inbox.conversation("My order")
    if order[0] != first.id:
        page.keyboard.press("j")
        page.wait_for_selector(f'#pane[data-conv="{first.id}"]')
    # a follow-up in the open conversation and a new conversation, both from the network
    inbox.ingest("coffee", mention("Any update on my order?", author="c1", n=4, in_reply_to="m1"),
                 mention("Do you ship to Oman?", author="c9", n=5))
    page.wait_for_selector("#timeline >> text=Any update on my order?", timeout=WAIT_MS)
    page.wait_for_function("document.querySelectorAll('#conv-list .conv').length === 3", timeout=WAIT_MS)
    assert "Do you ship to Oman?" in page.inner_text("#conv-list")
    assert page.evaluate("window.__same_page") is True  # no reload happened
    # the keyboard: "e" resolves the open conversation (a form post, then the page again)
    page.keyboard.press("e")
    page.wait_for_selector('#pane-status[data-code="resolved"]')
    with inbox.rt.db.session() as s:
        assert s.get(Conversation, first.id).status == "resolved"


def test_a_colleague_sees_the_replying_notice_live_and_the_reply_box_offers_to_take_over(
        browser, base_url, inbox):  # noqa: F811
    conv = inbox.conversation("My order")
    lead = signed_in(browser, base_url, inbox, "lead")
    lead.goto(f"{base_url}/console/inbox?c={conv.id}")
    lead.wait_for_selector(f'#pane[data-conv="{conv.id}"]')
    assert lead.query_selector("#collision") is None
    agent = signed_in(browser, base_url, inbox, "agent")
    agent.goto(f"{base_url}/console/inbox?c={conv.id}")
    agent.wait_for_selector(f'#pane[data-conv="{conv.id}"]')
    agent.keyboard.press("r")  # opens the reply box and takes the reply lease
    agent.wait_for_function("document.activeElement && document.activeElement.id === 'reply-text'")
    lead.wait_for_selector("#collision", timeout=WAIT_MS)
    assert lead.inner_text("#collision") == "agent is replying"
    lead.click("#reply-box summary")
    assert lead.is_visible("#take-over")
    assert agent.query_selector("#collision") is None


def test_the_inbox_in_arabic_is_mirrored_with_the_list_on_the_right(browser, base_url, inbox):  # noqa: F811
    page = signed_in(browser, base_url, inbox, "agent", lang="ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    page.keyboard.press("j")
    page.wait_for_selector("#pane[data-conv]")
    listed = page.eval_on_selector("#inbox-list", "e => e.getBoundingClientRect().left")
    pane = page.eval_on_selector("#inbox-pane", "e => e.getBoundingClientRect().left")
    assert listed > pane, (listed, pane)
    customer = page.query_selector("#conv-list .conv [dir=auto]")
    assert customer is not None
    page.keyboard.press("?")
    assert page.is_visible("#inbox-help")
    assert "Keyboard shortcuts" not in page.inner_text("#inbox-help")
