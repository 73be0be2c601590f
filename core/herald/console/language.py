"""The console header's answer to "Keep this language?": save the language chosen in this
browser session to the person's profile (the profile service, as on the profile page), or keep
it for this session only and stop asking."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from herald.api.context import db
from herald.console.blueprint import bp, refused, tenant, user, who
from herald.console.i18n import LANGUAGES, remember, supported
from herald.errors import HeraldError
from herald.people import service as people
from herald.web.pages import safe_relay


def _back() -> Response:
    return redirect(safe_relay(request.form.get("next")) or url_for("console.dashboard"), code=303)


@bp.post("/language/keep")
def keep_language() -> Response:
    """Make the chosen language the profile's; the session's choice is then no longer needed."""
    code = supported(request.form.get("lang"))
    if code is None:
        flash(_("Choose one of the languages offered."), "error")
        return _back()
    try:
        people.update_user(db(), who(), tenant().id, user().id, {"locale": code})
        db().commit()
    except HeraldError as exc:
        db().rollback()
        refused(exc)
        return _back()
    remember(None)
    flash(_("%(language)s is now your language.", language=LANGUAGES[code]), "ok")
    return _back()


@bp.post("/language/not-now")
def decline_language() -> Response:
    """Keep the chosen language for this session only, without asking again."""
    code = supported(request.form.get("lang"))
    if code is not None:
        remember(code, declined=True)
    return _back()
