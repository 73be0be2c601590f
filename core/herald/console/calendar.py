"""The console's calendar: a month or a week of publications over an org unit (with or without
its descendants), filtered by account, network, campaign, state and author, laid out by day in
the viewer's time zone. It reads through the calendar service the API uses
(:func:`herald.publishing.calendar.calendar`) and reschedules through the planning service
(:func:`herald.publishing.planning.reschedule`), both with the signed-in person as actor.

Rescheduling keeps the time of day in the zone the post was planned in: moving an item from one
day to another changes only the date of its planned wall-clock time. Dragging an item to a day
(``calendar.js``) fills in and sends the item's own "Reschedule" form, which works without the
script as well."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from babel import Locale
from flask import Response, flash, redirect, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from herald.api.context import db
from herald.authz import can
from herald.clock import utcnow
from herald.console.blueprint import bp, page, refused, tenant, units_with, who
from herald.console.i18n import select_timezone
from herald.content.models import Post
from herald.errors import HeraldError, ValidationFailed
from herald.people.models import User
from herald.publishing import planning, timing
from herald.publishing.calendar import calendar as calendar_entries
from herald.publishing.models import PUBLICATION_STATES
from herald.tenancy.models import SocialAccount
from herald.web.pages import safe_relay

VIEWS = ("month", "week")
#: how many entries one page shows at most (the service is asked page by page)
MOST = 1000
#: states that need a person: shown with a warning mark and a distinct colour
TROUBLE = frozenset({"failed", "needs_attention"})
FILTERS = ("unit", "account", "network", "campaign", "status", "author")


@dataclass
class Day:
    day: date
    in_period: bool
    today: bool
    items: list[dict[str, Any]] = field(default_factory=list)


def _parse_day(text: str) -> date | None:
    """The ISO day ``text`` names, within years the calendar can step through (else None)."""
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2200 else None


def period(view: str, anchor: date, first_weekday: int) -> tuple[date, date, date, date]:
    """(first shown day, day after the last shown, first day of the period, day after it): a
    month is shown as whole weeks, starting on the locale's first day of the week."""
    if view == "week":
        start = anchor - timedelta(days=(anchor.weekday() - first_weekday) % 7)
        return start, start + timedelta(days=7), start, start + timedelta(days=7)
    first = anchor.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    start = first - timedelta(days=(first.weekday() - first_weekday) % 7)
    last = after - timedelta(days=1)
    end = last + timedelta(days=(first_weekday + 6 - last.weekday()) % 7 + 1)
    return start, end, first, after


def step(view: str, anchor: date, forward: bool) -> date:
    """The anchor of the previous or next period."""
    if view == "week":
        return anchor + timedelta(days=7 if forward else -7)
    first = anchor.replace(day=1)
    return (first + timedelta(days=32)).replace(day=1) if forward else (first - timedelta(days=1)).replace(day=1)


def _instant(day: date, zone: str) -> datetime:
    return timing.to_instant(datetime.combine(day, time()), zone, fold=0, field="date")


def _query(filters: dict[str, str], start: date, end: date, zone: str) -> dict[str, Any]:
    return {"from_": _instant(start, zone), "to": _instant(end, zone), "org_unit_id": filters["unit"] or None,
            "descendants": filters["descendants"], "account_id": filters["account"] or None,
            "network": filters["network"] or None, "campaign": filters["campaign"] or None,
            "status": filters["status"] or None, "author_id": filters["author"] or None, "time_zone": zone,
            "limit": 200, "cursor": None}


def _entries(q: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Every entry of the range (page by page through the service), and whether some were left out."""
    session, out = db(), []
    while True:
        found = calendar_entries(session, who(), tenant().id, q)
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
    session = db()
    accounts = session.scalars(select(SocialAccount).where(
        SocialAccount.tenant_id == tenant().id, SocialAccount.org_unit_id.in_(unit_ids))
        .order_by(SocialAccount.network, SocialAccount.handle)).all()
    campaigns = session.scalars(select(Post.campaign).distinct().where(
        Post.tenant_id == tenant().id, Post.org_unit_id.in_(unit_ids), Post.campaign.is_not(None))
        .order_by(Post.campaign).limit(200)).all()
    author_ids = select(Post.author_id).distinct().where(Post.tenant_id == tenant().id,
                                                         Post.org_unit_id.in_(unit_ids))
    authors = session.scalars(select(User).where(User.id.in_(author_ids)).order_by(User.email)).all()
    return {"accounts": accounts, "networks": sorted({a.network for a in accounts}), "campaigns": campaigns,
            "authors": authors, "states": PUBLICATION_STATES}


def _decorate(entries: list[dict[str, Any]], zone: str) -> list[dict[str, Any]]:
    """Add what the page needs: the account, whether the person may move the item, and the
    planned (zone's own) date and time that the reschedule form starts from."""
    session, actor = db(), who()
    posts = {p.id: p for p in session.scalars(select(Post).where(Post.id.in_({e["post_id"] for e in entries})))}
    accounts = {a.id: a for a in session.scalars(
        select(SocialAccount).where(SocialAccount.id.in_({e["account_id"] for e in entries})))}
    movable: dict[str, bool] = {}
    for e in entries:
        post = posts[e["post_id"]]
        if post.id not in movable:
            movable[post.id] = can(session, actor, "posts.schedule", post)
        planned = datetime.fromisoformat(e["planned_local_time"])
        e.update(account=accounts.get(e["account_id"]), trouble=e["state"] in TROUBLE,
                 movable=movable[post.id] and e["state"] == "scheduled",
                 planned_date=planned.date().isoformat(), planned_time=planned.strftime("%H:%M"),
                 viewer_day=timing.local_of(e["scheduled_at"], zone).date())
    return entries


@bp.get("/calendar")
def calendar() -> Response:
    zone = select_timezone()
    today = timing.local_of(utcnow(), zone).date()
    view = request.args.get("view", "month")
    if view not in VIEWS:
        view = "month"
    anchor = _parse_day(request.args.get("date", "")) or today
    locale = Locale.parse(str(get_locale() or "en"))
    start, end, first, after = period(view, anchor, locale.first_week_day)
    filters = _filters()
    entries, truncated = [], False
    try:
        entries, truncated = _entries(_query(filters, start, end, zone))
    except HeraldError as exc:
        db().rollback()
        refused(exc)
    entries = _decorate(entries, zone)
    days = [Day(start + timedelta(days=i), first <= start + timedelta(days=i) < after,
                start + timedelta(days=i) == today) for i in range((end - start).days)]
    by_day = {d.day: d for d in days}
    for e in entries:
        if e["viewer_day"] in by_day:
            by_day[e["viewer_day"]].items.append(e)
    weeks = [days[i:i + 7] for i in range(0, len(days), 7)]
    weekdays = [locale.days["format"]["wide"][(locale.first_week_day + i) % 7] for i in range(7)]
    if view == "week":
        title = _("%(start)s to %(end)s", start=format_date(start, "medium"),
                  end=format_date(end - timedelta(days=1), "medium"))
    else:
        title = format_date(first, "LLLL y")
    units = units_with("posts.view")
    here = {k: v for k, v in filters.items() if v and k != "descendants"}
    if not filters["descendants"]:
        here["descendants"] = "0"
    return page("console/calendar.html", view=view, anchor=anchor, weeks=weeks, weekdays=weekdays, title=title,
                filters=filters, units=units, zone=zone, here=here, truncated=truncated,
                prev=step(view, anchor, False), next=step(view, anchor, True), today=today,
                trouble=sum(1 for e in entries if e["trouble"]), **_choices([u.id for u in units]))


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
