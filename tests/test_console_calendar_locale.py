"""The calendar in the person's own calendar system, one card per post, and the agenda at phone
width.

* The month and week arithmetic of each calendar system (Gregorian, Solar Hijri, Umm al-Qura)
  across year boundaries and leap years, checked against the calendar libraries themselves
  (``jdatetime``, ``hijridate``, Python's ``calendar``), never against hand-written tables.
* The week's first day and the digits from Babel's locale data, territory-aware.
* The console page: Persian in Solar Hijri by default, Arabic in Gregorian with Umm al-Qura on
  request, the choice remembered; one card per post and time listing its accounts, moved as a
  whole; the API's ``group=post`` next to the unchanged per-publication answer.
* In a real browser at 390 × 844 in English and Arabic: the calendar reads as an agenda, the page
  does not scroll sideways, and axe's WCAG 2.1 A/AA checks pass.
"""

from __future__ import annotations

import calendar as gregorian_calendar
import re
from datetime import date, timedelta

import jdatetime
import pytest
from babel import Locale
from console_world import build_console_world, sign_in
from hijridate import Gregorian, Hijri
from test_console_accessibility import _axe_script, check
from test_console_browser import Walk, base_url, browser  # noqa: F401  (fixtures, shared)
from test_console_calendar import approved_post, connect, day_cell, later, pubs, schedule, set_person

from herald.console import calendar_systems as systems
from herald.console.calendar import period, step

PERSIAN = systems.SYSTEMS[systems.PERSIAN]
HIJRI = systems.SYSTEMS[systems.HIJRI]
GREGORY = systems.SYSTEMS[systems.GREGORIAN]


def persian_length(year: int, month: int) -> int:
    """The month's length as jdatetime knows it: the last day it accepts."""
    for last in (31, 30, 29):
        try:
            jdatetime.date(year, month, last)
            return last
        except ValueError:
            continue
    raise AssertionError((year, month))


# ----------------------------------------------------------------------------- the arithmetic
def test_esfand_has_30_days_in_a_persian_leap_year_and_29_otherwise():
    for year in range(1395, 1415):
        expected = persian_length(year, 12)
        assert systems.month_length(PERSIAN, year, 12) == expected, year
        assert expected == (30 if jdatetime.date(year, 1, 1).isleap() else 29)
    assert systems.month_length(PERSIAN, 1403, 12) == 30  # 1403 is a leap year in jdatetime's reckoning
    assert jdatetime.date(1403, 1, 1).isleap()


def test_stepping_through_persian_months_lands_on_jdatetimes_first_days_across_new_year():
    day = jdatetime.date(1398, 1, 1).togregorian()
    for year in range(1398, 1410):
        for month in range(1, 13):
            assert day == jdatetime.date(year, month, 1).togregorian(), (year, month)
            assert systems.local_day(PERSIAN, day).number == 1
            day = step("month", day + timedelta(days=persian_length(year, month) - 1), True, PERSIAN)
    # and back again over Nowruz: from 1 Farvardin 1404 to 1 Esfand 1403
    nowruz = jdatetime.date(1404, 1, 1).togregorian()
    assert step("month", nowruz, False, PERSIAN) == jdatetime.date(1403, 12, 1).togregorian()
    assert step("month", nowruz - timedelta(days=1), True, PERSIAN) == nowruz


def test_a_solar_hijri_month_is_shown_as_whole_weeks_starting_on_saturday():
    fa = systems.regional_locale("fa", "Asia/Tehran")
    for year, month in ((1403, 12), (1404, 1), (1404, 6), (1404, 7)):
        anchor = jdatetime.date(year, month, 10).togregorian()
        start, end, first, after = period("month", anchor, fa.first_week_day, PERSIAN)
        assert first == jdatetime.date(year, month, 1).togregorian()
        assert (after - first).days == persian_length(year, month)
        assert start.weekday() == fa.first_week_day == Locale.parse("fa_IR").first_week_day
        assert (end - start).days % 7 == 0 and start <= first and after <= end
        inside = {systems.local_day(PERSIAN, first + timedelta(days=i)).month for i in range((after - first).days)}
        assert inside == {month}


def test_umm_al_qura_months_follow_hijridate_across_the_hijri_new_year():
    day = Hijri(1444, 1, 1).to_gregorian()
    for year in range(1444, 1449):
        for month in range(1, 13):
            h = Hijri(year, month, 1)
            assert day == h.to_gregorian(), (year, month)
            assert systems.month_length(HIJRI, year, month) == h.month_length()
            _, _, first, after = period("month", day + timedelta(days=5), 6, HIJRI)
            assert (first, (after - first).days) == (day, h.month_length())
            day = step("month", day, True, HIJRI)
    assert step("month", Hijri(1447, 1, 1).to_gregorian(), False, HIJRI) == Hijri(1446, 12, 1).to_gregorian()
    h = Gregorian(2025, 3, 1).to_hijri()
    assert HIJRI.local(date(2025, 3, 1)) == (h.year, h.month, h.day)


