"""My notifications (``/console/notifications``) and my notification preferences
(``/console/notifications/settings``), and the unread count the header shows on every page.

The pages call the services behind ``/api/v1/me/notifications`` and
``/api/v1/me/notification-preferences`` with the signed-in person as actor, so a person only
ever sees and marks their own."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from herald.api.context import db
from herald.console.blueprint import back, bp, page, who
from herald.console.form_input import run
from herald.errors import HeraldError
from herald.notifications import inbox, preferences
from herald.notifications.kinds import GROUPS
from herald.notifications.links import target

PAGE_SIZE = 25

#: the kinds' names in the person's language (the API gives the English ones)
KIND_NAMES = {
    "approval.due": _l("A post waits for my decision"),
    "approval.reminder": _l("Reminder: a decision is due soon"),
    "approval.overdue": _l("A decision is overdue"),
    "approval.escalated": _l("An overdue decision was escalated to me"),
    "approval.approved": _l("My post was approved"),
    "approval.send_back": _l("My post was sent back for changes"),
    "approval.reject": _l("My post was rejected"),
    "approval.auto_rejected": _l("My post was rejected at a deadline"),
    "approval.blocked": _l("An automatic check stopped my post"),
    "post.mentioned": _l("Someone mentioned me on a post"),
    "post.requested_time_missed": _l("My approved post could not go out at the time I asked for"),
    "publication.failed": _l("A publication failed"),
    "publication.needs_attention": _l("A publication needs attention"),
    "social_account.reconnect_needed": _l("A social account must be reconnected"),
    "conversation.assigned": _l("A conversation was assigned to me"),
    "conversation.routed": _l("A routing rule sent me a conversation"),
    "conversation.mentioned": _l("Someone mentioned me in a conversation note"),
    "sla.at_risk": _l("A conversation's SLA is at risk"),
    "sla.breached": _l("A conversation's SLA was breached"),
    "inbox_reply.failed": _l("A reply could not be sent"),
    "listening.spike": _l("A listening query I own has a spike"),
}
GROUP_NAMES = {
    "approvals": _l("Approvals"), "posts": _l("Posts"), "publishing": _l("Publishing"),
    "accounts": _l("Social accounts"), "inbox": _l("Inbox"), "listening": _l("Listening"),
}

#: the built-in channels' names in the person's language; a plugin's channel shows its own name
CHANNEL_NAMES = {"inapp": _l("In Herald"), "email": _l("Email")}


GROUP_ORDER = {group: i for i, group in enumerate(GROUPS)}


def kind_name(kind: str, declared: str | None = None) -> str:
    """A kind's name in the person's language; a plugin's kind shows the name it declared."""
    found = KIND_NAMES.get(kind)
    return str(found) if found is not None else (declared or kind)


def _title(n: Any) -> str:
    """The stored title is the sender's English sentence: another language shows the kind's
    translated name instead, when the kind is known."""
    if str(get_locale() or "en") == "en" or n.kind not in KIND_NAMES:
        return str(n.title)
    return kind_name(n.kind)


def channel_name(channel: preferences.Channel) -> str:
    found = CHANNEL_NAMES.get(channel.key)
    return str(found) if found is not None else channel.name


@bp.app_template_global("unread_notification_count")
def unread_notification_count() -> int | None:
    """The signed-in person's unread notifications, counted once per request; None outside a
    console session (the header then shows no bell)."""
    if g.get("console_user") is None or g.get("actor") is None:
        return None
    if "unread_notifications" not in g:
        try:
            g.unread_notifications = inbox.unread_count(db(), g.actor)
        except HeraldError:
            g.unread_notifications = None
    return g.unread_notifications


def _back_to_list() -> Response:
    """Back to the list the form was posted from (its filter and page)."""
    values: dict[str, Any] = {}
    if request.form.get("unread") == "1":
        values["unread"] = "1"
    cursor = request.form.get("cursor", "")[:500]
    if cursor:
        values["cursor"] = cursor
    return back("console.notifications", **values)


@bp.get("/notifications")
def notifications() -> Response:
    unread_only = request.args.get("unread") == "1"
    cursor = request.args.get("cursor", "")[:500] or None
    try:
        found = inbox.list_notifications(db(), who(), unread_only=unread_only, limit=PAGE_SIZE, cursor=cursor)
    except HeraldError as exc:  # a forged or stale cursor: the first page, with the reason
        return page("console/notifications.html", exc.status, items=[], next_cursor=None, cursor=None,
                    unread_only=unread_only, problem=exc.detail, kind_name=kind_name)
    items = [{"n": n, "target": target(n.link, n.data), "kind": kind_name(n.kind), "title": _title(n)}
             for n in found.items]
    return page("console/notifications.html", items=items, next_cursor=found.next_cursor, cursor=cursor,
                unread_only=unread_only, problem=None, kind_name=kind_name)


@bp.post("/notifications/<notification_id>/read")
def read_notification(notification_id: str) -> Response:
    run(lambda: inbox.mark_read(db(), who(), notification_id), _("Marked read."))
    return _back_to_list()


@bp.post("/notifications/read-all")
def read_all_notifications() -> Response:
    run(lambda: inbox.mark_all_read(db(), who()), _("All notifications are marked read."))
    return _back_to_list()


def _field(kind: str, channel: str) -> str:
    return f"on:{kind}:{channel}"


@bp.route("/notifications/settings", methods=["GET", "POST"])
def notification_settings() -> Response:
    if request.method == "POST":
        grid = preferences.preferences(db(), who())
        chosen = [{"kind": k.key, "channel": c.key, "enabled": bool(request.form.get(_field(k.key, c.key)))}
                  for k in grid["kinds"] for c in grid["channels"]]
        run(lambda: preferences.replace(db(), who(), chosen), _("Your notification preferences were saved."))
        return back("console.notification_settings")
    grid = preferences.preferences(db(), who())
    enabled = {(p["kind"], p["channel"]) for p in grid["preferences"] if p["enabled"]}
    groups: list[tuple[str, list[Any]]] = []
    for kind in sorted(grid["kinds"], key=lambda k: GROUP_ORDER.get(k.group, len(GROUP_ORDER))):
        name = str(GROUP_NAMES.get(kind.group, kind.group))
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        groups[-1][1].append(kind)
    return page("console/notification_settings.html", channels=grid["channels"], groups=groups, enabled=enabled,
                field=_field, kind_name=kind_name, channel_name=channel_name)
