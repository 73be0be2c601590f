"""The console's calendar: a month or a week of posts over an org unit (with or without its
descendants), filtered by account, network, campaign, state and author, laid out by day in the
viewer's time zone. It reads through the calendar service the API uses
(:func:`herald.publishing.calendar.calendar_by_post`, the API's ``group=post``) and reschedules
through the planning service (:func:`herald.publishing.planning.reschedule`), both with the
signed-in person as actor.

One card per post and time: a post going out to two accounts in two languages at 09:00 is one
card listing its accounts and how many of its publications are published. Rescheduling moves the
post, as the planning service does — every publication of it still waiting to go out — and keeps
the time of day in the zone the post was planned in: moving a card from one day to another changes
only the date of its planned wall-clock time. Dragging a card to a day (``calendar.js``) fills in
and sends the card's own "Reschedule" form, which works without the script as well.

The month follows the person's calendar system (:mod:`herald.console.calendar_systems`): Solar
Hijri for Persian unless the person chose Gregorian, Gregorian for Arabic unless the person chose
Umm al-Qura. The choice is remembered in the browser's session (the signed Flask session cookie):
people have no preferences column to keep it in, and the calendar is the only page it changes.
Weeks start on the day the person's locale and territory start them; at phone width the same
markup reads as an agenda (``publishing.css``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from babel import Locale
from flask import Response, flash, redirect, request, url_for
from flask import session as cookie_session
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from herald import timing
from herald.api.context import db
from herald.authz import can
from herald.clock import utcnow
from herald.console import calendar_systems as systems
from herald.console.blueprint import bp, page, refused, tenant, units_with, who
from herald.console.i18n import select_timezone
from herald.content.models import Post
from herald.errors import HeraldError, ValidationFailed
from herald.people.models import User
from herald.publishing import planning
from herald.publishing.calendar import calendar_by_post
from herald.publishing.models import PUBLICATION_STATES
from herald.tenancy.models import SocialAccount
from herald.web.pages import safe_relay

VIEWS = ("month", "week")
#: how many cards one page shows at most (the service is asked page by page)
MOST = 1000
#: states that need a person: shown with a warning mark and a distinct colour
TROUBLE = frozenset({"failed", "needs_attention"})
FILTERS = ("unit", "account", "network", "campaign", "status", "author")
#: where the person's choice of calendar system is kept (the browser's session)
SYSTEM_KEY = "calendar_system"


@dataclass
class Day:
    day: date
    in_period: bool
    today: bool
    label: str = ""
    gregorian: str = ""
    gregorian_full: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)


def _parse_day(text: str) -> date | None:
    """The ISO day ``text`` names, within years the calendar can step through (else None)."""
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2200 else None


def period(view: str, anchor: date, first_weekday: int,
           system: systems.CalendarSystem = systems.SYSTEMS[systems.GREGORIAN]) -> tuple[date, date, date, date]:
    """(first shown day, day after the last shown, first day of the period, day after it): a
    month of ``system`` is shown as whole weeks, starting on the locale's first day of the week."""
    if view == "week":
        start = anchor - timedelta(days=(anchor.weekday() - first_weekday) % 7)
        return start, start + timedelta(days=7), start, start + timedelta(days=7)
    first = systems.month_start(system, anchor)
    after = systems.next_month_start(system, anchor)
    start = first - timedelta(days=(first.weekday() - first_weekday) % 7)
    last = after - timedelta(days=1)
    end = last + timedelta(days=(first_weekday + 6 - last.weekday()) % 7 + 1)
    return start, end, first, after


def step(view: str, anchor: date, forward: bool,
         system: systems.CalendarSystem = systems.SYSTEMS[systems.GREGORIAN]) -> date:
    """The anchor of the previous or next period (a month of ``system``)."""
    if view == "week":
        return anchor + timedelta(days=7 if forward else -7)
    if forward:
        return systems.next_month_start(system, anchor)
    return systems.previous_month_start(system, anchor)


def _instant(day: date, zone: str) -> datetime:
    return timing.to_instant(datetime.combine(day, time()), zone, fold=0, field="date")


def _query(filters: dict[str, str], start: date, end: date, zone: str) -> dict[str, Any]:
    return {"from_": _instant(start, zone), "to": _instant(end, zone), "org_unit_id": filters["unit"] or None,
            "descendants": filters["descendants"], "account_id": filters["account"] or None,
            "network": filters["network"] or None, "campaign": filters["campaign"] or None,
            "status": filters["status"] or None, "author_id": filters["author"] or None, "time_zone": zone,
            "limit": 200, "cursor": None}