def test_gregorian_months_keep_february_29_and_cross_the_new_year():
    for year in (2023, 2024, 2100, 2400):
        assert systems.month_length(GREGORY, year, 2) == gregorian_calendar.monthrange(year, 2)[1]
    assert step("month", date(2030, 12, 31), True) == date(2031, 1, 1)
    assert step("month", date(2031, 1, 1), False) == date(2030, 12, 1)
    start, end, first, after = period("month", date(2024, 2, 10), 6)
    assert (first, after) == (date(2024, 2, 1), date(2024, 3, 1)) and start.weekday() == 6
    # a week is seven days from the locale's first day, whatever the calendar system
    for first_weekday in range(7):
        start, end, _, _ = period("week", date(2025, 3, 20), first_weekday, PERSIAN)
        assert start.weekday() == first_weekday and (end - start).days == 7 and start <= date(2025, 3, 20) < end


def test_the_week_starts_and_the_digits_come_from_the_locale_and_its_territory():
    cases = {("fa", None): "fa_IR", ("ar", "Asia/Riyadh"): "ar_SA", ("ar", "Africa/Cairo"): "ar_EG",
             ("ar", "UTC"): "ar_EG", ("en", "Europe/London"): "en_GB", ("en", "UTC"): "en_US",
             ("en", "Asia/Tehran"): "en_US", ("ur", None): "ur_PK", ("hi", "Asia/Kolkata"): "hi_IN"}
    for (language, zone), expected in cases.items():
        found = systems.regional_locale(language, zone)
        assert str(found) == expected, (language, zone)
        assert found.first_week_day == Locale.parse(expected).first_week_day
    assert systems.regional_locale("fa", None).first_week_day == 5  # Saturday
    assert systems.regional_locale("ar", "Asia/Riyadh").first_week_day == 6  # Sunday
    assert systems.regional_locale("ar", "Africa/Cairo").first_week_day == 5  # Saturday
    assert systems.digits(1403, systems.regional_locale("fa", None)) == "۱۴۰۳"
    assert systems.digits(29, systems.regional_locale("ar", "Asia/Riyadh")) == "٢٩"
    assert systems.digits(29, systems.regional_locale("en", "UTC")) == "29"


def test_each_language_offers_its_own_calendar_and_refuses_the_others():
    assert systems.chosen("fa", None).key == systems.PERSIAN
    assert systems.chosen("fa", systems.GREGORIAN).key == systems.GREGORIAN
    assert systems.chosen("fa", systems.HIJRI).key == systems.PERSIAN
    assert systems.chosen("ar", None).key == systems.GREGORIAN
    assert systems.chosen("ar", systems.HIJRI).key == systems.HIJRI
    assert systems.chosen("en", systems.PERSIAN).key == systems.GREGORIAN
    assert not HIJRI.supports(date(1900, 1, 1)) and HIJRI.supports(date(2030, 1, 1))


# ----------------------------------------------------------------------------- the console
@pytest.fixture
def world(seed, api, register_plugin):  # type: ignore[no-untyped-def]
    w = build_console_world(seed, api, register_plugin)
    assert w.admin.patch(f"tenants/{w.tid}/plugins/network_sandbox", {"enabled": True}).status_code == 200
    first = w.add_account("sandbox", "acme_sandbox")
    second = w.add_account("sandbox", "acme_news")
    for account_id in (first, second):
        connect(w, account_id)
    w.accounts.update(first=first, second=second)
    return w


def in_period(html: str) -> list[str]:
    """The dates of the cells of the shown period (not the days of other months around it)."""
    return re.findall(r'<td class="day(?![^"]*outside)[^"]*" data-date="([\d-]+)"', html)


