"""The console checked by a real accessibility engine: axe-core (pinned in ``console_a11y/``, used
by these tests only) runs its WCAG 2.1 A and AA rules on every console page in a real browser,
signed in as an administrator and signed out, in English and in Arabic (right to left); and the
compose page is walked with the Tab key, every control showing where the focus is."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from console_world import build_console_world
from test_console_browser import Walk, base_url, browser, more_posts, run_engine  # noqa: F401  (fixtures, shared)
from test_console_calendar import connect

from herald.builtin.network_sandbox import SandboxPost
from herald.clock import utcnow
from herald.people.models import User
from herald.testing.npm import npm_ci_once

AXE_DIR = Path(__file__).parent / "console_a11y"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return {rules: results.passes.length + results.violations.length + results.incomplete.length
                 + results.inapplicable.length,
          violations: results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                     targets: v.nodes.map(n => n.target.join(' ')).slice(0, 8),
                                                     summary: (v.nodes[0] || {}).failureSummary || ''}))};
}"""


def _axe_script() -> Path:
    """axe-core from the npm registry, installed on first use (``npm ci`` in ``console_a11y/``)."""
    if AXE_SCRIPT.is_file():
        return AXE_SCRIPT
    if not (shutil.which("node") and shutil.which("npm")):
        if os.environ.get("HERALD_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail("node and npm are needed to install axe-core, the accessibility checker")
        pytest.skip("node and npm are not installed")
    failed = npm_ci_once(AXE_DIR, AXE_SCRIPT)
    if failed:
        pytest.fail(f"npm ci failed in {AXE_DIR}:\n{failed}")
    return AXE_SCRIPT


@pytest.fixture(scope="module")
def axe_script() -> Path:
    return _axe_script()


def check(page: Any, script: Path, where: str) -> list[str]:
    """axe's WCAG 2.1 A/AA violations on the page as it is now, one line per rule."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(script))
    found = page.evaluate(RUN_AXE, WCAG_21_AA)
    assert found["rules"] > 10, f"axe ran no rules on {where}"
    return [f"{where}: {v['id']} ({v['impact']}) {v['help']} — {', '.join(v['targets'])}\n    {v['summary']}"
            for v in found["violations"]]


def post_in_review(world: Any, page: Any, base: str) -> str:
    """A post submitted to the three-step workflow, approved with a comment at the first step."""
    content = {"title": "Launch", "targets": [world.accounts["longnet"]],
               "variants": [{"network": None, "language": "en", "text": "Fresh coffee today"},
                            {"network": None, "language": "ar", "text": "قهوة طازجة اليوم"}]}
    r = world.admin.post(f"tenants/{world.tid}/posts", {"org_unit_id": world.unit("coffee"), "content": content})
    assert r.status_code == 201, r.get_json()
    post_id = r.get_json()["id"]
    r = world.admin.post(f"tenants/{world.tid}/posts/{post_id}/submit", {})
    assert r.status_code == 200, r.get_json()
    w = Walk(page, base, world)
    w.sign_in("editor")
    page.goto(f"{base}/console/posts/{post_id}")
    page.fill("#comment", "Looks good")
    page.click("button[name=decision][value=approve]")
    page.wait_for_url(f"**/console/posts/{post_id}")
    w.sign_out()
    return post_id


def filled_in(world: Any, rt: Any, run_jobs: Any) -> None:
    """Something on every page: publications on the calendar (one refused by the network), a
    custom role, a service token, an invitation, a post deleted from the sandbox's feed."""
    more_posts(world, rt)
    run_engine(rt, run_jobs)
    assert world.admin.post(f"tenants/{world.tid}/roles", {
        "key": "social_lead", "name": "Social lead", "permissions": ["posts.view", "posts.create"]}).status_code == 201
    assert world.admin.post(f"tenants/{world.tid}/service-tokens", {"name": "Reporting"}).status_code == 201
    with rt.db.transaction() as s:
        s.add(SandboxPost(tenant_id=world.tid, account_remote_id="acme_sandbox", handle="acme_sandbox",
                          text="An older post, since deleted", language="en", deleted_at=utcnow()))


def console_pages(world: Any, post_id: str) -> list[str]:
    """Every page of the console an administrator can open (plugin pages included), with posts
    in review, scheduled and refused by the network."""
    published = [f"/console/posts/{p['id']}" for p in world.admin.get(f"tenants/{world.tid}/posts").get_json()["items"]
                 if p["id"] != post_id]
    assert len(published) == 2
    rule = world.admin.post(f"tenants/{world.tid}/workflow-rules", {
        "org_unit_id": world.unit("root"), "name": "Arabic posts", "workflow_key": "default",
        "conditions": {"languages_any": ["ar"]}, "priority": 10})
    assert rule.status_code == 201, rule.get_json()
    return ["/console/", "/console/posts", f"/console/posts/{post_id}", *published, "/console/compose",
            "/console/calendar",
            "/console/calendar?view=week", "/console/profile", "/console/admin/units", "/console/admin/users",
            "/console/admin/people", "/console/admin/roles", "/console/admin/roles/new",
            "/console/admin/roles/social_lead",
            "/console/admin/plugins", "/console/admin/plugins/network_sandbox",
            "/console/admin/plugins/email_notifier", "/console/admin/workflows",
            f"/console/admin/workflows/{world.unit('root')}", f"/console/admin/workflows/{world.unit('root')}/default",
            "/console/admin/workflow-rules", f"/console/admin/workflow-rules/{rule.get_json()['id']}",
            "/console/admin/accounts", "/console/admin/audit", "/console/tokens", "/console/admin/tokens",
            f"/console/x/network_sandbox/{world.tid}/"]


def accessibility_walk(browser: Any, base: str, world: Any, rt: Any, run_jobs: Any, script: Path,  # noqa: F811
                       lang: str) -> None:
    assert world.admin.patch(f"tenants/{world.tid}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    connect(world, world.add_account("sandbox", "acme_sandbox"))
    filled_in(world, rt, run_jobs)
    if lang != "en":
        with rt.db.transaction() as s:
            for user_id in world.ids.values():
                s.get(User, user_id).locale = lang
    # the console's Content-Security-Policy refuses injected scripts: the checker is let in
    page = browser.new_page(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    post_id = post_in_review(world, page, base)
    problems: list[str] = []

    # signed out: the organisation choice, the organisation's sign-in page, a forgotten password
    slug = world.tenant.tenant.slug
    for path in (f"/console/sign-in?lang={lang}", f"/sign-in/{slug}?lang={lang}",
                 f"/sign-in/{slug}/forgot?lang={lang}"):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == lang, path
        problems += check(page, script, path)
    response = page.goto(f"{base}/console/sign-in?tenant=nowhere&lang={lang}")  # an organisation not found
    assert response is not None and response.status == 404
    problems += check(page, script, "/console/sign-in (not found)")

    Walk(page, base, world).sign_in("admin")
    page.goto(f"{base}/console/admin/people")  # an invitation waiting on the people page
    page.fill("#inv-email", "new.hire@acme.test")
    page.fill("#inv-name", "New Hire")
    page.click("#inv-name ~ button[type=submit]")
    page.wait_for_load_state("load")
    for path in console_pages(world, post_id):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        if "/x/" not in path:  # a plugin's own page has its own language
            assert page.locator("html").get_attribute("lang") == lang, path
        problems += check(page, script, path)
    # a page that is not there
    response = page.goto(f"{base}/console/posts/post_missing")
    assert response is not None and response.status == 404
    problems += check(page, script, "/console/posts/post_missing (not found)")
    # a form sent back with its mistakes marked
    page.goto(f"{base}/console/compose")
    page.click("button[name=action][value=draft]")
    page.locator(".problem").first.wait_for()
    problems += check(page, script, "/console/compose (with mistakes)")
    # home with a post waiting for the person's decision
    w = Walk(page, base, world)
    w.sign_out()
    w.sign_in("legal")
    assert page.locator(f"main a[href='/console/posts/{post_id}']").count() == 1
    problems += check(page, script, "/console/ (waiting for me)")
    page.close()
    assert not problems, f"{len(problems)} accessibility violation(s) in {lang}:\n" + "\n".join(problems)


def test_every_console_page_passes_the_wcag_21_aa_checks_in_english(browser, base_url, seed, api,  # noqa: F811
                                                                  register_plugin, herald_runtime, run_jobs,
                                                                  axe_script):
    world = build_console_world(seed, api, register_plugin)
    accessibility_walk(browser, base_url, world, herald_runtime, run_jobs, axe_script, "en")


def test_every_console_page_passes_the_wcag_21_aa_checks_in_arabic(browser, base_url, seed, api,  # noqa: F811
                                                                 register_plugin, herald_runtime, run_jobs,
                                                                 axe_script):
    world = build_console_world(seed, api, register_plugin)
    accessibility_walk(browser, base_url, world, herald_runtime, run_jobs, axe_script, "ar")


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return {key: el.dataset.a11yKey || '', tag: el.tagName.toLowerCase(), type: el.type || '',
          name: el.name || el.id || el.textContent.trim().slice(0, 30), value: el.value || '',
          look: [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(' ')};
}"""
RESTING_STYLES = """() => {
  const looks = {};
  document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]').forEach((el, i) => {
    el.dataset.a11yKey = String(i);
    const s = getComputedStyle(el);
    looks[i] = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(' ');
  });
  return looks;
}"""


def test_the_compose_page_is_walked_with_the_tab_key_and_every_control_shows_its_focus(
        browser, base_url, seed, api, register_plugin):  # noqa: F811
    world = build_console_world(seed, api, register_plugin)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    Walk(page, base_url, world).sign_in("creator")
    page.goto(f"{base_url}/console/compose")
    page.wait_for_load_state("load")
    resting = page.evaluate(RESTING_STYLES)
    page.locator("body").focus()
    reached: list[dict[str, str]] = []
    unseen: list[str] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        if focused["tag"] == "body" or (reached and focused["key"] == reached[0]["key"]):
            break  # out of the page, or round again
        reached.append(focused)
        if focused["key"] and focused["look"] == resting[focused["key"]]:
            unseen.append(f"{focused['tag']} {focused['name']}: {focused['look']}")
    assert len(reached) > 10, json.dumps(reached)
    assert unseen == [], "controls with no visible focus indicator:\n" + "\n".join(unseen)
    submits = [f["value"] for f in reached if f["tag"] == "button" and f["type"] == "submit"]
    # the keyboard reaches both of the form's buttons: save a draft and submit for review
    assert {"draft", "submit"} <= set(submits), json.dumps(reached)
    order = [f["key"] for f in reached]
    assert order.index(next(f["key"] for f in reached if f["name"] == "title")) < order.index(
        next(f["key"] for f in reached if f["value"] == "submit"))
    page.close()
