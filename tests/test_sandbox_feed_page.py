"""The sandbox network's feed is a console page: in the menu of tenants that enabled the plugin,
inside the console's layout, translated, with times in the viewer's time zone and people's text
marked ``dir="auto"``."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)

from herald.builtin.network_sandbox_engagement import add_inbound, customer_id
from herald.people.models import User
from herald.plugins import AuthorProfile

WHEN = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)  # 1 July 01:30 the next day in Dubai (UTC+4)


def _enable_sandbox(world) -> str:  # type: ignore[no-untyped-def]
    assert world.admin.patch(f"tenants/{world.tid}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    return world.add_account("sandbox", "acme_sandbox")


def test_the_menu_offers_the_feed_only_where_the_plugin_is_enabled(app, world):
    admin, _csrf = sign_in(app, world, "admin")
    assert "/console/x/network_sandbox/" not in admin.get("/console/").get_data(as_text=True)
    _enable_sandbox(world)
    home = admin.get("/console/").get_data(as_text=True)
    assert 'href="/console/x/network_sandbox/"' in home and "Sandbox feed" in home
    page = admin.get("/console/x/network_sandbox/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="menu"' in body and 'href="/console/x/network_sandbox/" aria-current="page"' in body
    assert 'href="/console/"' in body  # the way back


def test_the_menu_offers_the_feed_only_to_people_the_feed_lets_in(app, world):
    """The feed shows the whole tenant's sandbox: it needs posts.view on the tenant, and so does
    its menu entry; a creator who sees posts of one brand gets neither."""
    _enable_sandbox(world)
    creator, _ = sign_in(app, world, "creator")  # posts.view on the coffee unit only
    assert "/console/x/network_sandbox/" not in creator.get("/console/").get_data(as_text=True)
    assert creator.get("/console/x/network_sandbox/").status_code in (403, 404)
    legal, _ = sign_in(app, world, "legal")  # posts.view on the root
    assert 'href="/console/x/network_sandbox/"' in legal.get("/console/").get_data(as_text=True)
    assert legal.get("/console/x/network_sandbox/").status_code == 200


def test_the_feed_speaks_the_viewers_language_and_zone_with_text_in_its_own_direction(app, world, herald_runtime):
    account = _enable_sandbox(world)
    with herald_runtime.db.transaction() as s:
        add_inbound(s, world.tid, account, kind="mention", author=AuthorProfile(
            remote_id=customer_id("layla_k"), handle="layla_k", display_name="Layla", language="ar"),
            text="وصل الطلب", created_at=WHEN, language="ar")
        admin = s.get(User, world.ids["admin"])
        admin.locale, admin.time_zone = "ar", "Asia/Dubai"
    client, _csrf = sign_in(app, world, "admin")
    page = client.get(f"/console/x/network_sandbox/{world.tid}/")
    body = unescape(page.get_data(as_text=True))
    assert page.status_code == 200 and 'dir="rtl"' in body and 'lang="ar"' in body
    assert "Customer engagement" not in body and "تفاعل العملاء" in body
    assert '<p dir="auto" lang="ar">وصل الطلب</p>' in body
    in_dubai = format_datetime(WHEN, "short", tzinfo=ZoneInfo("Asia/Dubai"), locale="ar")
    in_utc = format_datetime(WHEN, "short", tzinfo=ZoneInfo("UTC"), locale="ar")
    assert in_dubai != in_utc and in_dubai in body and in_utc not in body
