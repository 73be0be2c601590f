"""Herald's page languages and time zones: who sees which, and Babel's formatting helpers.

Which language a page speaks, first match wins:

1. the language chosen explicitly in this browser session: ``?lang=<code>`` on any page (the
   console header's language switcher and the sign-in pages' language links set it) is
   remembered in a signed cookie that lasts until the browser is closed or the person signs out,
   so the next pages — and the console after signing in — keep it;
2. the person's profile (``users.locale``);
3. the tenant's default (``tenants.default_locale``);
4. the browser's ``Accept-Language``;
5. English.

Pages shown before anyone is signed in (the sign-in pages, choosing the organisation) have no
profile and put the browser before the tenant's default: the browser knows the person better.
While a console page speaks a chosen language its profile would not give, the header offers to
keep it (:func:`language_offer`; saving goes through the profile service, as the profile page).
The time zone comes from the profile, then the tenant's default, then UTC."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from flask_babel import Babel, get_locale
from itsdangerous import BadSignature, URLSafeSerializer

#: code → the language's own name (shown in the language picker, never translated).
LANGUAGES: dict[str, str] = {"en": "English", "ar": "العربية", "fa": "فارسی", "ur": "اردو", "hi": "हिन्दी"}
RTL = frozenset({"ar", "fa", "ur"})
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: the cookie remembering the language chosen in this browser session (no expiry: it goes when
#: the browser is closed). Its value is signed: ``{"lang": code, "declined": bool}``.
CHOICE_COOKIE = "herald_lang"
_SALT = "herald.console.language-choice"


def supported(code: str | None) -> str | None:
    """The supported language ``code`` names (``ar-EG`` → ``ar``), or None."""
    if not code or not isinstance(code, str):
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def _browser_language() -> str | None:
    for code, _quality in request.accept_languages:
        found = supported(code)
        if found:
            return found
    return None


# ----------------------------------------------------------------------------- the session's choice
def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def stored_choice() -> dict[str, Any] | None:
    """The choice this browser remembers, ``{"lang": code, "declined": bool}``, or None (also for
    a forged or outdated cookie)."""
    raw = request.cookies.get(CHOICE_COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    code = supported(value.get("lang")) if isinstance(value, dict) else None
    return {"lang": code, "declined": bool(value.get("declined"))} if code else None


def preview_language() -> str | None:
    """The ``?lang=`` of this request when it names a supported language (to carry it on)."""
    return supported(request.args.get("lang"))


def chosen_language() -> str | None:
    """The language chosen explicitly: this request's ``?lang=``, else this session's choice."""
    found = preview_language()
    if found:
        return found
    stored = stored_choice()
    return stored["lang"] if stored else None


def remember(code: str | None, declined: bool = False) -> None:
    """Send this session's choice with the response (None: forget it)."""
    g.language_choice = {"lang": code, "declined": declined} if code else {}


def language_without_choice() -> str:
    """The language the page would speak if nothing had been chosen explicitly (rules 2–5)."""
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


def select_locale() -> str:
    return chosen_language() or language_without_choice()


def language_offer() -> dict[str, str] | None:
    """``{"code", "name"}`` of the chosen language when a console page speaks it only because it
    was chosen (the profile and the defaults would give another) and the person has not said
    "Not now" to keeping it; else None."""
    if g.get("console_user") is None:
        return None
    code = chosen_language()
    if code is None or code == language_without_choice():
        return None
    stored = stored_choice()
    if stored and stored["lang"] == code and stored["declined"]:
        return None
    return {"code": code, "name": LANGUAGES[code]}


def _store_choice(response: Response) -> Response:
    """Remember ``?lang=`` for the rest of the session; forget the choice when the session ends."""
    if request.path.startswith(("/api/", "/console/static/")):
        return response
    wanted = g.get("language_choice")
    if wanted is None:
        code = preview_language()
        stored = stored_choice()
        if code and (stored is None or stored["lang"] != code):
            wanted = {"lang": code, "declined": False}
        elif g.get("session_cookie") == "" and request.cookies.get(CHOICE_COOKIE):
            wanted = {}  # signed out: the next person at this browser starts from their own profile
    if wanted is None:
        return response
    settings = current_app.extensions["herald"].settings
    if wanted:
        response.set_cookie(CHOICE_COOKIE, _serializer().dumps(wanted), httponly=True, samesite="Lax", path="/",
                            secure=settings.session_cookie_secure)
    else:
        response.delete_cookie(CHOICE_COOKIE, httponly=True, samesite="Lax", path="/",
                               secure=settings.session_cookie_secure)
    return response


# ----------------------------------------------------------------------------- language links
#: query arguments a language link carries over (what the page needs to work; never, say, an
#: identity provider's answer)
CARRIED_ARGS = ("next", "token", "tenant")


def _link(url: str, code: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'lang': code})}"


def language_links(target: str | None = None) -> list[dict[str, Any]]:
    """This page (or ``target``, a path on this site) in every language, with ``?lang=`` set."""
    current = str(get_locale() or "en")
    if target is None and request.endpoint is None:
        return []
    args = {k: request.args[k] for k in CARRIED_ARGS if request.args.get(k)}
    links = []
    for code, name in LANGUAGES.items():
        if target is not None:
            url = _link(target, code)
        else:
            url = url_for(request.endpoint or "", **dict(request.view_args or {}), **args, lang=code)
        links.append({"code": code, "name": name, "current": code == current, "url": url})
    return links


def _readable(endpoint: str) -> bool:
    return any("GET" in (rule.methods or ()) for rule in current_app.url_map.iter_rules(endpoint))


def console_page_address() -> str:
    """This console page with its own query (its filters) but without ``?lang=``; the home page
    for a page answering a form (it has no address to come back to)."""
    endpoint = request.endpoint or ""
    if request.method == "GET" and endpoint and _readable(endpoint):
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        base = url_for(endpoint, **dict(request.view_args or {}))
        return f"{base}?{urlencode(args)}" if args else base
    return url_for("console.dashboard")


def console_language_links() -> list[dict[str, Any]]:
    """The console header's switcher: this page (:func:`console_page_address`) in every language."""
    here = console_page_address()
    current = str(get_locale() or "en")
    return [{"code": code, "name": name, "current": code == current, "url": _link(here, code)}
            for code, name in LANGUAGES.items()]


def page_language() -> dict[str, Any]:
    """What every page's ``<html>`` needs: its language, direction and language links."""
    if not has_request_context():
        return {}
    locale = str(get_locale() or "en")
    return {"html_lang": locale, "html_dir": direction(locale), "language_links": language_links,
            "console_language_links": console_language_links, "language_offer": language_offer,
            "console_page_address": console_page_address,
            "lang_arg": preview_language()}


# ----------------------------------------------------------------------------- time zones
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
    app.after_request(_store_choice)
