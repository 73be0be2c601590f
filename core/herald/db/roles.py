"""PostgreSQL grants for the role Herald runs as, given by the schema owner after migrating.

The app role reads and writes Herald's tables but may only INSERT and SELECT on
``audit_events``: no UPDATE, DELETE or TRUNCATE, and, not owning the table, no ALTER TABLE
(so it cannot disable the append-only trigger)."""

from __future__ import annotations

from sqlalchemy import Engine, text

#: what the app role may do on the audit tables (the head row moves with every append)
AUDIT_GRANTS = {"audit_events": "SELECT, INSERT", "audit_chains": "SELECT, INSERT, UPDATE",
                "alembic_version": "SELECT"}


class RoleError(Exception):
    pass


def grant_statements(engine: Engine, role: str) -> list[str]:
    quote = engine.dialect.identifier_preparer.quote
    r = quote(role)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        if row is None:
            raise RoleError(f"role {role!r} does not exist (CREATE ROLE {r} LOGIN PASSWORD '…')")
        if row.rolsuper:
            raise RoleError(f"role {role!r} is a superuser: no grant can restrict it")
        owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events' "
                                  "AND schemaname = current_schema()")).scalar()
        if owner is None:
            raise RoleError("audit_events does not exist: run the migrations first")
        if owner == role:
            raise RoleError(f"role {role!r} owns audit_events: migrate as another role (the schema owner)")
        schemas = list(conn.execute(text(
            "SELECT nspname FROM pg_namespace WHERE nspname = current_schema() OR "
            "(nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) "
            " AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema') ORDER BY nspname")).scalars())
    out: list[str] = []
    for schema in schemas:
        s = quote(schema)
        out += [f"GRANT USAGE ON SCHEMA {s} TO {r}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
                f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {r}"]
    for table, grants in AUDIT_GRANTS.items():
        out += [f"REVOKE ALL ON {quote(table)} FROM {r}", f"GRANT {grants} ON {quote(table)} TO {r}"]
    return out


def grant_app_role(engine: Engine, role: str) -> list[str]:
    """Give ``role`` what Herald needs and no more; run as the owner after every migration
    (``herald init`` and ``herald db upgrade`` do). Returns the statements it ran."""
    statements = grant_statements(engine, role)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return statements


def owns_audit_table(engine: Engine) -> bool:
    """Whether the connecting role owns audit_events (and so could truncate it or drop its trigger)."""
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT tableowner = current_user FROM pg_tables "
                                      "WHERE tablename = 'audit_events' AND schemaname = current_schema()")).scalar())


def migrate(settings: object) -> list[str]:
    """Apply the migrations as the schema owner (HERALD_MIGRATION_DATABASE_URL when set, else
    DATABASE_URL) and, on PostgreSQL with a separate owner, grant DATABASE_URL's user its
    rights. Returns lines to show the operator."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from herald.db.migrate import upgrade

    app_url: str = settings.database_url  # type: ignore[attr-defined]
    owner_url: str = settings.migration_database_url or app_url  # type: ignore[attr-defined]
    upgrade(owner_url)
    if not app_url.startswith("postgresql"):
        return []
    engine = create_engine(owner_url)
    try:
        app_user = make_url(app_url).username
        if owner_url != app_url and app_user and app_user != make_url(owner_url).username:
            grant_app_role(engine, app_user)
            return [f"granted Herald's role {app_user!r} its rights (INSERT and SELECT only on audit_events)"]
        if owns_audit_table(engine):
            return ["warning: Herald's database user owns audit_events, so it could TRUNCATE it or disable its "
                    "append-only trigger; set HERALD_MIGRATION_DATABASE_URL to the schema owner "
                    "(docs/operations.md, \"Database roles\")"]
        return []
    finally:
        engine.dispose()
