"""The post page's publication plan: before anything is submitted or scheduled, which account
gets which language's text and why ("Acme Coffee Dubai gets the Arabic text: its audience reads
ar"), and which accounts need reconnecting before they can publish.

The partial ``console/_publication_plan.html`` calls :func:`publication_plan_for` (a template
global), which reads :func:`herald.publishing.publication_plan.post_plan` — the function behind
``GET /api/v1/tenants/<t>/posts/<id>/plan`` — with the signed-in person as actor, and words each
entry in the person's language."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _

from herald.api.context import db
from herald.console.blueprint import bp, can_somewhere, tenant, who
from herald.content.models import Post
from herald.errors import HeraldError
from herald.publishing.publication_plan import post_plan


def language_name(code: str | None) -> str:
    """``ar`` as the reader's language calls it ("Arabic", "العربية"); no code: language-neutral."""
    if not code:
        return _("language-neutral")
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(str(get_locale() or "en"))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name or code


def languages_list(codes: list[str]) -> str:
    return ", ".join(language_name(c) for c in codes)


def warning_text(warning: dict[str, Any]) -> str:
    """A warning about an account (:class:`~herald.publishing.account_readiness.AccountWarning`)
    in the reader's language, saying how to fix it."""
    values = {"account": warning["account"], "network": warning["network"]}
    if warning["code"] == "reconnect_needed":
        text = _("⚠ %(account)s (%(network)s) needs reconnecting: nothing can be published on it until it is "
                 "reconnected. Reconnect it on the Social accounts page before the planned time.", **values)
        if warning.get("reason"):
            text += " " + _("The network said: %(reason)s", reason=warning["reason"])
        return text
    if warning["code"] == "token_expires":
        return _("⚠ Herald's access to %(account)s (%(network)s) expires before the planned time and cannot be "
                 "renewed. Reconnect it on the Social accounts page.", **values)
    return _("⚠ %(account)s (%(network)s) is not connected to its network yet. Connect it on the Social "
             "accounts page before the planned time.", **values)


def entry_text(entry: dict[str, Any]) -> str:
    """One account's line of the plan: which text it gets, and why."""
    values = {"account": entry["account"], "language": language_name(entry["language"])}
    if entry["blocked_code"] == "archived":
        return _("%(account)s is archived: nothing is published there.", account=entry["account"])
    if entry["blocked_code"] == "connector_disabled":
        return _("%(account)s cannot publish: its network's connector is not enabled for this organisation.",
                 account=entry["account"])
    if entry["blocked_code"]:
        return _("%(account)s cannot publish this post: it has no text for this network.", account=entry["account"])
    if entry["already_published"]:
        return _("%(account)s already published this post; it is not published there again.",
                 account=entry["account"])
    if entry["reason"] == "override":
        return _("%(account)s gets the %(language)s text: the post sets it for this account.", **values)
    if entry["reason"] == "audience":
        return _("%(account)s gets the %(language)s text: its audience reads %(audience)s.",
                 audience=language_name(entry["matched_language"]), **values)
    if entry["audience_missing"]:
        return _("%(account)s gets the %(language)s text: the post has no text in its audience languages "
                 "(%(audience)s).", audience=languages_list(entry["audience_languages"]), **values)
    return _("%(account)s gets the %(language)s text: the account names no audience language.", **values)


@bp.app_template_global("publication_plan_for")
def publication_plan_for(post: Post) -> dict[str, Any] | None:
    """The plan of ``post`` worded for the page (None outside a console session or when the
    person may not see the post); computed once per request."""
    if g.get("console_user") is None or g.get("actor") is None:
        return None
    cache: dict[str, Any] = g.setdefault("publication_plans", {})
    if post.id not in cache:
        try:
            plan = post_plan(db(), who(), tenant().id, post.id)
        except HeraldError:
            cache[post.id] = None
            return None
        entries = [{**e, "text": entry_text(e), "language_name": language_name(e["language"]),
                    "warning_text": warning_text(e["warning"]) if e["warning"] else None}
                   for e in plan["accounts"]]
        cache[post.id] = {"entries": entries, "warnings": [e for e in entries if e["warning_text"]],
                          "may_reconnect": bool(plan["warnings"]) and can_somewhere("accounts.manage")}
    return cache[post.id]
