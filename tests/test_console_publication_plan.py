"""The console's side of one post in several languages: the post page's publication plan ("Acme
Coffee Dubai gets the Arabic text"), audience languages on the accounts page, the warning when a
post is scheduled on an account that needs reconnecting, and refusals worded with field labels
(a past time is one message next to its field, never ``local_time: …``)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from console_world import build_console_world, sign_in

from herald.clock import utcnow
from herald.content.models import Post
from herald.publishing.models import Publication
from herald.publishing.tokens import flag_reconnect
from herald.tenancy.models import SocialAccount

EN, AR = "Fresh coffee, every morning", "قهوة طازجة كل صباح"


def connect(w: Any, account_id: str) -> None:
    """Connect a sandbox account (its OAuth flow approves at once)."""
    start = w.admin.post(f"tenants/{w.tid}/social-accounts/{account_id}/connect")
    assert start.status_code == 201, start.get_json()
    params = {k: v[0] for k, v in parse_qs(urlparse(start.get_json()["authorize_url"]).query).items()}
    assert w.admin.get("/api/v1/connect/callback", query_string=params).status_code == 200


def add(w: Any, handle: str, display: str, languages: list[str]) -> str:
    r = w.admin.post(f"tenants/{w.tid}/social-accounts", {
        "org_unit_id": w.unit("coffee"), "network": "sandbox", "handle": handle, "display_name": display,
        "audience_languages": languages})
    assert r.status_code == 201, r.get_json()
    connect(w, r.get_json()["id"])
    return r.get_json()["id"]


@pytest.fixture
def world(seed, api, register_plugin):  # type: ignore[no-untyped-def]
    w = build_console_world(seed, api, register_plugin)
    assert w.admin.patch(f"tenants/{w.tid}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    w.accounts["coffee"] = add(w, "acme_coffee", "Acme Coffee", ["en"])
    w.accounts["dubai"] = add(w, "acme_dubai", "Acme Coffee Dubai", ["ar"])
    return w


def new_post(w: Any, *accounts: str, approved: bool = True, rt: Any = None) -> str:
    r = w.admin.post(f"tenants/{w.tid}/posts", {"org_unit_id": w.unit("coffee"), "content": {
        "title": "Mornings", "targets": [w.accounts[a] for a in accounts],
        "variants": [{"network": None, "language": "en", "text": EN},
                     {"network": None, "language": "ar", "text": AR}]}})
    assert r.status_code == 201, r.get_json()
    if approved:
        with rt.db.transaction() as s:
            post = s.get(Post, r.get_json()["id"])
            post.status, post.approved_version = "approved", post.current_version
    return r.get_json()["id"]


def plan_section(html: str) -> str:
    found = re.search(r'<section aria-labelledby="h-plan".*?</section>', html, re.S)
    assert found, "the post page has no publication plan"
    return found.group(0)


def alerts(html: str) -> list[str]:
    return re.findall(r'<p class="flash error" role="alert">(.*?)</p>', html, re.S)


def test_the_post_page_says_which_account_gets_which_language_before_it_is_submitted(app, world, herald_runtime):
    w = world
    post_id = new_post(w, "coffee", "dubai", approved=False)  # a draft: nothing submitted yet
    editor, _ = sign_in(app, w, "editor")
    plan = plan_section(editor.get(f"/console/posts/{post_id}").get_data(as_text=True))
    assert "Acme Coffee Dubai gets the Arabic text: its audience reads Arabic." in plan
    assert "Acme Coffee gets the English text: its audience reads English." in plan
    assert f'<blockquote class="plan-excerpt" dir="auto" lang="ar">{AR}</blockquote>' in plan
    # in Arabic the plan is worded in Arabic, language names included
    arabic = plan_section(editor.get(f"/console/posts/{post_id}?lang=ar").get_data(as_text=True))
    assert "Acme Coffee Dubai" in arabic and "العربية" in arabic and "gets the" not in arabic


def test_an_account_without_audience_languages_is_explained_as_a_fallback(app, world, herald_runtime):
    w = world
    w.accounts["plain"] = add(w, "acme_plain", "Acme Plain", [])
    post_id = new_post(w, "plain", approved=False)
    editor, _ = sign_in(app, w, "editor")
    plan = plan_section(editor.get(f"/console/posts/{post_id}").get_data(as_text=True))
    assert "Acme Plain gets the English text: the account names no audience language." in plan


def test_audience_languages_are_set_on_the_accounts_page_and_a_wrong_code_is_named_by_its_label(app, world):
    w = world
    admin, csrf = sign_in(app, w, "admin")
    page = admin.get("/console/admin/accounts").get_data(as_text=True)
    assert f'id="audience-{w.accounts["dubai"]}" name="audience_languages" value="ar"' in page
    r = admin.post(f"/console/admin/accounts/{w.accounts['coffee']}",
                   data={"csrf_token": csrf, "action": "languages", "audience_languages": "en, ar"},
                   follow_redirects=True)
    assert "The audience languages were saved." in r.get_data(as_text=True)
    got = w.admin.get(f"tenants/{w.tid}/social-accounts/{w.accounts['coffee']}").get_json()["audience_languages"]
    assert got == ["en", "ar"]
    r = admin.post(f"/console/admin/accounts/{w.accounts['coffee']}",
                   data={"csrf_token": csrf, "action": "languages", "audience_languages": "English"},
                   follow_redirects=True)
    messages = alerts(r.get_data(as_text=True))
    assert any(m.startswith("Audience languages: ") for m in messages), messages
    assert not any("audience_languages" in m for m in messages)
    got = w.admin.get(f"tenants/{w.tid}/social-accounts/{w.accounts['coffee']}").get_json()["audience_languages"]
    assert got == ["en", "ar"]  # nothing written
    # a new account takes them too
    admin.post("/console/admin/accounts", data={"csrf_token": csrf, "org_unit_id": w.unit("tea"),
                                                "network": "sandbox", "handle": "tea_ar", "audience_languages": "ar"})
    items = w.admin.get(f"tenants/{w.tid}/social-accounts?org_unit_id={w.unit('tea')}").get_json()["items"]
    assert [(a["handle"], a["audience_languages"]) for a in items] == [("tea_ar", ["ar"])]


def test_scheduling_on_an_account_that_needs_reconnecting_warns_and_the_post_page_keeps_saying_so(
        app, world, herald_runtime):
    w, rt = world, herald_runtime
    with rt.db.transaction() as s:
        flag_reconnect(s, s.get(SocialAccount, w.accounts["dubai"]), "The owner revoked the access.")
    post_id = new_post(w, "coffee", "dubai", rt=rt)
    manager, csrf = sign_in(app, w, "manager")
    before = plan_section(manager.get(f"/console/posts/{post_id}").get_data(as_text=True))  # the approval view
    assert "Acme Coffee Dubai (sandbox) needs reconnecting" in before and 'href="/console/admin/accounts"' in before
    when = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = manager.post(f"/console/posts/{post_id}/schedule",
                     data={"csrf_token": csrf, "action": "schedule", "local_time": when, "time_zone": "UTC"})
    assert r.status_code == 303
    page = manager.get(r.headers["Location"]).get_data(as_text=True)
    warning = re.search(r'<p class="flash warning" role="status">(.*?)</p>', page, re.S)
    assert warning and "Acme Coffee Dubai (sandbox) needs reconnecting" in warning.group(1)
    assert "Reconnect it on the Social accounts page" in warning.group(1)
    assert "The owner revoked the access." in warning.group(1)
    with rt.db.transaction() as s:  # scheduled anyway, on both accounts, one language each
        got = sorted((p.account_id == w.accounts["dubai"], p.language, p.state)
                     for p in s.query(Publication).filter(Publication.post_id == post_id))
    assert got == [(False, "en", "scheduled"), (True, "ar", "scheduled")]
    assert "needs reconnecting" in plan_section(page)


def test_a_past_time_is_one_message_next_to_the_time_field(app, world, herald_runtime):
    w, rt = world, herald_runtime
    post_id = new_post(w, "coffee", rt=rt)
    manager, csrf = sign_in(app, w, "manager")
    past = (utcnow() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    r = manager.post(f"/console/posts/{post_id}/schedule",
                     data={"csrf_token": csrf, "action": "schedule", "local_time": past, "time_zone": "Asia/Dubai"})
    assert r.status_code == 303 and r.headers["Location"].endswith("#schedule-form")
    page = manager.get(r.headers["Location"]).get_data(as_text=True)
    assert alerts(page) == [] and "local_time" not in re.sub(r'(id|name|for|aria-describedby)="[^"]*"', "", page)
    problem = re.search(r'<p class="problem" id="local_time-problem" role="alert">(.*?)</p>', page, re.S)
    assert problem and "has already passed. Choose a later time, or publish now." in problem.group(1)
    assert 'aria-invalid="true" aria-describedby="local_time-problem"' in page
    assert f'value="{past}"' in page and "<option selected>Asia/Dubai</option>" in page  # kept for correcting
    # the message is shown once: the next view of the page is clean
    assert "local_time-problem" not in manager.get(f"/console/posts/{post_id}").get_data(as_text=True)
    # and in Arabic it is Arabic
    manager.post(f"/console/posts/{post_id}/schedule?lang=ar",
                 data={"csrf_token": csrf, "action": "schedule", "local_time": past, "time_zone": "UTC"})
    arabic = manager.get(f"/console/posts/{post_id}?lang=ar").get_data(as_text=True)
    problem = re.search(r'id="local_time-problem" role="alert">(.*?)</p>', arabic, re.S)
    assert problem and "Choose a later time" not in problem.group(1)
    with rt.db.transaction() as s:
        assert s.query(Publication).filter(Publication.post_id == post_id).count() == 0


def test_other_refusals_name_fields_by_their_labels_not_their_raw_names(app, world, herald_runtime):
    w, rt = world, herald_runtime
    post_id = new_post(w, "coffee", rt=rt)
    manager, csrf = sign_in(app, w, "manager")
    manager.post(f"/console/posts/{post_id}/schedule",
                 data={"csrf_token": csrf, "action": "publish_now", "account_ids": "acct_not_a_target"})
    messages = alerts(manager.get(f"/console/posts/{post_id}").get_data(as_text=True))
    assert any(m.startswith("Accounts: ") and "is not a target of this post" in m for m in messages), messages
    assert not any(m.startswith("account_ids") for m in messages)


def test_compose_lets_the_author_choose_an_accounts_language_and_the_plan_follows(app, world, herald_runtime):
    w = world
    creator, csrf = sign_in(app, w, "creator")
    form = {"csrf_token": csrf, "action": "draft", "org_unit_id": w.unit("coffee"), "title": "Mornings",
            "targets": [w.accounts["coffee"], w.accounts["dubai"]], "row": ["0", "1"],
            "variant-0-language": "en", "variant-0-text": EN, "variant-1-language": "ar", "variant-1-text": AR,
            f"target_language-{w.accounts['coffee']}": "ar"}  # the English-speaking account gets Arabic
    page = creator.get("/console/compose").get_data(as_text=True)
    assert f'name="target_language-{w.accounts["coffee"]}"' in page
    r = creator.post("/console/compose", data=form)
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    post_id = r.headers["Location"].rsplit("/", 1)[-1].split("?")[0]
    content = w.admin.get(f"tenants/{w.tid}/posts/{post_id}").get_json()["content"]
    assert content["target_languages"] == {w.accounts["coffee"]: "ar"}
    plan = plan_section(creator.get(f"/console/posts/{post_id}").get_data(as_text=True))
    assert "Acme Coffee gets the Arabic text" in plan and "Acme Coffee Dubai gets the Arabic text" in plan
    edit = creator.get(f"/console/posts/{post_id}/edit").get_data(as_text=True)
    assert re.search(rf'name="target_language-{w.accounts["coffee"]}"[^>]*>\s*<option value="">[^<]*</option>'
                     r'.*?<option value="ar" lang="ar" selected>', edit, re.S)
    # a language the post has no variant in is named next to the accounts, and nothing is saved
    before = w.admin.get(f"tenants/{w.tid}/posts").get_json()["items"]
    bad = creator.post("/console/compose", data={**form, f"target_language-{w.accounts['coffee']}": "hi"})
    assert bad.status_code == 422 and "no variant" in bad.get_data(as_text=True)
    assert len(w.admin.get(f"tenants/{w.tid}/posts").get_json()["items"]) == len(before)
