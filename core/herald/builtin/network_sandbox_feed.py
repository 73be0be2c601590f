"""The sandbox network's console page (``/console/x/network_sandbox/<tenant id>/``): the posts
Herald published there, the engagement of customers with the tenant's sandbox accounts, and a
form to write to an account as a customer (people who manage that account only).

The page is a console page: it is drawn inside the console's layout (menu included; the menu's
"Sandbox feed" entry leads to ``/console/x/network_sandbox/``, the person's own tenant), in the
person's language, with times in their time zone (Babel) and people's text marked ``dir="auto"``."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.builtin.network_sandbox_customers import CUSTOMERS
from herald.builtin.network_sandbox_engagement import KINDS, MAX_DM_LENGTH, add_inbound, customer_id
from herald.builtin.network_sandbox_models import SandboxEngagement, SandboxPost
from herald.clock import utcnow
from herald.plugins import AuthorProfile, NetworkError

NAME = "network_sandbox"
#: the console menu's entry for the feed (people who may see posts, in tenants that enabled it)
MENU_LABEL = _l("Sandbox feed")
#: what a customer's handle may be made of (as on the networks Herald knows)
HANDLE_RE = re.compile(r"^@?[A-Za-z0-9_.]{1,60}$")


def _tenant_or_404(session: Session, tenant_id: str) -> Any:
    from herald.authz.check import can, in_tenant
    from herald.errors import HeraldError
    from herald.runtime import current

    actor = g.get("actor")
    if actor is None:
        abort(401)
    try:
        tenant = in_tenant(session, actor, tenant_id)
    except HeraldError:
        abort(404)
    if NAME not in current().plugins.enabled_names(session, tenant_id) or not can(session, actor, "posts.view", tenant):
        abort(404)
    return tenant


def _writable_accounts(session: Session, tenant_id: str) -> list[Any]:
    """The tenant's sandbox accounts the person manages (whom they may write to as a customer)."""
    from herald.authz.check import can
    from herald.tenancy.models import SocialAccount

    accounts = session.scalars(select(SocialAccount).where(
        SocialAccount.tenant_id == tenant_id, SocialAccount.network == "sandbox",
        SocialAccount.archived_at.is_(None)).order_by(SocialAccount.handle)).all()
    return [a for a in accounts if can(session, g.actor, "accounts.manage", a)]


def _key(social_account: Any) -> str:
    return social_account.external_id or social_account.id


def feed(tenant_id: str) -> Response:
    # The request's own session: the layout (menu, sign-in bookkeeping) reads and writes through
    # it too, and a second connection would wait on its lock (SQLite).
    from herald.api.context import db

    session = db()
    _tenant_or_404(session, tenant_id)
    return _render(session, tenant_id, problems=[], values={}, status=200)


def own_feed() -> Response:
    """The feed of the signed-in person's own tenant (the menu's entry)."""
    return feed(g.console_tenant.id)


def write_as_customer(tenant_id: str) -> Response:
    """Add what a customer writes (kind, handle, text, language) to one of the accounts."""
    from herald.api.context import db

    form = request.form
    values = {k: (form.get(k) or "").strip() for k in ("account", "kind", "post", "handle", "text", "language")}
    session = db()
    _tenant_or_404(session, tenant_id)
    accounts = {_key(a): a for a in _writable_accounts(session, tenant_id)}
    if not accounts:
        abort(403)
    problems = _problems(values, accounts)
    if not problems:
        handle = values["handle"].lstrip("@")
        language = values["language"] or None
        comment = values["kind"] == "comment"
        try:
            row = add_inbound(session, tenant_id, values["account"], kind=values["kind"],
                              author=_author(handle, language), text=values["text"], created_at=utcnow(),
                              language=language, in_reply_to=values["post"] if comment else None)
            session.commit()
        except NetworkError:  # the only refusal left: the post is not the account's
            problems.append(_("That post is not one of the account's."))
        else:
            return redirect(url_for(f"{NAME}.index", tenant_id=tenant_id) + f"#{row.remote_id}", code=303)
    session.rollback()
    return _render(session, tenant_id, problems=problems, values=values, status=400)


def _problems(values: dict[str, str], accounts: dict[str, Any]) -> list[str]:
    from herald.console.i18n import LANGUAGES

    problems = []
    if values["account"] not in accounts:
        problems.append(_("Choose one of your sandbox accounts."))
    if values["kind"] not in KINDS:
        problems.append(_("Choose a mention, a comment or a direct message."))
    elif values["kind"] == "comment" and not values["post"]:
        problems.append(_("A comment sits under a post: choose the post."))
    if not HANDLE_RE.match(values["handle"]):
        problems.append(_("A handle is 1 to 60 letters, digits, dots or underscores."))
    if not values["text"]:
        problems.append(_("Write what the customer says."))
    elif len(values["text"]) > MAX_DM_LENGTH:
        problems.append(_("The text may have at most %(limit)d characters.", limit=MAX_DM_LENGTH))
    if values["language"] and values["language"] not in LANGUAGES:
        problems.append(_("Choose one of the languages offered."))
    return problems


def _author(handle: str, language: str | None) -> AuthorProfile:
    """A simulated customer by that handle, as the simulation describes them; anyone else as a
    newcomer with no followers on record."""
    for customer in (c for group in CUSTOMERS.values() for c in group):
        if customer.handle.lower() == handle.lower():
            return customer.profile()
    return AuthorProfile(remote_id=customer_id(handle), handle=handle, display_name=handle, language=language)


def _render(session: Session, tenant_id: str, problems: list[str], values: dict[str, str], status: int) -> Response:
    from herald.console.blueprint import page
    from herald.console.i18n import LANGUAGES

    posts = session.scalars(select(SandboxPost).where(SandboxPost.tenant_id == tenant_id)
                            .order_by(SandboxPost.created_at.desc()).limit(200)).all()
    engagements = session.scalars(select(SandboxEngagement).where(SandboxEngagement.tenant_id == tenant_id)
                                  .order_by(SandboxEngagement.created_at.desc(), SandboxEngagement.seq.desc())
                                  .limit(200)).all()
    handles = {p.account_remote_id: p.handle for p in posts}
    accounts = _writable_accounts(session, tenant_id)
    handles.update({_key(a): a.handle for a in accounts})
    keys = {_key(a) for a in accounts}
    return page(f"{NAME}/feed.html", status, tenant_id=tenant_id, posts=posts, engagements=engagements,
                handles=handles, accounts=[(_key(a), a.handle) for a in accounts], problems=problems,
                values=values, kinds=_kinds(), languages_offered=LANGUAGES, max_text=MAX_DM_LENGTH,
                commentable=[p for p in posts if p.deleted_at is None and p.account_remote_id in keys])


def _kinds() -> dict[str, str]:
    return {"mention": _("Mention"), "comment": _("Comment"), "dm": _("Direct message")}


def blueprint() -> Blueprint:
    bp = Blueprint(NAME, __name__, template_folder="templates", static_folder="static",
                   static_url_path="/static")
    bp.add_url_rule("/", "home", own_feed)
    bp.add_url_rule("/<tenant_id>/", "index", feed)
    bp.add_url_rule("/<tenant_id>/engagements", "write", write_as_customer, methods=["POST"])
    return bp