def test_a_persian_reader_sees_the_solar_hijri_month_in_persian_digits_and_can_switch_to_gregorian(
        app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(10)
    post_id = approved_post(w, rt, "first", text="Nowruz sale")
    schedule(w, post_id, f"{d.isoformat()}T10:00", "UTC")
    set_person(rt, w, "manager", locale="fa")
    manager, csrf = sign_in(app, w, "manager")
    html = manager.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    j = jdatetime.date.fromgregorian(date=d)
    fa = systems.regional_locale("fa", "UTC")
    assert 'data-system="persian"' in html
    title = re.search(r'<h2 class="period-title"[^>]*>(.*?)</h2>', html, re.S).group(1)
    assert jdatetime.date.j_months_fa[j.month - 1] in title and systems.digits(j.year, fa) in title
    days = in_period(html)
    assert len(days) == persian_length(j.year, j.month)
    assert days[0] == jdatetime.date(j.year, j.month, 1).togregorian().isoformat()
    cell = day_cell(html, d)
    assert "Nowruz sale" in cell and f">{systems.digits(j.day, fa)}" in cell
    assert re.search(r'<time datetime="' + d.isoformat() + r'" title="[^"]+">', cell)  # the Gregorian date
    nxt = re.search(r'<a href="([^"]+)" rel="next"', html).group(1)
    first_next = jdatetime.date(j.year + j.month // 12, j.month % 12 + 1, 1).togregorian()
    assert f"date={first_next.isoformat()}" in nxt
    # the week starts on Saturday, as fa_IR's does
    week = manager.get(f"/console/calendar?view=week&date={d.isoformat()}").get_data(as_text=True)
    first_cell = re.search(r'<td class="day[^"]*" data-date="([\d-]+)"', week).group(1)
    assert date.fromisoformat(first_cell).weekday() == 5

    # switching to Gregorian is remembered for the next pages; a calendar fa does not offer is refused
    here = f"/console/calendar?date={d.isoformat()}"
    r = manager.post("/console/calendar/system", data={"csrf_token": csrf, "system": "gregory", "next": here})
    assert r.status_code == 303 and r.headers["Location"] == here
    html = manager.get(here).get_data(as_text=True)
    assert 'data-system="gregory"' in html
    assert len(in_period(html)) == gregorian_calendar.monthrange(d.year, d.month)[1]
    r = manager.post("/console/calendar/system", data={"csrf_token": csrf, "system": "islamic-umalqura"})
    assert r.status_code == 303
    html = manager.get(here).get_data(as_text=True)
    assert "این گاه‌شماری در این زبان در دسترس نیست." in html  # "not offered in this language", in Persian
    assert 'data-system="gregory"' in html
    assert manager.post("/console/calendar/system", data={"system": "persian"}).status_code == 403  # no CSRF


def test_an_arabic_reader_gets_gregorian_by_default_and_umm_al_qura_on_request(app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(10)
    set_person(rt, w, "manager", locale="ar", time_zone="Asia/Riyadh")
    manager, csrf = sign_in(app, w, "manager")
    html = manager.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    assert 'data-system="gregory"' in html and 'value="islamic-umalqura"' in html
    week = manager.get(f"/console/calendar?view=week&date={d.isoformat()}").get_data(as_text=True)
    assert date.fromisoformat(re.search(r'data-date="([\d-]+)"', week).group(1)).weekday() == 6  # ar_SA: Sunday
    r = manager.post("/console/calendar/system", data={"csrf_token": csrf, "system": "islamic-umalqura"})
    assert r.status_code == 303
    html = manager.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    h = Gregorian(d.year, d.month, d.day).to_hijri()
    assert 'data-system="islamic-umalqura"' in html
    assert len(in_period(html)) == h.month_length()
    assert in_period(html)[0] == Hijri(h.year, h.month, 1).to_gregorian().isoformat()
    sa = systems.regional_locale("ar", "Asia/Riyadh")
    assert f">{systems.digits(h.day, sa)}" in day_cell(html, d)
    # an English page never offers a choice, and ignores a remembered one it does not offer
    assert 'name="system"' not in manager.get(f"/console/calendar?date={d.isoformat()}&lang=en") \
        .get_data(as_text=True)


def test_a_post_for_two_accounts_is_one_card_listing_both_and_moves_as_a_whole(app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(8)
    post_id = approved_post(w, rt, "first", "second", text="Two accounts")
    schedule(w, post_id, f"{d.isoformat()}T09:15", "Europe/Berlin")
    found = pubs(rt, post_id)
    assert len(found) >= 2
    manager, csrf = sign_in(app, w, "manager")
    html = manager.get(f"/console/calendar?date={d.isoformat()}").get_data(as_text=True)
    cards = re.findall(r'<li class="item [^"]*" data-code="\w+" data-post="([^"]+)"', day_cell(html, d))
    assert cards == [post_id]
    card = re.search(r'<li class="item state-scheduled".*?</li>', html, re.S).group(0)
    assert f'data-publications="{len(found)}"' in card
    assert "@acme_sandbox" in card and "@acme_news" in card
    assert f"0 of {len(found)} published" in card
    # the API keeps one entry per publication; group=post gives one per post and time
    q = f"from={d.isoformat()}T00:00:00Z&to={(d + timedelta(days=2)).isoformat()}T00:00:00Z"
    flat = w.admin.get(f"tenants/{w.tid}/calendar?{q}").get_json()["items"]
    assert sorted(e["publication_id"] for e in flat) == sorted(p.id for p in found)
    grouped = w.admin.get(f"tenants/{w.tid}/calendar?{q}&group=post").get_json()["items"]
    assert len(grouped) == 1 and grouped[0]["post_id"] == post_id and grouped[0]["state"] == "scheduled"
    assert sorted(p["publication_id"] for p in grouped[0]["publications"]) == sorted(p.id for p in found)
    assert grouped[0]["state_counts"] == {"scheduled": len(found)}
    assert w.admin.get(f"tenants/{w.tid}/calendar?{q}&group=account").status_code == 422
    # moving the card moves every publication of the post, at 09:15 Berlin time
    pub_id = re.search(r'name="publication_id" value="([^"]+)"', card).group(1)
    target = d + timedelta(days=2)
    r = manager.post("/console/calendar/reschedule", data={"csrf_token": csrf, "publication_id": pub_id,
                                                           "date": target.isoformat()})
    assert r.status_code == 303
    assert {(p.local_time, p.time_zone) for p in pubs(rt, post_id)} == {(f"{target.isoformat()}T09:15",
                                                                         "Europe/Berlin")}


def test_group_post_pages_by_post_and_time_without_splitting_a_post(app, world, herald_runtime):
    w, rt = world, herald_runtime
    d = later(6)
    posts = [approved_post(w, rt, "first", "second", text=f"Post {i}") for i in range(3)]
    for i, post_id in enumerate(posts):
        schedule(w, post_id, f"{d.isoformat()}T1{i}:00", "UTC")
    q = f"from={d.isoformat()}T00:00:00Z&to={(d + timedelta(days=1)).isoformat()}T00:00:00Z&group=post&limit=2"
    first = w.admin.get(f"tenants/{w.tid}/calendar?{q}").get_json()
    rest = w.admin.get(f"tenants/{w.tid}/calendar?{q}&cursor={first['next_cursor']}").get_json()
    assert [g["post_id"] for g in first["items"] + rest["items"]] == posts and rest["next_cursor"] is None
    for group in first["items"] + rest["items"]:
        assert len(group["publications"]) == len(pubs(rt, group["post_id"]))
    bad = w.admin.get(f"tenants/{w.tid}/calendar?{q}&cursor=nonsense")
    assert bad.status_code == 400


def test_the_grouped_state_is_the_one_that_most_needs_a_person():
    from herald.publishing.calendar import group_state

    assert group_state(["published", "failed"]) == "failed"
    assert group_state(["published", "scheduled"]) == "scheduled"
    assert group_state(["cancelled", "published"]) == "published"
    assert group_state(["failed", "needs_attention"]) == "needs_attention"


# ----------------------------------------------------------------------------- the phone
PHONE = {"width": 390, "height": 844}
SIDEWAYS = "() => document.documentElement.scrollWidth"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_at_phone_width_the_calendar_is_an_agenda_that_does_not_scroll_sideways_and_passes_axe(
        browser, base_url, world, herald_runtime, lang):  # noqa: F811
    w, rt = world, herald_runtime
    d = later(3)
    post_id = approved_post(w, rt, "first", "second", text="Phone agenda", arabic="قهوة على الهاتف")
    schedule(w, post_id, f"{d.isoformat()}T09:00", "UTC")
    script = _axe_script()
    page = browser.new_page(viewport=PHONE, bypass_csp=True)
    Walk(page, base_url, w).sign_in("admin")
    problems: list[str] = []
    for path in (f"/console/calendar?date={d.isoformat()}&lang={lang}",
                 f"/console/calendar?view=week&date={d.isoformat()}&lang={lang}"):
        page.goto(base_url + path)
        assert page.locator("html").get_attribute("lang") == lang
        assert page.evaluate(SIDEWAYS) <= PHONE["width"], path
        # an agenda: no weekday row, the day with the post shown with its weekday, empty days folded
        assert not page.locator("table.calendar thead").is_visible()
        assert page.locator(f"td[data-date='{d.isoformat()}'] li.item[data-post='{post_id}']").is_visible()
        assert page.locator(f"td[data-date='{d.isoformat()}'] .day-weekday").is_visible()
        empty = page.locator("td.day.empty")
        assert empty.count() > 0 and not any(empty.nth(i).is_visible() for i in range(empty.count()))
        problems += check(page, script, path)
    # and on a desktop the same page is still a grid of weeks, as accessible
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{base_url}/console/calendar?date={d.isoformat()}&lang={lang}")
    assert page.locator("table.calendar thead").is_visible() and page.locator("td.day.empty").first.is_visible()
    problems += check(page, script, "desktop calendar")
    page.close()
    assert not problems, "\n".join(problems)
