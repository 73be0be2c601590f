"""The web console (server-rendered pages under ``/console/``) and its extension interface."""

from __future__ import annotations

from flask import Flask, Response, g, redirect, request, url_for
from werkzeug.exceptions import NotFound

EXTENSIONS = "/console/x/"


def install(app: Flask) -> None:
    """Set up the console's languages, register its pages and mount every installed plugin's
    console extension at ``/console/x/<plugin>/``. An extension's pages answer only people signed
    in to a tenant that enabled the plugin; its menu entries appear only to them."""
    from herald.console import (  # noqa: F401  (registers the pages)
        accounts,
        admin,
        audit_log,
        calendar,
        home,
        i18n,
        inbox,
        inbox_admin,
        language,
        library_page,
        notifications,
        people,
        posts,
        publishing,
        roles,
        site_icon,
        tokens,
        workflows,
    )
    from herald.console.blueprint import bp
    from herald.console.labels import install as install_labels
    from herald.console.labels import label

    i18n.install(app)
    app.register_blueprint(bp)
    app.add_template_global(label, "label")
    install_labels(app)
    host = app.extensions["herald"].plugins
    for name in sorted(host.infos):
        for extensions in host.call_one("herald_console_extensions", name):
            for ext in extensions or []:
                app.register_blueprint(ext.blueprint, url_prefix=f"{EXTENSIONS}{name}")

    @app.before_request
    def _extension_gate() -> Response | None:
        if not request.path.startswith(EXTENSIONS):
            return None
        from herald.api.context import browser_session, db
        from herald.people.models import User
        from herald.tenancy.models import Tenant

        # a signed-in browser, or an API token (scripts and monitoring read extension pages too)
        row = browser_session()
        if g.get("actor") is None:
            return redirect(url_for("console.choose_tenant", next=request.full_path.rstrip("?")), code=303)
        person = db().get(User, row.user_id if row is not None else g.actor.user_id)
        plugin = request.path[len(EXTENSIONS):].split("/", 1)[0]
        if person is None or person.tenant_id is None or plugin not in host.enabled_names(db(), person.tenant_id):
            raise NotFound()
        g.console_user, g.console_tenant = person, db().get(Tenant, person.tenant_id)
        # Signing in may have written (a token's last use, a session's last activity): commit it
        # now, so that the extension's own transactions do not wait on this request's lock.
        db().commit()
        return None
