"""A post's publication plan, before anything is scheduled: for each target account, which
variant (language) it will publish, an excerpt of that text, why that variant
(:mod:`herald.content.variant_choice`), and whether the account can publish at all
(:mod:`herald.publishing.account_readiness`). The plan is what :func:`planning.schedule` and
:func:`planning.publish_now` would create now, read from the post's current version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.authz import Actor
from herald.content.service import get_post, version
from herald.content.variant_choice import Choice, choose_variant, variant_key
from herald.publishing.account_readiness import AccountWarning, account_name, account_warning
from herald.publishing.models import ACTIVE_STATES, Publication
from herald.publishing.planning import connector_for
from herald.tenancy.models import SocialAccount

EXCERPT = 140


def excerpt(text: str, size: int = EXCERPT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def explain(choice: Choice, account: SocialAccount) -> str:
    """Why the account gets this variant, in words (English; the console words it itself)."""
    lang = choice.language or "any language"
    if choice.reason == "override":
        return f"The post sets {lang} for this account."
    if choice.reason == "audience":
        return f"The account's audience reads {choice.matched}."
    if choice.audience_missing:
        return (f"The post has no variant in the account's audience languages "
                f"({', '.join(account.audience_languages)}); it gets the post's {lang} text.")
    return f"The account names no audience language; it gets the post's {lang} text."


def account_entry(session: Session, content: dict[str, Any], account: SocialAccount,
                  publications: list[Publication], at: datetime | None = None) -> dict[str, Any]:
    """The plan of one account (see :func:`post_plan`)."""
    choice = choose_variant(content, account)
    warning: AccountWarning | None = account_warning(session, account, at)
    published = [p for p in publications if p.state == "published"]
    shown = next((p for p in publications if p.state in ACTIVE_STATES), published[0] if published else None)
    blocked = blocked_code = None
    if account.archived_at is not None:
        blocked, blocked_code = "The account is archived.", "archived"
    elif connector_for(session, account) is None:
        blocked = f"The {account.network!r} connector is not enabled for this tenant."
        blocked_code = "connector_disabled"
    elif choice is None:
        blocked, blocked_code = f"The post has no variant for {account.network!r}.", "no_variant"
    return {
        "account_id": account.id, "account": account_name(account), "handle": account.handle,
        "network": account.network, "audience_languages": list(account.audience_languages or []),
        "variant": variant_key(choice.variant) if choice else None,
        "variant_network": choice.variant.get("network") if choice else None,
        "language": choice.language if choice else None,
        "excerpt": excerpt(choice.variant.get("text", "")) if choice else "",
        "reason": choice.reason if choice else None,
        "matched_language": choice.matched if choice else None,
        "audience_missing": bool(choice and choice.audience_missing),
        "explanation": explain(choice, account) if choice else None,
        "already_published": bool(published),
        "publication_id": shown.id if shown else None,
        "publication_state": shown.state if shown else None,
        "blocked": blocked, "blocked_code": blocked_code,
        "warning": warning.as_dict() if warning else None,
    }


def post_plan(session: Session, actor: Actor, tenant_id: str, post_id: str) -> dict[str, Any]:
    """``{"post_id", "version", "accounts": [entry per target, in the post's order], "warnings"}``.
    Needs ``posts.view`` on the post (it is what its page shows)."""
    post = get_post(session, actor, tenant_id, post_id)
    content = version(session, post, post.current_version).content
    targets = list(dict.fromkeys(content.get("targets") or []))
    accounts = {a.id: a for a in session.scalars(select(SocialAccount).where(
        SocialAccount.id.in_(targets), SocialAccount.tenant_id == tenant_id))}
    pubs: dict[str, list[Publication]] = {}
    for p in session.scalars(select(Publication).where(Publication.post_id == post.id)):
        pubs.setdefault(p.account_id, []).append(p)
    entries = []
    for account_id in targets:
        acct = accounts.get(account_id)
        if acct is None:
            continue
        mine = pubs.get(acct.id, [])
        at = next((p.scheduled_at for p in mine if p.state == "scheduled"), None)
        entries.append(account_entry(session, content, acct, mine, at))
    return {"post_id": post.id, "version": post.current_version, "accounts": entries,
            "warnings": [e["warning"] for e in entries if e["warning"]]}


def schedule_warnings(session: Session, publications: list[Publication]) -> list[dict[str, Any]]:
    """What the person scheduling should know about the accounts of ``publications``: one
    warning per account that may not be able to publish at its planned time."""
    out: dict[str, dict[str, Any]] = {}
    for pub in publications:
        if pub.account_id in out:
            continue
        acct = session.get(SocialAccount, pub.account_id)
        warning = account_warning(session, acct, pub.scheduled_at) if acct is not None else None
        if warning is not None:
            out[pub.account_id] = warning.as_dict()
    return list(out.values())
