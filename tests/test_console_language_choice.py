"""A language chosen with ``?lang=`` (the header's switcher, the sign-in pages' links) stays for
the rest of the browser session, carries on from signing in to the console, can be kept on the
profile with one click, and ranks above the profile, the tenant's default and the browser."""

from __future__ import annotations

import re

from console_world import PASSWORD, console_world_fixture, sign_in  # noqa: F401  (the world fixture)
from test_console_browser import Walk, base_url, browser  # noqa: F401  (fixtures, shared)

from herald.console.i18n import CHOICE_COOKIE
from herald.people.models import User
from herald.tenancy.models import Tenant


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def _get(client, path: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    r = client.get(path, **kwargs)
    assert r.status_code == 200, (path, r.status_code)
    return r.get_data(as_text=True)


def test_a_language_chosen_with_lang_stays_on_the_next_pages(app, world, herald_runtime):
    editor, _csrf = sign_in(app, world, "editor")
    assert _lang(_get(editor, "/console/?lang=ar")) == "ar"
    assert _lang(_get(editor, "/console/posts")) == "ar"
    assert _lang(_get(editor, "/console/profile")) == "ar"
    assert _lang(_get(editor, "/console/posts?lang=hi")) == "hi"
    assert _lang(_get(editor, "/console/")) == "hi"
    assert _lang(_get(editor, "/console/?lang=xx")) == "hi"  # an unknown code changes nothing
    with herald_runtime.db.transaction() as s:
        assert s.get(User, world.ids["editor"]).locale is None  # only the session remembers it


def test_the_header_switches_language_keeping_the_pages_filters(app, world):
    editor, _csrf = sign_in(app, world, "editor")
    html = _get(editor, "/console/posts?status=draft")
    switch = html.split('class="language-switch"', 1)[1].split("</details>", 1)[0]
    links = dict((code, url.replace("&amp;", "&")) for url, code in
                 re.findall(r'<a href="([^"]+)" lang="([^"]+)"', switch))
    assert set(links) == {"en", "ar", "fa", "ur", "hi"}
    assert links["fa"] == "/console/posts?status=draft&lang=fa"
    assert 'aria-current="true">English' in switch
    assert _lang(_get(editor, links["fa"])) == "fa"
    assert _lang(_get(editor, "/console/")) == "fa"


def test_keeping_the_chosen_language_saves_it_to_the_profile(app, world, herald_runtime):
    editor, csrf = sign_in(app, world, "editor")
    html = _get(editor, "/console/posts?lang=ar")
    assert 'action="/console/language/keep"' in html and "العربية" in html
    r = editor.post("/console/language/keep", data={"csrf_token": csrf, "lang": "ar", "next": "/console/posts"})
    assert r.status_code == 303 and r.headers["Location"] == "/console/posts"
    with herald_runtime.db.transaction() as s:
        assert s.get(User, world.ids["editor"]).locale == "ar"
    html = _get(editor, "/console/posts")
    assert _lang(html) == "ar" and 'action="/console/language/keep"' not in html
    # a new session of the same person: the profile now says Arabic
    again, _ = sign_in(app, world, "editor")
    assert _lang(_get(again, "/console/")) == "ar"


def test_keeping_needs_the_csrf_token_and_a_language_offered(app, world, herald_runtime):
    editor, csrf = sign_in(app, world, "editor")
    assert editor.post("/console/language/keep", data={"lang": "ar"}).status_code == 403
    r = editor.post("/console/language/keep", data={"csrf_token": csrf, "lang": "xx", "next": "//evil.test/"})
    assert r.status_code == 303 and r.headers["Location"] == "/console/"
    with herald_runtime.db.transaction() as s:
        assert s.get(User, world.ids["editor"]).locale is None


def test_only_for_now_keeps_the_language_and_stops_asking(app, world, herald_runtime):
    editor, csrf = sign_in(app, world, "editor")
    assert 'action="/console/language/keep"' in _get(editor, "/console/?lang=ur")
    r = editor.post("/console/language/not-now", data={"csrf_token": csrf, "lang": "ur", "next": "/console/posts"})
    assert r.status_code == 303
    html = _get(editor, "/console/posts")
    assert _lang(html) == "ur" and 'action="/console/language/keep"' not in html
    with herald_runtime.db.transaction() as s:
        assert s.get(User, world.ids["editor"]).locale is None


def test_no_offer_when_the_chosen_language_is_already_the_one_the_profile_gives(app, world, herald_runtime):
    with herald_runtime.db.transaction() as s:
        s.get(User, world.ids["editor"]).locale = "fa"
    editor, _csrf = sign_in(app, world, "editor")
    html = _get(editor, "/console/?lang=fa")
    assert _lang(html) == "fa" and 'action="/console/language/keep"' not in html


def test_precedence_choice_then_profile_then_tenant_then_browser_then_english(app, world, herald_runtime):
    hindi = {"Accept-Language": "hi"}
    with herald_runtime.db.transaction() as s:
        s.get(Tenant, world.tid).default_locale = "sw"  # a default the console does not speak
    editor, _csrf = sign_in(app, world, "editor")
    assert _lang(_get(editor, "/console/")) == "en"
    assert _lang(_get(editor, "/console/", headers=hindi)) == "hi"
    with herald_runtime.db.transaction() as s:
        s.get(Tenant, world.tid).default_locale = "ur"
    assert _lang(_get(editor, "/console/", headers=hindi)) == "ur"
    with herald_runtime.db.transaction() as s:
        s.get(User, world.ids["editor"]).locale = "fa"
    assert _lang(_get(editor, "/console/", headers=hindi)) == "fa"
    assert _lang(_get(editor, "/console/?lang=ar", headers=hindi)) == "ar"
    assert _lang(_get(editor, "/console/", headers=hindi)) == "ar"


def test_saving_the_profile_hands_the_language_back_to_the_profile(app, world):
    editor, csrf = sign_in(app, world, "editor")
    assert _lang(_get(editor, "/console/?lang=ar")) == "ar"
    r = editor.post("/console/profile", data={"csrf_token": csrf, "locale": "hi", "time_zone": ""})
    assert r.status_code == 303
    assert _lang(_get(editor, "/console/")) == "hi"


def test_a_forged_choice_cookie_is_ignored(app, world):
    editor, _csrf = sign_in(app, world, "editor")
    editor.set_cookie(CHOICE_COOKIE, "eyJsYW5nIjoiYXIifQ.forged", path="/")
    assert _lang(_get(editor, "/console/")) == "en"


def test_the_language_chosen_on_the_sign_in_page_carries_on_to_the_console(app, world):
    client = app.test_client()
    html = _get(client, "/sign-in/acme?next=/console/posts&lang=ar")
    assert _lang(html) == "ar"
    assert _lang(_get(client, "/sign-in/acme?next=/console/posts")) == "ar"  # the link without lang
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    r = client.post("/sign-in/acme", data={"form_token": token, "email": world.emails["viewer"],
                                            "password": PASSWORD, "next": "/console/posts"})
    assert r.status_code == 303 and r.headers["Location"] == "/console/posts"
    assert _lang(_get(client, "/console/posts")) == "ar"


def test_signing_out_forgets_the_choice(app, world):
    editor, csrf = sign_in(app, world, "editor")
    assert _lang(_get(editor, "/console/?lang=ar")) == "ar"
    assert editor.post("/console/sign-out", data={"csrf_token": csrf}).status_code == 303
    assert _lang(_get(editor, "/sign-in/acme")) == "en"


def test_in_a_browser_the_header_switches_language_it_stays_and_one_click_keeps_it(
        browser, base_url, world, herald_runtime):  # noqa: F811
    """The switcher and the offer work with plain links and forms, pass axe's WCAG checks, and
    leave "Sign out" the header's form button."""
    from test_console_accessibility import _axe_script, check

    page = browser.new_page(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    walk = Walk(page, base_url, world)
    walk.sign_in("editor")
    page.goto(f"{base_url}/console/posts")
    page.click(".language-switch summary")
    page.click(".language-switch a[lang=ar]")
    page.wait_for_url("**/console/posts?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.click("nav.menu a[href='/console/']")
    page.wait_for_url(f"{base_url}/console/")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("#language-offer").is_visible()
    problems = check(page, _axe_script(), "/console/ (language offer)")
    page.click(".language-switch summary")
    problems += check(page, _axe_script(), "/console/ (language switcher open)")
    assert not problems, "\n".join(problems)
    page.click("button[form=language-keep]")
    page.wait_for_url(f"{base_url}/console/")
    assert page.locator("#language-offer").count() == 0
    with herald_runtime.db.transaction() as s:
        assert s.get(User, world.ids["editor"]).locale == "ar"
    walk.sign_out()
    page.close()
