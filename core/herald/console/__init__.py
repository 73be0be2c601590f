"""The web console (server-rendered pages under ``/console/``) and its extension interface."""

from __future__ import annotations

from flask import Flask


def install(app: Flask) -> None:
    """Set up the console's languages, register its pages and mount every installed plugin's
    console extension at ``/console/x/<plugin>/`` (the menu shows an entry only to tenants that
    enabled the plugin)."""
    from herald.console import admin, home, i18n, posts  # noqa: F401  (registers the pages)
    from herald.console.blueprint import bp

    i18n.install(app)
    app.register_blueprint(bp)
    host = app.extensions["herald"].plugins
    for name in sorted(host.infos):
        for extensions in host.call_one("herald_console_extensions", name):
            for ext in extensions or []:
                app.register_blueprint(ext.blueprint, url_prefix=f"/console/x/{name}")
