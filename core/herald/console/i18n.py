"""The console's languages and time zones: who sees which, and Babel's formatting helpers.

A person's language and time zone come from their profile (``users.locale`` /
``users.time_zone``), then the tenant's defaults, then English / UTC. ``?lang=`` overrides the
language for one request only (previews); it is never stored."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, g, request
from flask_babel import Babel

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


def select_locale() -> str:
    preview = supported(request.args.get("lang"))
    if preview:
        return preview
    user, tenant = g.get("console_user"), g.get("console_tenant")
    for code in (user.locale if user else None, tenant.default_locale if tenant else None):
        found = supported(code)
        if found:
            return found
    return "en"


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
