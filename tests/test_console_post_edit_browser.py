"""Editing a post in a real browser (Debian's Chromium driven by Playwright): compose starts with
one variant and "Add variant" adds a second in place; the post page's "Edit" opens the form filled
with the saved version and holding the edit lease, a colleague opening it meanwhile is told who
edits until when, and "Save changes" leads back to the post with the version diff shown."""

from __future__ import annotations

from console_world import build_console_world

# the browser and live-server fixtures; importing the module skips this one too without Playwright
from test_console_accessibility import axe_script, check  # noqa: F401  (axe-core, as every console page)
from test_console_browser import Walk, base_url, browser, playwright_api  # noqa: F401

ARABIC = "قهوة طازجة اليوم"


def test_a_creator_adds_a_variant_edits_the_post_under_the_lease_and_sees_the_diff(
        browser, base_url, seed, api, register_plugin):  # noqa: F811
    world = build_console_world(seed, api, register_plugin)
    expect = playwright_api.expect
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    Walk(page, base_url, world).sign_in("creator")
    page.goto(f"{base_url}/console/compose")
    assert page.locator("#variants fieldset.variant").count() == 1
    page.select_option("#org_unit_id", world.unit("coffee"))
    page.fill("#title", "Launch")
    page.check(f"input[name=targets][value='{world.accounts['longnet']}']")
    page.fill("#variant-0-text", "Fresh coffee today")
    page.click("button[name=action][value=add_variant]")  # in place, by the script: nothing is sent
    expect(page.locator("#variants fieldset.variant")).to_have_count(2)
    assert page.url.endswith("/console/compose") and page.input_value("#variant-0-text") == "Fresh coffee today"
    expect(page.locator("#variants fieldset.variant").nth(1).locator("legend[data-legend]")).to_have_text("Variant 2")
    page.select_option("#variant-1-language", "ar")
    page.fill("#variant-1-text", ARABIC)
    page.click("button[name=action][value=draft]")
    page.wait_for_url("**/console/posts/*")
    post_id = page.url.rsplit("/", 1)[1]
    assert page.locator(".post-text[lang=ar]").inner_text() == ARABIC

    page.click(f"a[href='/console/posts/{post_id}/edit']")
    page.wait_for_url(f"**/console/posts/{post_id}/edit")
    assert page.input_value("#variant-0-text") == "Fresh coffee today"
    assert page.input_value("#variant-1-text") == ARABIC
    assert page.locator(".lease-note").count() >= 1

    other = browser.new_page(viewport={"width": 1200, "height": 900})  # a colleague, meanwhile
    Walk(other, base_url, world).sign_in("editor")
    other.goto(f"{base_url}/console/posts/{post_id}/edit")
    held = other.locator(".lease-held")
    expect(held).to_contain_text("creator")
    assert held.get_attribute("data-holder") == world.ids["creator"]
    assert other.locator("#variant-0-text").count() == 0
    other.close()

    page.fill("#variant-0-text", "Fresh coffee all day")
    preview = page.locator("#preview-0 .net-preview[data-network=longnet]")
    expect(preview).to_have_attribute("data-length", str(len("Fresh coffee all day")))  # the live check
    page.click("button[name=action][value=save]")
    page.wait_for_url(f"**/console/posts/{post_id}?from=1&to=2*")
    expect(page.locator("table.diff ins").first).to_have_text("Fresh coffee all day")
    assert page.locator("table.diff del").first.inner_text() == "Fresh coffee today"
    assert world.admin.get(f"tenants/{world.tid}/posts/{post_id}").get_json()["lease_holder_id"] is None
    page.close()


def test_compose_with_two_variants_and_the_edit_page_pass_the_wcag_21_aa_checks(
        browser, base_url, seed, api, register_plugin, axe_script):  # noqa: F811
    world = build_console_world(seed, api, register_plugin)
    page = browser.new_page(viewport={"width": 1200, "height": 900}, bypass_csp=True)  # to load axe
    Walk(page, base_url, world).sign_in("creator")
    page.goto(f"{base_url}/console/compose")
    page.check(f"input[name=targets][value='{world.accounts['longnet']}']")
    page.fill("#variant-0-text", "Fresh coffee today")
    page.click("button[name=action][value=add_variant]")
    page.locator("#variant-1-text").wait_for()
    problems = check(page, axe_script, "/console/compose (two variants)")
    page.click("button[name=action][value=draft]")
    page.wait_for_url("**/console/posts/*")
    post_id = page.url.rsplit("/", 1)[1]
    problems += check(page, axe_script, f"/console/posts/{post_id}")
    page.goto(f"{base_url}/console/posts/{post_id}/edit")
    problems += check(page, axe_script, f"/console/posts/{post_id}/edit")
    page.close()
    assert not problems, "\n".join(problems)
