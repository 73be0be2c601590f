"""Herald's icon: ``/favicon.ico`` (asked for by every browser, whatever the page says) answers
the console's SVG icon, which the console's layout also names with ``<link rel="icon">``."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_from_directory
from flask.blueprints import BlueprintSetupState

from herald.console.blueprint import bp

STATIC = Path(__file__).resolve().parent / "static"
ICON = "favicon.svg"


def favicon() -> Response:
    resp = send_from_directory(STATIC, ICON, mimetype="image/svg+xml", max_age=86_400)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.record_once
def _answer_favicon(state: BlueprintSetupState) -> None:
    state.app.add_url_rule("/favicon.ico", "favicon", favicon)
