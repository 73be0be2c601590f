"""The pages shown before anyone is signed in — choosing the organisation, signing in, the
emailed-link pages and their messages — speak the person's language: ``?lang=``, else the
browser's ``Accept-Language``, else the tenant's default, else English; Arabic, Persian and
Urdu pages are right to left; every page links to itself in each language."""

from __future__ import annotations

import re

import pytest

from herald.tenancy.models import Tenant


@pytest.fixture
def acme(seed):  # type: ignore[no-untyped-def]
    return seed.tenant("acme")


def _html(r) -> str:  # type: ignore[no-untyped-def]
    assert r.status_code in (200, 400, 404), r.status_code
    return r.get_data(as_text=True)


def _root(html: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', html)
    assert found, html[:200]
    return found.group(1), found.group(2)


def test_the_sign_in_page_in_arabic_is_right_to_left_with_arabic_labels(client, acme):
    html = _html(client.get("/sign-in/acme?lang=ar"))
    assert _root(html) == ("ar", "rtl")
    assert "تسجيل الدخول" in html and ">البريد الإلكتروني</label>" in html and ">كلمة المرور</label>" in html
    assert ">Password</label>" not in html
    # the form keeps the language when it comes back with an error
    assert 'action="/sign-in/acme?lang=ar"' in html


def test_the_browser_language_applies_and_hindi_is_left_to_right(client, acme):
    html = _html(client.get("/sign-in/acme", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}))
    assert _root(html) == ("hi", "ltr")
    assert ">ईमेल</label>" in html and ">पासवर्ड</label>" in html


def test_an_unknown_language_falls_back_to_english(client, acme):
    for headers, query in (({}, "?lang=xx"), ({"Accept-Language": "sw-KE, de;q=0.8"}, "")):
        html = _html(client.get(f"/sign-in/acme{query}", headers=headers))
        assert _root(html) == ("en", "ltr")
        assert ">Email</label>" in html and ">Password</label>" in html and "Sign in to Acme" in html


def test_the_tenants_default_language_applies_when_the_browser_names_none_we_speak(client, acme, herald_runtime):
    with herald_runtime.db.transaction() as s:
        s.get(Tenant, acme.id).default_locale = "fa"
    assert _root(_html(client.get("/sign-in/acme"))) == ("fa", "rtl")
    assert _root(_html(client.get("/sign-in/acme", headers={"Accept-Language": "hi"}))) == ("hi", "ltr")


def test_every_page_links_to_itself_in_each_language_keeping_where_to_go_next(client, acme):
    html = _html(client.get("/sign-in/acme?next=/console/posts&lang=ur"))
    assert _root(html) == ("ur", "rtl")
    links = re.findall(r'<a href="([^"]+)" lang="([^"]+)" hreflang="[^"]+"( aria-current="true")?>', html)
    assert {code for _url, code, _cur in links} == {"en", "ar", "fa", "ur", "hi"}
    assert [code for _url, code, cur in links if cur] == ["ur"]
    for url, code, _cur in links:
        assert url.startswith("/sign-in/acme?") and f"lang={code}" in url and "next=/console/posts" in url


def test_a_refusal_on_the_sign_in_form_is_in_the_pages_language(client, acme):
    r = client.post("/sign-in/acme?lang=ar", data={"email": "a@acme.test", "password": "x" * 12,
                                                    "form_token": "forged"})
    html = _html(r)
    assert r.status_code == 400 and _root(html) == ("ar", "rtl")
    assert "The form expired" not in html and "انتهت صلاحية النموذج" in html


def test_the_emailed_link_pages_and_their_message_are_translated(client, acme):
    html = _html(client.get("/sign-in/acme/reset?token=abc&lang=fa"))
    assert _root(html) == ("fa", "rtl") and "گذرواژه" in html and "Choose a new password" not in html
    client = client.application.test_client()  # ?lang= stays for its browser session: another browser
    html = _html(client.get("/sign-in/acme/forgot", headers={"Accept-Language": "ur"}))
    assert _root(html) == ("ur", "rtl") and "Reset your password" not in html
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    html = _html(client.post("/sign-in/acme/forgot", data={"form_token": token, "email": "nobody@acme.test"},
                             headers={"Accept-Language": "hi"}))
    assert _root(html) == ("hi", "ltr") and "Check your email" not in html and "ईमेल" in html
    assert "/sign-in/acme?lang=ar" in html  # its language links lead back to sign-in


def test_choosing_the_organisation_speaks_the_browsers_language_and_passes_it_on(client, acme):
    html = _html(client.get("/console/sign-in", headers={"Accept-Language": "fa-IR"}))
    assert _root(html) == ("fa", "rtl") and "Organisation" not in html and "سازمان" in html
    r = client.post("/console/sign-in?lang=ar", data={"tenant": "acme", "next": "/console/"})
    assert r.status_code == 303 and "lang=ar" in r.headers["Location"]
    html = _html(client.post("/console/sign-in?lang=hi", data={"tenant": "nobody"}))
    assert _root(html) == ("hi", "ltr") and "No organisation with that name here." not in html
