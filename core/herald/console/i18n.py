"""Herald's page languages and time zones: who sees which, and Babel's formatting helpers.

In the console a person's language and time zone come from their profile (``users.locale`` /
``users.time_zone``), then the tenant's defaults, then the browser's ``Accept-Language``, then
English / UTC. Pages shown before anyone is signed in (the sign-in pages, choosing the
organisation) follow the browser's ``Accept-Language``, then the tenant's default. ``?lang=``
overrides the language for one request only (previews, the language links); it is never
stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, g, has_request_context, request, url_for
from flask_babel import Babel, get_locale

#: code → the language's own name (shown in the language picker, never translated).
LANGUAGES: dict[str, str] = {"en": "English", "ar": "العربية", "fa": "فارسی", "ur": "اردو", "hi": "हिन्दी"}
RTL = frozenset({"ar", "fa", "ur"})
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def supported(code: str | None) -> str | None:
    """The supported language ``code`` names (``ar-EG`` → ``ar``), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def _browser_language() -> str | None:
    for code, _quality in request.accept_languages:
        found = supported(code)
        if found:
            return found
    return None


def select_locale() -> str:
    preview = supported(request.args.get("lang"))
    if preview:
        return preview
    user, tenant = g.get("console_user"), g.get("console_tenant")
    if user is not None:
        choices = [user.locale, tenant.default_locale if tenant else None, _browser_language()]
    else:  # nobody signed in yet: the browser knows the person better than the tenant does
        page_tenant = g.get("page_tenant")
        choices = [_browser_language(), page_tenant.default_locale if page_tenant else None]
    for code in choices:
        found = supported(code)
        if found:
            return found
    return "en"


def preview_language() -> str | None:
    """The ``?lang=`` of this request when it names a supported language (to carry it on)."""
    return supported(request.args.get("lang"))


#: query arguments a language link carries over (what the page needs to work; never, say, an
#: identity provider's answer)
CARRIED_ARGS = ("next", "token", "tenant")


def language_links(target: str | None = None) -> list[dict[str, Any]]:
    """This page (or ``target``, a path on this site) in every language, with ``?lang=`` set."""
    current = str(get_locale() or "en")
    if target is None and request.endpoint is None:
        return []
    args = {k: request.args[k] for k in CARRIED_ARGS if request.args.get(k)}
    links = []
    for code, name in LANGUAGES.items():
        if target is not None:
            url = f"{target}{'&' if '?' in target else '?'}{urlencode({'lang': code})}"
        else:
            url = url_for(request.endpoint or "", **dict(request.view_args or {}), **args, lang=code)
        links.append({"code": code, "name": name, "current": code == current, "url": url})
    return links


def page_language() -> dict[str, Any]:
    """What every page's ``<html>`` needs: its language, direction and language links."""
    if not has_request_context():
        return {}
    locale = str(get_locale() or "en")
    return {"html_lang": locale, "html_dir": direction(locale), "language_links": language_links,
            "lang_arg": preview_language()}


def _valid_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def select_timezone() -> str:
    user, tenant = g.get("console_user"), g.get("console_tenant")
    return (_valid_zone(user.time_zone if user else None)
            or _valid_zone(tenant.default_time_zone if tenant else None) or "UTC")


def direction(locale: str) -> str:
    return "rtl" if locale in RTL else "ltr"


def install(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.context_processor(page_language)
