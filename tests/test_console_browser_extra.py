"""More of the console in a real browser (Debian's Chromium driven by Playwright): compose's
per-network preview follows the typing, and units move by drag on the organisation page (and a
refused drag shows the service's reason)."""

from __future__ import annotations

from typing import Any

from console_world import build_console_world

# the browser and live-server fixtures; importing the module skips this one too without Playwright
from test_console_browser import Walk, base_url, browser, playwright_api  # noqa: F401


def test_typing_in_compose_updates_the_x_preview_count_live_and_marks_what_x_would_cut(
        browser, base_url, seed, api, register_plugin):  # noqa: F811
    world = build_console_world(seed, api, register_plugin)
    r = world.admin.patch(f"tenants/{world.tid}/plugins/network_x", {"enabled": True, "settings": {"client_id": "c"}})
    assert r.status_code == 200, r.get_json()
    x_account = world.add_account("x", "acme_x")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    Walk(page, base_url, world).sign_in("creator")
    page.goto(f"{base_url}/console/compose")
    page.check(f"input[name=targets][value='{x_account}']")
    expect = playwright_api.expect
    x_preview = page.locator("#preview-0 .net-preview[data-network=x]")

    page.locator("#variant-0-text").press_sequentially("Read https://example.com/some/long/path 今日")
    expect(x_preview).to_have_attribute("data-length", str(len("Read ") + 23 + 1 + 2 * 2))
    expect(x_preview.locator(".count")).to_contain_text("33 of 280")
    assert x_preview.locator("mark.cut").count() == 0

    page.locator("#variant-0-text").fill("界" * 150)
    expect(x_preview).to_have_attribute("data-length", "300")
    expect(x_preview.locator("mark.cut")).to_have_text("界" * 10)
    assert "over" in (x_preview.get_attribute("class") or "")
    page.close()


def test_dragging_a_unit_onto_another_moves_it_and_a_cycle_is_refused_with_the_reason(
        browser, base_url, seed, api, register_plugin):  # noqa: F811
    world = build_console_world(seed, api, register_plugin)
    tea, coffee = world.unit("tea"), world.unit("coffee")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    Walk(page, base_url, world).sign_in("admin")
    page.goto(f"{base_url}/console/admin/units")
    assert page.locator("#drag-help").is_visible()

    page.locator(f"li[data-unit='{tea}'] .unit-name").drag_to(page.locator(f"li[data-unit='{coffee}']"))
    page.locator(".flash.ok").wait_for()
    unit: dict[str, Any] = world.admin.get(f"tenants/{world.tid}/org-units/{tea}").get_json()
    assert unit["parent_id"] == coffee

    # coffee under its own child tea: the move form is sent, the service refuses and says why
    page.locator(f"li[data-unit='{coffee}'] .unit-name").drag_to(page.locator(f"li[data-unit='{tea}']"))
    playwright_api.expect(page.locator(".flash.error")).to_contain_text("cycle")
    assert world.admin.get(f"tenants/{world.tid}/org-units/{coffee}").get_json()["parent_id"] == world.unit("root")

    # the root has no move form for the keyboard; dragged anyway, the service says it cannot move
    root = world.unit("root")
    page.locator(f"li[data-unit='{root}'] .unit-name").drag_to(page.locator(f"li[data-unit='{tea}']"))
    playwright_api.expect(page.locator(".flash.error")).to_contain_text("root unit cannot be moved")
    page.close()
