"""The inbox page: the conversation list (filters, saved views, two orders, keyset paging,
counts) beside the selected conversation (timeline, SLA, author, actions, notes, the reply box
with the connector's checks, saved replies and the reply lease).

Every action calls the inbox services the API calls (:mod:`herald.inbox`) with the signed-in
person as actor, so the permission checks are the services' own; the page only hides what the
same permission would refuse. The page works without JavaScript; ``inbox.js`` adds live
updates (short polling of :func:`inbox_poll`), the reply checks, the lease and shortcuts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from herald.api.context import db
from herald.api.pagination import paginate
from herald.api.schemas import inbox as s
from herald.authz import can
from herald.console.blueprint import bp, can_somewhere, page, refused, tenant, units_with, user, who
from herald.console.form_errors import flatten
from herald.console.i18n import select_timezone
from herald.console.inbox_labels import inbox_label
from herald.console.person_names import people_names
from herald.errors import Conflict, Forbidden, HeraldError, ValidationFailed
from herald.inbox import authors, queries, replies, saved, triage
from herald.inbox.access import can_on, get_conversation, require_on
from herald.inbox.assignment import assign
from herald.inbox.models import (
    KINDS,
    PRIORITIES,
    SLA_STATES,
    STATUSES,
    Conversation,
    InboxAuthor,
    InboxItem,
    Team,
    TimelineEntry,
)
from herald.people.models import User
from herald.tenancy.models import SocialAccount

PAGE_SIZE = 25
#: the list filters a page URL may carry (single values; the services take lists)
LIST_FILTERS = ("status", "priority", "network", "kind", "tag", "sla_state")
ONE_FILTERS = ("team_id", "assignee_id", "unit_id")
KEPT_ARGS = ("view_id", "order", *LIST_FILTERS, *ONE_FILTERS)


def _require_reader() -> None:
    if not can_somewhere("inbox.read"):
        raise Forbidden(_("You may not read the inbox."), permission="inbox.read")


def _args() -> dict[str, str]:
    """The page's view arguments as given (the filters, the view and the order)."""
    return {k: request.args.get(k, "")[:64] for k in KEPT_ARGS if request.args.get(k)}


def _query(args: dict[str, str]) -> dict[str, Any]:
    """The API's list query for the page's arguments (validated by the API's own schema)."""
    raw: dict[str, Any] = {k: [v] for k, v in args.items() if k in LIST_FILTERS}
    raw.update({k: v for k, v in args.items() if k in ONE_FILTERS or k in ("view_id", "order")})
    if request.args.get("cursor"):
        raw["cursor"] = request.args["cursor"][:500]
    raw["limit"] = PAGE_SIZE
    return s.ConversationListQuery().load(raw)


def _filters(query: dict[str, Any]) -> dict[str, Any]:
    filters = {k: v for k, v in query.items() if k not in ("limit", "cursor", "order", "view_id")}
    if query.get("view_id"):
        view = saved.get_view(db(), who(), tenant().id, query["view_id"])
        base = dict(view.filters or {})
        base.update({k: v for k, v in filters.items() if v not in (None, False) and k != "descendants"})
        filters = base
    return filters


def _teams() -> list[Team]:
    return list(db().scalars(select(Team).where(Team.tenant_id == tenant().id).order_by(Team.name)))


def _people() -> list[User]:
    return list(db().scalars(select(User).where(User.tenant_id == tenant().id, User.status == "active")
                             .order_by(User.display_name, User.email)))


def _list(query: dict[str, Any], filters: dict[str, Any]) -> dict[str, Any]:
    session = db()
    columns, descending = queries.ORDERS[query["order"]]
    stmt = queries.select_conversations(session, who(), tenant().id, filters)
    found = paginate(session, stmt, columns, query["limit"], query["cursor"], descending=descending)
    convs = list(found.items)
    author_ids = {c.author_id for c in convs if c.author_id}
    people = {a.id: a for a in session.scalars(select(InboxAuthor).where(InboxAuthor.id.in_(author_ids)))} \
        if author_ids else {}
    return {"conversations": convs, "next_cursor": found.next_cursor, "list_authors": people,
            "assignees": people_names({c.assignee_id for c in convs}),
            "leases": {c.id: replies.lease_info(session, c) for c in convs}}


