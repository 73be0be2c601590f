"""The sandbox network's console page (``/console/x/network_sandbox/<tenant id>/``): the posts
Herald published there, the engagement of customers with the tenant's sandbox accounts, and a
form to write to an account as a customer (people who manage that account only)."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Blueprint, Response, abort, g, redirect, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.builtin.network_sandbox_customers import CUSTOMERS
from herald.builtin.network_sandbox_engagement import KINDS, MAX_DM_LENGTH, add_inbound, customer_id
from herald.builtin.network_sandbox_models import SandboxEngagement, SandboxPost
from herald.clock import utcnow
from herald.plugins import AuthorProfile, NetworkError

NAME = "network_sandbox"
#: what a customer's handle may be made of (as on the networks Herald knows)
HANDLE_RE = re.compile(r"^@?[A-Za-z0-9_.]{1,60}$")

PAGE = """<!doctype html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#222}}
article{{border:1px solid #ddd;border-radius:8px;padding:.75rem 1rem;margin:.75rem 0}}
article.outbound{{background:#f3f6fb}} .meta{{color:#595959;font-size:.85rem}}
.deleted{{color:#555;text-decoration:line-through}} .problem{{color:#a00000;font-weight:bold}}
form p{{margin:.5rem 0}} label{{display:block;font-weight:600}} textarea,input,select{{font:inherit}}
textarea{{width:100%}}</style></head>
<body><main><h1>{title}</h1>
<section aria-labelledby="sbx-posts"><h2 id="sbx-posts">{posts_title}</h2><p class="meta">{count}</p>
{posts}</section>
<section aria-labelledby="sbx-engagement"><h2 id="sbx-engagement">{engagement_title}</h2>
<p class="meta">{engagement_count}</p>
{engagements}</section>
{form}</main></body></html>"""


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
    from herald.runtime import current

    with current().db.transaction() as session:
        _tenant_or_404(session, tenant_id)
        return _render(session, tenant_id, problems=[], values={}, status=200)


def write_as_customer(tenant_id: str) -> Response:
    """Add what a customer writes (kind, handle, text, language) to one of the accounts."""
    from herald.runtime import current

    form = request.form
    values = {k: (form.get(k) or "").strip() for k in ("account", "kind", "post", "handle", "text", "language")}
    with current().db.transaction() as session:
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
    from herald.console.i18n import direction

    posts = session.scalars(select(SandboxPost).where(SandboxPost.tenant_id == tenant_id)
                            .order_by(SandboxPost.created_at.desc()).limit(200)).all()
    engagements = session.scalars(select(SandboxEngagement).where(SandboxEngagement.tenant_id == tenant_id)
                                  .order_by(SandboxEngagement.created_at.desc(), SandboxEngagement.seq.desc())
                                  .limit(200)).all()
    handles = {p.account_remote_id: p.handle for p in posts}
    accounts = _writable_accounts(session, tenant_id)
    handles.update({_key(a): a.handle for a in accounts})
    locale = str(get_locale() or "en")
    body = PAGE.format(
        lang=html.escape(locale), dir=direction(locale), title=html.escape(_("Sandbox feed")),
        posts_title=html.escape(_("Posts")),
        count=html.escape(_("%(count)d post(s) published by Herald on the sandbox network.", count=len(posts))),
        posts="\n".join(_post(p) for p in posts),
        engagement_title=html.escape(_("Customer engagement")),
        engagement_count=html.escape(_("%(count)d mention(s), comment(s) and direct message(s), newest first.",
                                       count=len(engagements))),
        engagements="\n".join(_engagement(e, handles) for e in engagements),
        form=_form(tenant_id, accounts, posts, problems, values) if accounts else "")
    return Response(body, status=status, mimetype="text/html")


def _post(p: SandboxPost) -> str:
    deleted = f" · {html.escape(_('deleted'))}" if p.deleted_at else ""
    return (f'<article id="{html.escape(p.id)}" class="{"deleted" if p.deleted_at else ""}" '
            f'lang="{html.escape(p.language or "")}" dir="auto">'
            f'<div class="meta">@{html.escape(p.handle)} · {p.created_at:%Y-%m-%d %H:%M} UTC{deleted}</div>'
            f'<p>{html.escape(p.text)}</p></article>')


def _engagement(e: SandboxEngagement, handles: dict[str, str]) -> str:
    kinds = {"mention": _("Mention"), "comment": _("Comment"), "dm": _("Direct message")}
    meta = [html.escape(kinds.get(e.kind, e.kind))]
    name, handle = html.escape(e.author_display_name or e.author_handle), html.escape(e.author_handle)
    who = f"<bdi>{name}</bdi> <bdi>@{handle}</bdi>"
    if e.author_verified:
        who += f" ✓ {html.escape(_('verified'))}"
    if e.author_followers is not None:
        who += " · " + html.escape(_("%(count)s followers", count=format_decimal(e.author_followers)))
    meta.append(who)
    account = handles.get(e.account_remote_id, e.account_remote_id)
    if e.direction == "outbound":
        meta.append(html.escape(_("sent by the account")))
    else:
        meta.append(html.escape(_("to @%(handle)s", handle=account)))
    meta.append(f"{e.created_at:%Y-%m-%d %H:%M} UTC")
    if e.in_reply_to:
        meta.append(html.escape(_("in reply to %(id)s", id=e.in_reply_to)))
    if e.edited_at:
        meta.append(html.escape(_("edited")))
    if e.deleted_at:
        meta.append(html.escape(_("deleted")))
    classes = " ".join(c for c in (e.direction, "deleted" if e.deleted_at else "") if c)
    lang = f' lang="{html.escape(e.language)}"' if e.language else ""
    return (f'<article id="{html.escape(e.remote_id)}" class="{classes}">'
            f'<div class="meta">{" · ".join(meta)}</div>'
            f'<p dir="auto"{lang}>{html.escape(e.text)}</p></article>')


def _form(tenant_id: str, accounts: list[Any], posts: list[SandboxPost], problems: list[str],
          values: dict[str, str]) -> str:
    from herald.api.context import browser_session
    from herald.console.i18n import LANGUAGES

    def option(value: str, label: str, chosen: str) -> str:
        sel = " selected" if value == chosen else ""
        return f'<option value="{html.escape(value)}"{sel}>{html.escape(label)}</option>'

    row = browser_session()
    csrf = html.escape(row.csrf_token) if row is not None else ""  # an API token needs none
    keys = {_key(a) for a in accounts}
    account_options = "".join(option(_key(a), f"@{a.handle}", values.get("account", "")) for a in accounts)
    kinds = {"mention": _("Mention"), "comment": _("Comment"), "dm": _("Direct message")}
    kind_options = "".join(option(k, label, values.get("kind", "dm")) for k, label in kinds.items())
    post_options = option("", _("(not a comment)"), values.get("post", "")) + "".join(
        option(p.id, f"@{p.handle}: {p.text[:50]}", values.get("post", ""))
        for p in posts if p.deleted_at is None and p.account_remote_id in keys)
    language_options = option("", _("(not said)"), values.get("language", "")) + "".join(
        option(code, name, values.get("language", "")) for code, name in LANGUAGES.items())
    problem_list = "".join(f'<li class="problem">{html.escape(p)}</li>' for p in problems)
    action = html.escape(url_for(f"{NAME}.write", tenant_id=tenant_id))
    return f"""<section aria-labelledby="sbx-write"><h2 id="sbx-write">{html.escape(_("Write as a customer"))}</h2>
<p class="meta">{html.escape(_("What you send here reaches the account as if a customer had written it."))}</p>
{f'<ul role="alert">{problem_list}</ul>' if problems else ""}
<form method="post" action="{action}"><input type="hidden" name="csrf_token" value="{csrf}">
<p><label for="sbx-account">{html.escape(_("To the account"))}</label>
<select id="sbx-account" name="account">{account_options}</select></p>
<p><label for="sbx-kind">{html.escape(_("Kind"))}</label><select id="sbx-kind" name="kind">{kind_options}</select></p>
<p><label for="sbx-post">{html.escape(_("Under the post (comments)"))}</label>
<select id="sbx-post" name="post">{post_options}</select></p>
<p><label for="sbx-handle">{html.escape(_("Customer's handle"))}</label>
<input id="sbx-handle" name="handle" required maxlength="61" dir="auto" value="{html.escape(values.get("handle", ""))}">
</p>
<p><label for="sbx-text">{html.escape(_("Text"))}</label>
<textarea id="sbx-text" name="text" required rows="3" maxlength="{MAX_DM_LENGTH}" dir="auto">{
html.escape(values.get("text", ""))}</textarea></p>
<p><label for="sbx-language">{html.escape(_("Language"))}</label>
<select id="sbx-language" name="language">{language_options}</select></p>
<p><button type="submit">{html.escape(_("Send as this customer"))}</button></p></form></section>"""


def blueprint() -> Blueprint:
    bp = Blueprint(NAME, __name__)
    bp.add_url_rule("/<tenant_id>/", "index", feed)
    bp.add_url_rule("/<tenant_id>/engagements", "write", write_as_customer, methods=["POST"])
    return bp
