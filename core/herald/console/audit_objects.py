"""What the audit log names each changed object by, read in one query per kind of object and
only within the tenant: a unit, person, role, account, asset, workflow, team… by its name; a
post by its title (else the start of its text); a publication by its post and account; a
conversation by who wrote and where; a sign-in session and an API token by whose they are.
Kinds not listed here are shown by their id alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.approvals.models import Workflow, WorkflowRule
from herald.auth.models import BrowserSession
from herald.console.person_names import person_name
from herald.content.models import Post
from herald.content.service import current_contents
from herald.inbox.models import Conversation, InboxAuthor, RoutingRule, SavedReply, SlaPolicy, Team
from herald.library.models import Asset
from herald.people.models import ApiToken, CustomRole, User
from herald.publishing.models import Publication
from herald.tenancy.models import OrgUnit, SocialAccount, Tenant

#: (session, tenant id, object ids) → object id → name
Namer = Callable[[Session, str, set[str]], dict[str, str]]
TEXT_START = 60


def _by_column(model: type[Any], name: Callable[[Any], str]) -> Namer:
    def names(session: Session, tenant_id: str, ids: set[str]) -> dict[str, str]:
        stmt = select(model).where(model.id.in_(ids))
        stmt = stmt.where(model.id == tenant_id) if model is Tenant else stmt.where(model.tenant_id == tenant_id)
        return {row.id: name(row) for row in session.scalars(stmt)}

    return names


def _attr(attr: str) -> Callable[[Any], str]:
    return lambda row: str(getattr(row, attr) or "")


def post_title(content: dict[str, Any]) -> str:
    """A post as people recognise it: its title, else the start of its first variant's text."""
    title = str(content.get("title") or "").strip()
    if title:
        return title
    variants = content.get("variants") or [{}]
    text = " ".join(str(variants[0].get("text") or "").split())
    return text if len(text) <= TEXT_START else text[:TEXT_START - 1] + "…"


def _post_titles(session: Session, tenant_id: str, post_ids: Iterable[str]) -> dict[str, str]:
    posts = list(session.scalars(select(Post).where(Post.id.in_(set(post_ids)), Post.tenant_id == tenant_id)))
    return {post_id: post_title(content or {}) for post_id, content in current_contents(session, posts).items()}


def _publications(session: Session, tenant_id: str, ids: set[str]) -> dict[str, str]:
    rows = session.execute(select(Publication.id, Publication.post_id, SocialAccount.handle).join(
        SocialAccount, SocialAccount.id == Publication.account_id).where(
        Publication.id.in_(ids), SocialAccount.tenant_id == tenant_id)).all()
    titles = _post_titles(session, tenant_id, {post_id for _, post_id, _ in rows})
    return {pub_id: _("%(post)s on @%(account)s", post=titles.get(post_id, "—"), account=handle)
            for pub_id, post_id, handle in rows if post_id in titles}


def _conversations(session: Session, tenant_id: str, ids: set[str]) -> dict[str, str]:
    rows = session.execute(select(Conversation.id, InboxAuthor.handle, SocialAccount.handle).join(
        SocialAccount, SocialAccount.id == Conversation.account_id).outerjoin(
        InboxAuthor, InboxAuthor.id == Conversation.author_id).where(
        Conversation.id.in_(ids), Conversation.tenant_id == tenant_id))
    return {conv_id: _("@%(author)s with @%(account)s", author=author or "?", account=account)
            for conv_id, author, account in rows}


def _whose(model: type[Any], name: Callable[[Any, str], str]) -> Namer:
    """Rows that belong to a person (sessions, tokens): ``name(row, the person's name)``."""
    def names(session: Session, tenant_id: str, ids: set[str]) -> dict[str, str]:
        rows = session.execute(select(model, User).join(User, User.id == model.user_id).where(
            model.id.in_(ids), User.tenant_id == tenant_id)).all()
        return {row.id: name(row, person_name(user)) for row, user in rows}

    return names


NAMERS: dict[str, Namer] = {
    "org_unit": _by_column(OrgUnit, _attr("name")), "user": _by_column(User, person_name),
    "role": _by_column(CustomRole, _attr("name")),
    "social_account": _by_column(SocialAccount, lambda a: f"@{a.handle}"),
    "asset": _by_column(Asset, _attr("name")), "workflow": _by_column(Workflow, _attr("name")),
    "workflow_rule": _by_column(WorkflowRule, _attr("name")), "inbox_team": _by_column(Team, _attr("name")),
    "inbox_sla_policy": _by_column(SlaPolicy, _attr("name")),
    "inbox_routing_rule": _by_column(RoutingRule, _attr("name")),
    "inbox_saved_reply": _by_column(SavedReply, _attr("name")), "tenant": _by_column(Tenant, _attr("name")),
    "inbox_author": _by_column(InboxAuthor, lambda a: f"@{a.handle}" if a.handle else a.display_name),
    "post": _post_titles, "publication": _publications, "conversation": _conversations,
    "session": _whose(BrowserSession, lambda _row, person: _("sign-in of %(person)s", person=person)),
    "api_token": _whose(ApiToken, lambda token, person: f"{token.name} ({person})"),
}


def object_names(session: Session, tenant_id: str, wanted: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """(object type, id) → name for the ``wanted`` ids of each type (unknown types: nothing)."""
    found: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        namer = NAMERS.get(kind)
        if namer is not None and ids:
            found.update({(kind, object_id): name for object_id, name in namer(session, tenant_id, ids).items()})
    return found