def _list_key(convs: list[Conversation], total: int) -> str:
    """What the list shows, in a few bytes: it changes when a conversation comes, goes or moves."""
    raw = f"{total}|" + "|".join(f"{c.id}:{c.updated_at.isoformat() if c.updated_at else ''}" for c in convs)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _conversation_key(conv: Conversation) -> str:
    session = db()
    last = session.execute(select(func.count(TimelineEntry.id), func.max(TimelineEntry.at)).where(
        TimelineEntry.conversation_id == conv.id)).one()
    lease = replies.lease_info(session, conv)
    raw = (f"{last[0]}|{last[1]}|{conv.status}|{conv.priority}|{conv.assignee_id}|{conv.team_id}|{conv.tags}|"
           f"{conv.sla_state}|{lease['user_id'] if lease else ''}")
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def back_url(conv_id: str | None = None) -> str:
    """The inbox as the person left it (filters, view, order), with ``conv_id`` selected."""
    kept = [(k, v) for k, v in parse_qsl(request.form.get("back", "")) if k in KEPT_ARGS]
    if conv_id:
        kept.append(("c", conv_id))
    return url_for("console.inbox") + ("?" + urlencode(kept) if kept else "")


# ----------------------------------------------------------------------------- the conversation
def pane_context(conv: Conversation) -> dict[str, Any]:
    """What the conversation pane shows, decided with the services' permissions."""
    session, actor = db(), who()
    items = {i.id: i for i in session.scalars(select(InboxItem).where(InboxItem.conversation_id == conv.id)
                                              .order_by(InboxItem.created_at, InboxItem.id).limit(500))}
    timeline = session.scalars(select(TimelineEntry).where(TimelineEntry.conversation_id == conv.id)
                               .order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc()).limit(200)).all()[::-1]
    author = session.get(InboxAuthor, conv.author_id) if conv.author_id else None
    account = session.get(SocialAccount, conv.account_id)
    ids: set[str | None] = {conv.assignee_id, conv.replying_user_id}
    for e in timeline:
        ids |= {e.actor_id, (e.data or {}).get("assignee_id")}
    may = {p: can_on(session, actor, p, conv) for p in ("inbox.reply", "inbox.assign")}
    saved_replies = []
    if may["inbox.reply"]:
        for row in saved.list_saved_replies(session, actor, tenant().id, None):
            if row.language in (None, conv.language) or not conv.language:
                saved_replies.append({"id": row.id, "name": row.name, "language": row.language,
                                      "text": saved.render(session, actor, conv, row.text)})
    author_notes = authors.notes(session, author) if author else []
    history = [i for i in authors.history(session, actor, tenant().id, author, 20)
               if i.conversation_id != conv.id] if author else []
    ids |= {n.created_by for n in author_notes}
    lease = replies.lease_info(session, conv)
    teams = {t.id: t for t in _teams()}
    return {
        "conv": conv, "messages": items, "timeline": timeline, "author": author, "account": account,
        "author_notes": author_notes, "history": history, "names": people_names(ids), "teams": teams,
        "may_reply": may["inbox.reply"], "may_assign": may["inbox.assign"],
        "people": _people() if may["inbox.assign"] else [], "saved_replies": saved_replies,
        "reply_checks": replies.limits(db(), conv) if may["inbox.reply"] else None,
        "lease": lease, "lease_mine": bool(lease and lease["user_id"] == actor.user_id),
        "conversation_key": _conversation_key(conv), "viewer_zone": select_timezone(),
    }


@bp.get("/inbox")
def inbox() -> Response:
    _require_reader()
    session = db()
    args = _args()
    problems: dict[str, list[str]] = {}
    context: dict[str, Any] = {"conversations": [], "next_cursor": None, "list_authors": {}, "assignees": {},
                               "leases": {}}
    counts: dict[str, Any] = {"total": 0, "by_status": dict.fromkeys(STATUSES, 0)}
    try:
        query = _query(args)
        filters = _filters(query)
        context = _list(query, filters)
        counts = {"total": queries.count(session, who(), tenant().id, filters),
                  "by_status": queries.counts_by_status(session, who(), tenant().id, filters)}
    except ValidationError as exc:
        problems = flatten(exc.normalized_messages())
    except HeraldError as exc:
        problems = {"": [exc.detail]}
    selected = None
    conv_id = request.args.get("c", "")[:64]
    if conv_id:
        selected = pane_context(get_conversation(session, who(), tenant().id, conv_id))
    views = saved.list_views(session, who(), tenant().id)
    view_counts = {v.id: queries.count(session, who(), tenant().id, v.filters or {}) for v in views}
    if request.args.get("fragment") == "list":
        html = render_template("console/_inbox_list.html", **_shared(args), **context, counts=counts,
                               selected_id=conv_id)
        return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})
    return page("console/inbox.html", 422 if problems else 200, **_shared(args), **context, counts=counts,
                problems=problems, selected=selected, selected_id=conv_id, views=views, view_counts=view_counts,
                units=units_with("inbox.read"), teams_list=_teams(), people_list=_people(),
                networks=sorted({a for a in session.scalars(select(SocialAccount.network).where(
                    SocialAccount.tenant_id == tenant().id).distinct())}),
                may_admin=can(db(), who(), "inbox.admin", tenant()))