def _entries(q: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Every card of the range (page by page through the service), and whether some were left out."""
    session_, out = db(), []
    while True:
        found = calendar_by_post(session_, who(), tenant().id, q)
        out.extend(found.items)
        if not found.next_cursor or len(out) >= MOST:
            return out[:MOST], bool(found.next_cursor)
        q = {**q, "cursor": found.next_cursor}


def _filters() -> dict[str, Any]:
    args = request.args
    filters: dict[str, Any] = {k: args.get(k, "").strip()[:200] for k in FILTERS}
    filters["descendants"] = args.get("descendants", "1") != "0"
    if filters["status"] and filters["status"] not in PUBLICATION_STATES:
        flash(_("Unknown state: %(state)s.", state=filters["status"]), "error")
        filters["status"] = ""
    return filters


def _choices(unit_ids: list[str]) -> dict[str, Any]:
    session_ = db()
    accounts = session_.scalars(select(SocialAccount).where(
        SocialAccount.tenant_id == tenant().id, SocialAccount.org_unit_id.in_(unit_ids))
        .order_by(SocialAccount.network, SocialAccount.handle)).all()
    campaigns = session_.scalars(select(Post.campaign).distinct().where(
        Post.tenant_id == tenant().id, Post.org_unit_id.in_(unit_ids), Post.campaign.is_not(None))
        .order_by(Post.campaign).limit(200)).all()
    author_ids = select(Post.author_id).distinct().where(Post.tenant_id == tenant().id,
                                                         Post.org_unit_id.in_(unit_ids))
    authors = session_.scalars(select(User).where(User.id.in_(author_ids)).order_by(User.email)).all()
    return {"accounts": accounts, "networks": sorted({a.network for a in accounts}), "campaigns": campaigns,
            "authors": authors, "states": PUBLICATION_STATES}


def _language(variant: str) -> str:
    """The language part of a variant key (``network/language``), '' when it has none."""
    tail = variant.split("/")[-1]
    return "" if tail == "-" else tail


def _decorate(cards: list[dict[str, Any]], zone: str) -> list[dict[str, Any]]:
    """Add what a card needs: its accounts, whether the person may move it (and which of its
    publications the reschedule form names), how many are published, and the planned (zone's own)
    date and time that the reschedule form starts from."""
    session_, actor = db(), who()
    posts = {p.id: p for p in session_.scalars(select(Post).where(Post.id.in_({c["post_id"] for c in cards})))}
    accounts = {a.id: a for a in session_.scalars(select(SocialAccount).where(
        SocialAccount.id.in_({p["account_id"] for c in cards for p in c["publications"]})))}
    movable: dict[str, bool] = {}
    for c in cards:
        post = posts[c["post_id"]]
        if post.id not in movable:
            movable[post.id] = can(session_, actor, "posts.schedule", post)
        waiting = [p for p in c["publications"] if p["state"] == "scheduled"]
        lead = waiting[0] if waiting else c["publications"][0]
        planned = datetime.fromisoformat(lead["planned_local_time"])
        live = [p for p in c["publications"] if p["state"] not in ("cancelled", "deleted")]
        for p in c["publications"]:
            p.update(account=accounts.get(p["account_id"]), language=_language(p["variant"]),
                     trouble=p["state"] in TROUBLE)
        c.update(trouble=c["state"] in TROUBLE, movable=movable[post.id] and bool(waiting),
                 publication_id=lead["publication_id"], planned_time_zone=lead["planned_time_zone"],
                 planned_date=planned.date().isoformat(), planned_time=planned.strftime("%H:%M"),
                 published=sum(1 for p in live if p["state"] == "published"), live=len(live),
                 troubled=sum(1 for p in c["publications"] if p["trouble"]),
                 viewer_day=timing.local_of(c["scheduled_at"], zone).date())
    return cards


def calendar_system(language: str) -> systems.CalendarSystem:
    """The calendar system this person sees the calendar in (their choice if the language offers it)."""
    return systems.chosen(language, cookie_session.get(SYSTEM_KEY))


def _days(start: date, end: date, first: date, after: date, today: date, view: str,
          system: systems.CalendarSystem, locale: Locale) -> list[Day]:
    """The shown days, each labelled in the calendar system with the locale's digits (the month's
    name on its first day and in a week), with the Gregorian date beside a local one."""
    out = []
    for i in range((end - start).days):
        day = start + timedelta(days=i)
        local = systems.local_day(system, day)
        if system.key == systems.GREGORIAN:
            label = systems.digits(format_date(day, "d MMM") if view == "week" or day.day == 1 else day.day, locale)
            gregorian = full = ""
        else:
            label = systems.digits(local.number, locale)
            if view == "week" or local.number == 1:
                label = f"{label} {system.month_name(local.month, locale.language)}"
            gregorian = systems.digits(format_date(day, "d MMM"), locale)
            full = systems.digits(format_date(day, "long"), locale)
        out.append(Day(day, first <= day < after, day == today, label, gregorian, full))
    return out


def _titles(view: str, start: date, end: date, first: date, after: date, system: systems.CalendarSystem,
            locale: Locale) -> tuple[str, str]:
    """The period's title in the calendar system, and (for another system) its Gregorian span,
    both in the locale's digits."""
    last = (end if view == "week" else after) - timedelta(days=1)
    gregorian = _("%(start)s to %(end)s", start=format_date(first if view == "month" else start, "medium"),
                  end=format_date(last, "medium"))
    if system.key == systems.GREGORIAN:
        title = gregorian if view == "week" else format_date(first, "LLLL y")
        return systems.digits(title, locale), ""
    if view == "week":
        title = _("%(start)s to %(end)s", start=systems.long_date(system, start, locale),
                  end=systems.long_date(system, last, locale))
    else:
        title = systems.month_title(system, first, locale)
    return title, systems.digits(gregorian, locale)


@bp.get("/calendar")
def calendar() -> Response:
    zone = select_timezone()
    today = timing.local_of(utcnow(), zone).date()
    view = request.args.get("view", "month")
    if view not in VIEWS:
        view = "month"
    language = str(get_locale() or "en")
    locale = systems.regional_locale(language, zone)
    system = calendar_system(language)
    anchor = _parse_day(request.args.get("date", "")) or today
    if not system.supports(anchor):
        system = systems.SYSTEMS[systems.GREGORIAN]
    start, end, first, after = period(view, anchor, locale.first_week_day, system)
    filters = _filters()
    cards, truncated = [], False
    try:
        cards, truncated = _entries(_query(filters, start, end, zone))
    except HeraldError as exc:
        db().rollback()
        refused(exc)
    cards = _decorate(cards, zone)
    days = _days(start, end, first, after, today, view, system, locale)
    by_day = {d.day: d for d in days}
    for c in cards:
        if c["viewer_day"] in by_day:
            by_day[c["viewer_day"]].items.append(c)
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    names = Locale.parse(language).days["format"]["wide"]
    weekdays = [names[(locale.first_week_day + i) % 7] for i in range(7)]
    title, gregorian_title = _titles(view, start, end, first, after, system, locale)
    units = units_with("posts.view")
    here = {k: v for k, v in filters.items() if v and k != "descendants"}
    if not filters["descendants"]:
        here["descendants"] = "0"
    return page("console/calendar.html", view=view, anchor=anchor, weeks=weeks, weekdays=weekdays, title=title,
                gregorian_title=gregorian_title, system=system.key,
                empty_period=not any(d.items for d in days if d.in_period), systems_offered=systems.offered(language),
                filters=filters, units=units, zone=zone, here=here, truncated=truncated,
                prev=step(view, anchor, False, system), next=step(view, anchor, True, system), today=today,
                trouble=sum(c["troubled"] for c in cards), **_choices([u.id for u in units]))


@bp.post("/calendar/system")
def calendar_system_choice() -> Response:
    """Remember which calendar system the person reads the calendar in (for this browser's
    session); a system the page's language does not offer is refused with a message."""
    target = safe_relay(request.form.get("next"))
    if not target or not target.startswith("/console/"):
        target = url_for("console.calendar")
    wish = request.form.get("system", "")
    if wish in systems.offered(str(get_locale() or "en")):
        cookie_session[SYSTEM_KEY] = wish
    else:
        flash(_("This calendar is not offered in this language."), "error")
    return redirect(target, code=303)


@bp.post("/calendar/reschedule")
def calendar_reschedule() -> Response:
    """Move a scheduled post to another day (and, if given, another time of day), in the zone
    its publication was planned in. The planning service checks ``posts.schedule``."""
    form = request.form
    target = safe_relay(form.get("next"))
    if not target or not target.startswith("/console/"):
        target = url_for("console.calendar")
    session = db()
    try:
        pub, post = planning.get_publication(session, who(), tenant().id, form.get("publication_id", "")[:40])
        day = _parse_day(form.get("date", ""))
        if day is None:
            raise ValidationFailed(_("Choose the day to move the post to."), {})
        planned = datetime.fromisoformat(pub.local_time)
        clock = planned.time()
        if form.get("time"):
            try:
                clock = time.fromisoformat(form["time"][:5])
            except ValueError as exc:
                raise ValidationFailed(_("Give the time as hours and minutes (HH:MM)."), {}) from exc
        local = datetime.combine(day, clock)
        planning.reschedule(session, who(), tenant().id, post.id, {"local_time": local, "time_zone": pub.time_zone})
        session.commit()
        flash(_("The post was moved to %(when)s (%(zone)s).", when=local.isoformat(sep=" ", timespec="minutes"),
                zone=pub.time_zone), "ok")
    except HeraldError as exc:
        session.rollback()
        refused(exc)
    return redirect(target, code=303)
