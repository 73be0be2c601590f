"""Where a notification belongs in its tenant (org units, inbox teams) and the full address of
its page: what a channel notifier needs to choose the channels that cover it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.notifications.links import target
from herald.notifications.notifier import Notification, NotificationScope


def _unit_and_ancestors(session: Session, tenant_id: str, unit_id: str | None) -> tuple[str, ...]:
    from herald.tenancy.models import OrgUnit

    unit = session.get(OrgUnit, unit_id) if unit_id else None
    if unit is None or unit.tenant_id != tenant_id:
        return ()
    return tuple(reversed(unit.ancestor_ids))


def _account_unit(session: Session, tenant_id: str, account_id: object) -> str | None:
    from herald.tenancy.models import SocialAccount

    account = session.get(SocialAccount, account_id) if isinstance(account_id, str) else None
    return account.org_unit_id if account is not None and account.tenant_id == tenant_id else None


def scope_of(session: Session, notification: Notification) -> NotificationScope:
    """What the notification's ``data`` names (``post_id``, ``conversation_id``,
    ``account_id``), placed in the tenant's tree; the root unit when it names nothing there."""
    from herald.content.models import Post
    from herald.inbox.models import Conversation
    from herald.tenancy.models import OrgUnit

    tenant_id = notification.tenant_id
    data = notification.data if isinstance(notification.data, dict) else {}
    units: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    post_id, conversation_id = data.get("post_id"), data.get("conversation_id")
    if isinstance(post_id, str) and (post := session.get(Post, post_id)) is not None and post.tenant_id == tenant_id:
        units = _unit_and_ancestors(session, tenant_id, post.org_unit_id)
    elif isinstance(conversation_id, str) and (conv := session.get(Conversation, conversation_id)) is not None \
            and conv.tenant_id == tenant_id:
        units = _unit_and_ancestors(session, tenant_id, _account_unit(session, tenant_id, conv.account_id))
        teams = (conv.team_id,) if conv.team_id else ()
    elif "account_id" in data:
        units = _unit_and_ancestors(session, tenant_id, _account_unit(session, tenant_id, data["account_id"]))
    if not units:
        units = tuple(session.scalars(select(OrgUnit.id).where(
            OrgUnit.tenant_id == tenant_id, OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)))
    return NotificationScope(units, teams)


def page_url(notification: Notification, public_url: str | None) -> str | None:
    """The console page the notification is about on this instance's public address; only a
    same-site page (never a link the sender pointed elsewhere), and none without a public URL."""
    path = target(notification.link, notification.data)
    return f"{public_url.rstrip('/')}{path}" if path and public_url else None