def _shared(args: dict[str, str]) -> dict[str, Any]:
    return {"args": args, "back": urlencode(args), "statuses": STATUSES, "priorities": PRIORITIES,
            "kinds": KINDS, "sla_states": SLA_STATES, "inbox_label": inbox_label, "me_id": who().user_id}


@bp.get("/inbox/c/<conv_id>/pane")
def inbox_pane(conv_id: str) -> Response:
    """The conversation pane alone (for the live refresh)."""
    _require_reader()
    conv = get_conversation(db(), who(), tenant().id, conv_id)
    html = render_template("console/_inbox_pane.html", **_shared(_args()), selected=pane_context(conv),
                           csrf_token=_csrf(), me=user())
    return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})


def _csrf() -> str:
    from herald.api.context import browser_session

    row = browser_session()
    return row.csrf_token if row is not None else ""


@bp.get("/inbox/poll")
def inbox_poll() -> Response:
    """What the live refresh compares: the list's key and counts, the open conversation's key."""
    _require_reader()
    session = db()
    out: dict[str, Any] = {}
    try:
        query = _query(_args())
        filters = _filters(query)
        columns, descending = queries.ORDERS[query["order"]]
        stmt = queries.select_conversations(session, who(), tenant().id, filters)
        top = list(session.scalars(stmt.order_by(*[c.desc() if descending else c.asc() for c in columns])
                                   .limit(PAGE_SIZE)))
        total = queries.count(session, who(), tenant().id, filters)
        out.update(total=total, by_status=queries.counts_by_status(session, who(), tenant().id, filters),
                   list_key=_list_key(top, total))
    except (ValidationError, HeraldError):
        out.update(total=None, list_key=None)
    conv_id = request.args.get("c", "")[:64]
    if conv_id:
        conv = get_conversation(session, who(), tenant().id, conv_id)
        lease = replies.lease_info(session, conv)
        out["conversation"] = {"id": conv.id, "key": _conversation_key(conv), "replying": lease}
    resp = jsonify(out)
    resp.headers["Cache-Control"] = "no-store"
    return resp


# ----------------------------------------------------------------------------- actions
def _done(conv_id: str | None, message: str | None = None) -> Response:
    if message:
        flash(message, "ok")
    return redirect(back_url(conv_id), code=303)


def _local_time(text: str) -> datetime:
    try:
        local = datetime.fromisoformat(text.strip()[:16])
    except ValueError as exc:
        raise ValidationFailed(_("The date and time are not valid."),
                               {"snoozed_until": [_("Use the form YYYY-MM-DD HH:MM.")]}) from exc
    return local.replace(tzinfo=ZoneInfo(select_timezone()))


def _tags(text: str) -> list[str]:
    found = [t.strip().lstrip("#")[:64] for t in text.replace("،", ",").split(",")]
    return list(dict.fromkeys(t for t in found if t))[:50]


def _act(conv_id: str | None, act: Callable[[], str | None]) -> Response:
    """Run ``act()`` (which returns the message to show) and commit, then back to the inbox; a
    refusal changes nothing and is flashed."""
    session = db()
    try:
        message = act()
        session.commit()
    except HeraldError as exc:
        session.rollback()
        refused(exc)
        return _done(conv_id)
    return _done(conv_id, message)


