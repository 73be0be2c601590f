"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

from herald.api import context, edge_checks, problems
from herald.api.blueprint import bp as api_bp
from herald.config import Settings
from herald.runtime import Runtime, build_runtime
from herald.web import request_trust


def create_app(settings: Settings | None = None, runtime: Runtime | None = None,
               test_config: dict[str, Any] | None = None) -> Flask:
    if runtime is None:
        runtime = build_runtime(settings or Settings.from_env())
    app = Flask("herald", instance_path=str(runtime.settings.instance_path))
    app.config.update(
        SECRET_KEY=runtime.settings.secret_key,
        MAX_CONTENT_LENGTH=runtime.settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    request_trust.install(app, runtime.settings)
    if test_config:
        app.config.update(test_config)
    app.extensions["herald"] = runtime
    app.json.sort_keys = False  # type: ignore[attr-defined]

    import herald.api.views  # noqa: F401  (registers the endpoints)

    edge_checks.install(app)
    problems.install(app)
    context.install(app)
    app.register_blueprint(api_bp)
    from herald.web import scim, sign_in, sso

    app.register_blueprint(sso.bp)
    app.register_blueprint(scim.bp)
    app.register_blueprint(sign_in.bp)
    from herald import console

    console.install(app)

    @app.get("/health")
    def health():  # type: ignore[no-untyped-def]
        checks: dict[str, Any] = {}
        try:
            with runtime.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = {"ok": True, "dialect": runtime.db.dialect}
        except Exception as exc:
            checks["database"] = {"ok": False, "error": type(exc).__name__}
        checks["queue"] = runtime.queue.health()
        if checks["database"]["ok"]:
            checks["publishing"] = _publishing_health(runtime)
        ok = (checks["database"]["ok"] and checks["queue"].get("ok", True)
              and checks.get("publishing", {}).get("ok", True))
        return jsonify({"status": "ok" if ok else "failing", "checks": checks}), 200 if ok else 503

    @app.get("/")
    def index():  # type: ignore[no-untyped-def]
        return jsonify({"name": "Herald", "api": "/api/v1", "openapi": "/api/v1/openapi.json", "health": "/health"})

    runtime.plugins.pm.hook.herald_app_created(app=app)
    return app


def _publishing_health(runtime: Runtime) -> dict[str, Any]:
    from herald.publishing.liveness import publishing_health

    try:
        with runtime.db.transaction() as session:
            return publishing_health(session)
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
