"""Who may see and act on a conversation: the grants on its account's org unit.

A conversation belongs to its account's unit, wherever the account is (moving an account moves
its conversations), so every check is made on the account: ``inbox.read`` to see,
``inbox.reply`` to answer and triage, ``inbox.assign`` to assign, ``inbox.admin`` to configure."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from herald.authz.actor import Actor
from herald.authz.check import can, path_filter, require, visible_unit_paths
from herald.errors import NotFound
from herald.inbox.models import Conversation
from herald.tenancy.models import OrgUnit, SocialAccount

Row = TypeVar("Row")


def of_tenant(session: Session, model: type[Row], tenant_id: str, row_id: str, what: str) -> Row:
    """The row ``row_id`` of ``model`` if it is the tenant's; another tenant's is "not found"
    (``what`` names it in the message: "No team 'x'.")."""
    row = session.get(model, row_id)
    if row is None or row.tenant_id != tenant_id:  # type: ignore[attr-defined]
        raise NotFound(f"No {what} {row_id!r}.")
    return row


def account_of(session: Session, conv: Conversation) -> SocialAccount:
    account = session.get(SocialAccount, conv.account_id)
    if account is None:  # the foreign key forbids it; a clear error if the data were broken
        raise NotFound(f"No account for conversation {conv.id!r}.")
    return account


def require_on(session: Session, actor: Actor, permission: str, conv: Conversation) -> None:
    require(session, actor, permission, account_of(session, conv))


def can_on(session: Session, actor: Actor, permission: str, conv: Conversation) -> bool:
    return can(session, actor, permission, account_of(session, conv))


def get_conversation(session: Session, actor: Actor, tenant_id: str, conv_id: str,
                     permission: str = "inbox.read") -> Conversation:
    """The conversation, if it is the tenant's and the actor may ``permission`` on it. Another
    tenant's conversation, and one the actor may not even read, is "not found"."""
    conv = session.get(Conversation, conv_id)
    if conv is None or conv.tenant_id != tenant_id or not can_on(session, actor, "inbox.read", conv):
        raise NotFound(f"No conversation {conv_id!r}.")
    if permission != "inbox.read":
        require_on(session, actor, permission, conv)
    return conv


def visible_accounts(session: Session, actor: Actor, tenant_id: str, permission: str = "inbox.read",
                     unit: OrgUnit | None = None, descendants: bool = True) -> Any:
    """A subquery of the account ids whose conversations ``actor`` may see (optionally only
    those of ``unit``, with or without its descendants)."""
    paths = visible_unit_paths(session, actor, permission, tenant_id)
    stmt = select(SocialAccount.id).join(OrgUnit, OrgUnit.id == SocialAccount.org_unit_id).where(
        SocialAccount.tenant_id == tenant_id, path_filter(OrgUnit.path, paths))
    if unit is not None:
        stmt = stmt.where(OrgUnit.path.startswith(unit.path, autoescape=True) if descendants
                          else OrgUnit.id == unit.id)
    return stmt


def visible_filter(session: Session, actor: Actor, tenant_id: str, permission: str = "inbox.read",
                   unit: OrgUnit | None = None, descendants: bool = True) -> ColumnElement[bool]:
    return Conversation.account_id.in_(visible_accounts(session, actor, tenant_id, permission, unit, descendants))