@bp.post("/inbox/c/<conv_id>/triage")
def inbox_triage(conv_id: str) -> Response:
    """One triage action from the conversation's buttons (status, priority, tags, snooze, spam,
    assignment), through the same services as ``PATCH /inbox/conversations/{id}``."""
    session, actor, form = db(), who(), request.form
    action = form.get("action", "")
    conv = get_conversation(session, actor, tenant().id, conv_id)

    def act() -> str:
        if action == "status":
            triage.set_status(session, actor, conv, form.get("status", ""))
            return _("The status is now: %(status)s.", status=inbox_label(conv.status))
        if action == "priority":
            triage.set_priority(session, actor, conv, form.get("priority", ""))
            return _("The priority is now: %(priority)s.", priority=inbox_label(conv.priority))
        if action == "add_tags":
            tags = _tags(form.get("tags", ""))
            if not tags:
                raise ValidationFailed(_("Give at least one tag."), {"tags": [_("Give at least one tag.")]})
            triage.change_tags(session, actor, conv, tags, [])
            return _("Tags saved.")
        if action == "remove_tag":
            triage.change_tags(session, actor, conv, [], [form.get("tag", "")[:64]])
            return _("Tags saved.")
        if action == "snooze":
            until = _local_time(form.get("snoozed_until", "")) if form.get("snoozed_until") else None
            triage.snooze(session, actor, conv, until)
            return _("Snoozed.") if until else _("The snooze was ended.")
        if action == "spam":
            triage.mark_spam(session, actor, conv, form.get("spam") == "1")
            return _("Marked as spam.") if form.get("spam") == "1" else _("No longer marked as spam.")
        if action in ("assign_me", "assign"):
            require_on(session, actor, "inbox.assign", conv)
            changes: dict[str, Any] = {}
            if action == "assign_me":
                changes["assignee_id"] = actor.user_id
            else:
                if "team_id" in form:
                    changes["team_id"] = form["team_id"] or None
                if "assignee_id" in form:
                    changes["assignee_id"] = form["assignee_id"] or None
            _check_assignment(changes)
            assign(session, actor, conv, **changes)
            return _("Assignment saved.")
        raise ValidationFailed(_("Unknown action."), {"action": [_("Unknown action.")]})

    return _act(conv_id, act)


def _check_assignment(changes: dict[str, Any]) -> None:
    session = db()
    if changes.get("team_id"):
        team = session.get(Team, changes["team_id"])
        if team is None or team.tenant_id != tenant().id:
            raise ValidationFailed(_("Unknown team."), {"team_id": [_("Choose a team of this organisation.")]})
    if changes.get("assignee_id"):
        person = session.get(User, changes["assignee_id"])
        if person is None or person.tenant_id != tenant().id or not person.active:
            raise ValidationFailed(_("Unknown person."), {"assignee_id": [_("Choose an active person.")]})


@bp.post("/inbox/c/<conv_id>/note")
def inbox_note(conv_id: str) -> Response:
    session = db()
    conv = get_conversation(session, who(), tenant().id, conv_id)

    def note() -> str:
        triage.add_note(session, who(), conv, request.form.get("text", "")[:10_000])
        return _("Note added.")

    return _act(conv_id, note)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/inbox/c/<conv_id>/lease")
def inbox_lease(conv_id: str) -> Response:
    """Start (or go on) replying; ``take_over=1`` takes the reply from whoever holds it."""
    session = db()
    conv = get_conversation(session, who(), tenant().id, conv_id)
    take_over = request.form.get("take_over") == "1"
    try:
        replies.take_lease(session, who(), conv, take_over=take_over)
        session.commit()
    except Conflict:
        session.rollback()
        holder = replies.lease_info(session, conv) or {"name": "?"}
        message = _("%(name)s is replying.", name=holder["name"])
        if _wants_json():
            return jsonify({"ok": False, "replying": holder, "message": message}), 409  # type: ignore[return-value]
        flash(message, "error")
        return _done(conv_id)
    except HeraldError as exc:
        session.rollback()
        if _wants_json():
            return jsonify({"ok": False, "message": exc.detail}), exc.status  # type: ignore[return-value]
        refused(exc)
        return _done(conv_id)
    if _wants_json():
        return jsonify({"ok": True, "replying": replies.lease_info(session, conv)})
    return _done(conv_id, _("You are replying; others see it."))


@bp.post("/inbox/c/<conv_id>/release")
def inbox_release(conv_id: str) -> Response:
    session = db()
    conv = get_conversation(session, who(), tenant().id, conv_id)
    try:
        replies.release_lease(session, who(), conv)
        session.commit()
    except HeraldError as exc:
        session.rollback()
        if _wants_json():
            return jsonify({"ok": False, "message": exc.detail}), exc.status  # type: ignore[return-value]
        refused(exc)
    if _wants_json():
        return jsonify({"ok": True})
    return _done(conv_id)


@bp.post("/inbox/c/<conv_id>/reply")
def inbox_reply(conv_id: str) -> Response:
    """Send a reply (checked by the network's connector, sent exactly once by a worker)."""
    session, form = db(), request.form
    conv = get_conversation(session, who(), tenant().id, conv_id)
    text = form.get("text", "")
    try:
        if not text.strip():
            raise ValidationFailed(_("Write the reply first."), {"text": [_("Write the reply first.")]})
        if form.get("saved_reply_id"):
            saved.get_saved_reply(session, tenant().id, form["saved_reply_id"])
        reply = replies.create(session, who(), conv, text=text[:20_000], private=form.get("private") == "1",
                               take_over=form.get("take_over") == "1")
        replies.release_lease(session, who(), conv)
        session.commit()
    except Conflict as exc:
        session.rollback()
        holder = replies.lease_info(session, conv)
        if holder and holder["user_id"] != who().user_id:
            flash(_("%(name)s is replying. Your reply was not sent; take over to send it.", name=holder["name"]),
                  "error")
        else:
            refused(exc)
        return _done(conv_id)
    except HeraldError as exc:
        session.rollback()
        refused(exc)
        return _done(conv_id)
    if reply.state == "awaiting_approval":
        return _done(conv_id, _("The reply waits for approval before it is sent."))
    return _done(conv_id, _("The reply is on its way."))


def _on_author(author_id: str, act: Callable[[Any, Any], object], done: str) -> Response:
    """Apply ``act(session, author)`` to an author the person may see, then back to the inbox."""
    session = db()

    def on_author() -> str:
        act(session, authors.get_author(session, who(), tenant().id, author_id))
        return done

    return _act(request.form.get("c", "")[:64] or None, on_author)


@bp.post("/inbox/authors/<author_id>/tags")
def inbox_author_tags(author_id: str) -> Response:
    tags = _tags(request.form.get("tags", ""))
    return _on_author(author_id, lambda s, a: authors.set_tags(s, who(), tenant().id, a, tags), _("Tags saved."))


@bp.post("/inbox/authors/<author_id>/notes")
def inbox_author_note(author_id: str) -> Response:
    text = request.form.get("text", "")[:10_000]
    return _on_author(author_id, lambda s, a: authors.add_note(s, who(), tenant().id, a, text), _("Note added."))


@bp.post("/inbox/views")
def inbox_save_view() -> Response:
    """Save the list's current filters as a view (personal, or shared by an inbox admin)."""
    session = db()
    kept = {k: v for k, v in parse_qsl(request.form.get("back", "")) if k in KEPT_ARGS and k not in ("view_id",
                                                                                                      "order")}
    raw: dict[str, Any] = {k: [v] for k, v in kept.items() if k in LIST_FILTERS}
    raw.update({k: v for k, v in kept.items() if k in ONE_FILTERS})
    try:
        body = s.SavedViewIn().load({"name": request.form.get("name", "").strip(), "filters": raw,
                                     "shared": request.form.get("shared") == "1"})
        view = saved.save_view(session, who(), tenant().id, body)
        session.commit()
    except ValidationError as exc:
        session.rollback()
        for field, messages in flatten(exc.normalized_messages()).items():
            for m in messages:
                flash(f"{field}: {m}", "error")
        return redirect(back_url(), code=303)
    except HeraldError as exc:
        session.rollback()
        refused(exc)
        return redirect(back_url(), code=303)
    flash(_("The view was saved."), "ok")
    return redirect(url_for("console.inbox", view_id=view.id), code=303)


@bp.post("/inbox/views/<view_id>/delete")
def inbox_delete_view(view_id: str) -> Response:
    session = db()
    try:
        saved.delete_view(session, who(), tenant().id, view_id)
        session.commit()
    except HeraldError as exc:
        session.rollback()
        refused(exc)
        return redirect(url_for("console.inbox"), code=303)
    flash(_("The view was deleted."), "ok")
    return redirect(url_for("console.inbox"), code=303)
